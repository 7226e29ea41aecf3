package dev.tenantry.tenancy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job once in every ready tenant, inside that tenant's scope: for scheduled work, which has no caller
 * whose tenant it could take. Tenants run a few at a time; one tenant's failure is recorded and logged, and the
 * others go on. Tenants this process refuses ({@link TenantProvisioning#unavailable()}) are skipped and reported.
 *
 * <pre>{@code
 * allTenants.run("purge sessions", tenant -> emf.runInTransaction(em -> new AnonSessions(em).purgeExpired()));
 * }</pre>
 */
public final class AllTenants {

    private static final Logger LOG = LoggerFactory.getLogger(AllTenants.class);

    /** Tenants worked on at once unless a run says otherwise. */
    public static final int DEFAULT_PARALLELISM = 4;

    /** The work for one tenant; its scope is open while it runs. */
    @FunctionalInterface
    public interface Job {
        void run(String tenant) throws Exception;
    }

    /** How the job went in one tenant: done, failed (with the failure) or skipped (the tenant is unavailable here). */
    public record Outcome(String tenant, Status status, Duration took, Throwable failure) {

        /** What happened in one tenant. */
        public enum Status { DONE, FAILED, SKIPPED }
    }

    /** Every tenant's outcome of one run, in tenant order. */
    public record Report(String job, List<Outcome> outcomes) {

        public Report {
            outcomes = List.copyOf(outcomes);
        }

        public List<Outcome> failures() {
            return outcomes.stream().filter(o -> o.status() != Outcome.Status.DONE).toList();
        }

        public boolean hasFailures() {
            return !failures().isEmpty();
        }

        @Override
        public String toString() {
            long done = outcomes.stream().filter(o -> o.status() == Outcome.Status.DONE).count();
            long failed = outcomes.stream().filter(o -> o.status() == Outcome.Status.FAILED).count();
            long skipped = outcomes.size() - done - failed;
            return job + ": " + outcomes.size() + " tenants, " + done + " done, " + failed + " failed, " + skipped + " skipped";
        }
    }

    private final TenantProvisioning provisioning;

    AllTenants(TenantProvisioning provisioning) {
        this.provisioning = Objects.requireNonNull(provisioning, "provisioning");
    }

    /** Runs {@code job} in every ready tenant, {@value #DEFAULT_PARALLELISM} at a time. */
    public Report run(String name, Job job) {
        return run(name, DEFAULT_PARALLELISM, job);
    }

    /**
     * Runs {@code job} in every ready tenant, {@code parallelism} at a time, each inside {@code Tenants.in(tenant, ...)}.
     *
     * @param name what the job is, for the log and the report
     */
    public Report run(String name, int parallelism, Job job) {
        TenantWorkers.checkParallelism(parallelism);
        Objects.requireNonNull(job, "job");
        List<String> tenants = provisioning.list().stream().filter(TenantInfo::ready).map(TenantInfo::tenant).toList();
        java.util.Set<String> unavailable = provisioning.unavailable().keySet();
        List<Outcome> outcomes = new ArrayList<>();
        TenantWorkers.forEach(tenants, parallelism, "job", tenant -> {
            Outcome outcome = unavailable.contains(tenant)
                    ? new Outcome(tenant, Outcome.Status.SKIPPED, Duration.ZERO, null)
                    : runIn(name, tenant, job);
            synchronized (outcomes) {
                outcomes.add(outcome);
            }
        });
        outcomes.sort(Comparator.comparing(Outcome::tenant));
        Report report = new Report(name, outcomes);
        if (report.hasFailures()) {
            LOG.warn("{}", report);
        } else {
            LOG.debug("{}", report);
        }
        return report;
    }

    private static Outcome runIn(String name, String tenant, Job job) {
        long start = System.nanoTime();
        try (TenantScope ignored = Tenants.open(tenant)) {
            job.run(tenant);
            return new Outcome(tenant, Outcome.Status.DONE, Duration.ofNanos(System.nanoTime() - start), null);
        } catch (Exception | Error e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (e instanceof Error && !(e instanceof AssertionError)) {
                throw (Error) e;
            }
            LOG.warn("Job '{}' failed in tenant '{}': {}", name, tenant, e.toString());
            return new Outcome(tenant, Outcome.Status.FAILED, Duration.ofNanos(System.nanoTime() - start), e);
        }
    }
}
