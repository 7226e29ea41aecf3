package dev.tenantry.it.citus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.Citus;
import dev.tenantry.core.TenantryException;
import dev.tenantry.core.UnknownTenantException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.CitusSandbox;
import dev.tenantry.it.support.WithCitus;
import dev.tenantry.tenancy.TenantMove;
import dev.tenantry.tenancy.TenantPlacement;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Moving a tenant between workers while its application keeps writing and reading through the coordinator: no
 * committed write is lost, nothing fails, and afterwards the new worker holds and serves the tenant's rows.
 */
@WithCitus
class CitusMoveTest {

    private static final int WRITERS = 3;
    private static final int READERS = 2;
    private static final int SEEDED = 300;

    @ParameterizedTest
    @EnumSource(value = Citus.TransferMode.class, names = {"LOGICAL", "BLOCK_WRITES"})
    void aTenantMovedUnderLoadLosesNoCommittedWriteAndServesItsRowsFromTheNewWorker(Citus.TransferMode mode,
                                                                                   CitusSandbox sandbox) throws Exception {
        String tenant = sandbox.tenant("moved_" + mode.name().toLowerCase());
        String neighbour = sandbox.tenant("neighbour_" + mode.name().toLowerCase());
        try (TenantryPersistence tenantry = Tenantry.start(sandbox.config().poolMaxSize(WRITERS + READERS + 2).build())) {
            EntityManagerFactory emf = tenantry.entityManagerFactory();
            tenantry.provisioning().provision(tenant);
            tenantry.provisioning().provision(neighbour);
            Tenants.in(tenant, () -> emf.runInTransaction(em -> {
                for (int i = 0; i < SEEDED; i++) {
                    new Users(em).create("seed" + i + "@moved.example", "Seed " + i);
                }
            }));
            Citus.Node from = sandbox.nodeOf(tenant);
            Citus.Node to = sandbox.cluster().workers().stream().filter(node -> !node.equals(from)).findFirst().orElseThrow();

            Load load = new Load(emf, tenant, neighbour);
            load.start();
            load.awaitCommits(50);
            long committedBefore = load.committed.get();
            long readsBefore = load.reads.get();
            TenantMove move = tenantry.provisioning().placement().move(tenant, to, mode);
            long committedDuring = load.committed.get() - committedBefore;
            long readsDuring = load.reads.get() - readsBefore;
            load.awaitCommits(load.committed.get() + 50);
            load.stop();

            System.out.printf("[citus] move %s: %d ms, %d writes committed and %d reads during the move, %d writes in all%n",
                    mode, move.took().toMillis(), committedDuring, readsDuring, load.committed.get());
            assertThat(load.errors).as("failed transactions").isEmpty();
            assertThat(move.moved()).isTrue();
            assertThat(move.from()).isEqualTo(from);
            assertThat(move.to()).isEqualTo(to);
            assertThat(move.mode()).isEqualTo(mode);
            assertThat(sandbox.nodeOf(tenant)).isEqualTo(to);
            assertThat(readsDuring).as("reads while the tenant moved").isPositive();

            // Every committed write is there, read through the coordinator...
            List<String> emails = sandbox.column("SELECT email FROM " + tenant + ".users WHERE email LIKE 'load%'");
            assertThat(emails).hasSize((int) load.committed.get()).containsExactlyInAnyOrderElementsOf(load.emails);
            long total = SEEDED + load.committed.get();
            assertThat(sandbox.column("SELECT count(*) FROM " + tenant + ".users")).containsExactly(Long.toString(total));
            // ...and straight from the new worker's own shard of the table.
            String shard = sandbox.column("SELECT shard_name FROM citus_shards WHERE table_name = ?::regclass",
                    tenant + ".users").get(0);
            try (Connection worker = sandbox.cluster().connect(to); Statement statement = worker.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + shard)) {
                rows.next();
                assertThat(rows.getLong(1)).isEqualTo(total);
            }
            // The application goes on working on the new worker.
            long after = Tenants.in(tenant, () -> emf.callInTransaction(em -> {
                new Users(em).create("after@moved.example", "After");
                return new Users(em).count();
            }));
            assertThat(after).isEqualTo(total + 1);
        }
    }

    @Test
    void movesThatCannotHappenAreRefusedSayingWhy(CitusSandbox sandbox) {
        String tenant = sandbox.tenant("stays");
        try (TenantryPersistence tenantry = Tenantry.start(sandbox.config().build())) {
            tenantry.provisioning().provision(tenant);
            TenantPlacement placement = tenantry.provisioning().placement();
            Citus.Node home = sandbox.nodeOf(tenant);

            TenantMove none = placement.move(tenant, home, Citus.TransferMode.AUTO);
            assertThat(none.moved()).isFalse();
            assertThat(none.mode()).isNull();

            Citus.Node nowhere = new Citus.Node(home.host(), 1);
            assertThatThrownBy(() -> placement.move(tenant, nowhere, Citus.TransferMode.AUTO))
                    .isInstanceOf(TenantryException.class)
                    .hasMessageContaining("tenant '" + tenant + "'").hasMessageContaining(nowhere + " is not a node")
                    .hasMessageContaining(sandbox.cluster().workers().get(0).toString()).hasMessageContaining("nothing was moved");
            assertThatThrownBy(() -> placement.move(sandbox.tenant("ghost"), home, Citus.TransferMode.AUTO))
                    .isInstanceOf(UnknownTenantException.class);
            assertThat(sandbox.nodeOf(tenant)).isEqualTo(home);
            assertThat(placement.nodes()).containsEntry(tenant, new Citus.Placement(true, home));
        }
    }

    @Test
    void autoPicksLogicalReplicationOnlyWhereEveryNodeHasLogicalWal(CitusSandbox sandbox) throws SQLException {
        try (Connection connection = sandbox.connect()) {
            Citus citus = Citus.detect(connection, dev.tenantry.core.CitusMode.ON);
            boolean allLogical = sandbox.column("SELECT bool_and(success AND result = 'logical')::text"
                    + " FROM run_command_on_all_nodes('SHOW wal_level')").equals(List.of("true"));

            assertThat(citus.resolve(connection, Citus.TransferMode.AUTO, List.of()))
                    .isEqualTo(allLogical ? Citus.TransferMode.LOGICAL : Citus.TransferMode.BLOCK_WRITES);
            assertThat(citus.resolve(connection, Citus.TransferMode.BLOCK_WRITES, List.of())).isEqualTo(Citus.TransferMode.BLOCK_WRITES);
        }
    }

    /**
     * The tenant's application at work: writers create users (each email unique, remembered once committed),
     * readers count them and look one up, and one writer works in a neighbouring tenant that does not move.
     */
    private static final class Load {

        private final EntityManagerFactory emf;
        private final String tenant;
        private final String neighbour;
        private final ExecutorService threads = Executors.newFixedThreadPool(WRITERS + READERS + 1);
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong committed = new AtomicLong();
        private final AtomicLong reads = new AtomicLong();
        private final Set<String> emails = ConcurrentHashMap.newKeySet();
        private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        private final List<Future<?>> futures = new ArrayList<>();
        private final Object progress = new Object();

        Load(EntityManagerFactory emf, String tenant, String neighbour) {
            this.emf = emf;
            this.tenant = tenant;
            this.neighbour = neighbour;
        }

        void start() {
            for (int i = 0; i < WRITERS; i++) {
                futures.add(threads.submit(() -> loop(() -> {
                    String email = "load-" + UUID.randomUUID() + "@moved.example";
                    Tenants.in(tenant, () -> emf.runInTransaction(em -> new Users(em).create(email, "Load")));
                    emails.add(email);
                    committed.incrementAndGet();
                    synchronized (progress) {
                        progress.notifyAll();
                    }
                })));
            }
            for (int i = 0; i < READERS; i++) {
                futures.add(threads.submit(() -> loop(() -> {
                    Tenants.in(tenant, () -> emf.runInTransaction(em -> {
                        new Users(em).count();
                        new Users(em).findByEmail("seed1@moved.example").orElseThrow();
                    }));
                    reads.incrementAndGet();
                })));
            }
            futures.add(threads.submit(() -> loop(() -> Tenants.in(neighbour, () -> emf.runInTransaction(em ->
                    new Users(em).create("n-" + UUID.randomUUID() + "@neighbour.example", "Neighbour"))))));
        }

        private void loop(Runnable transaction) {
            while (running.get()) {
                try {
                    transaction.run();
                } catch (RuntimeException e) {
                    errors.add(e.toString());
                }
            }
        }

        /** Waits until {@code count} writes are committed in the moving tenant, at most a minute. */
        void awaitCommits(long count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            synchronized (progress) {
                while (committed.get() < count && errors.isEmpty()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("only " + committed.get() + " of " + count + " writes committed within a minute");
                    }
                    progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
        }

        void stop() throws Exception {
            running.set(false);
            for (Future<?> future : futures) {
                future.get(Duration.ofMinutes(1).toMillis(), TimeUnit.MILLISECONDS);
            }
            threads.shutdown();
        }
    }
}
