package dev.tenantry.bench;

/** One started strategy: its pools, its factory, ready to serve requests from many threads. */
public interface Strategy extends AutoCloseable {

    StrategyName name();

    /** Runs one read request for {@code visitor} in the visitor's tenant (or the strategy's one schema). */
    void read(Visitor visitor) throws Exception;

    /** Runs one web request for {@code visitor}. */
    void web(Visitor visitor) throws Exception;

    /** Connections its pools hold open now, summed over all its pools. */
    int poolConnections();

    /** Its pools, for measuring what their connections hold on the server; empty when not measured. */
    default java.util.List<javax.sql.DataSource> pools() {
        return java.util.List.of();
    }

    /** What its pools hold now, for reports. */
    default String describe() {
        return poolConnections() + " connections open";
    }

    /** Closes its factory and its pools. */
    @Override
    void close();

    default void run(Workload workload, Visitor visitor) throws Exception {
        if (workload == Workload.READ) {
            read(visitor);
        } else {
            web(visitor);
        }
    }
}
