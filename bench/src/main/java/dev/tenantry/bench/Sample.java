package dev.tenantry.bench;

/**
 * One window of one round: a {@link Harness.Window}, or the error that stopped it.
 *
 * @param heapMb          heap the strategy retains after its warm-up, in MiB: used heap after a full GC once it has
 *                        started and warmed up, less used heap after a full GC before it started; NaN when unknown
 * @param serverMb        memory the backends of the strategy's connections allocated after its warm-up, in MiB,
 *                        summed over its connections ({@link ServerMemory}); NaN when unknown
 * @param poolConnections connections the strategy's pools held at the end of the window, or when it failed
 */
record Sample(StrategyName strategy, Workload workload, int tenants, int threads, int round, Harness.Window window,
              double heapMb, double serverMb, int poolConnections, String error) {

    boolean failed() {
        return window == null;
    }
}
