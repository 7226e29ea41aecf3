package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tenantry.core.Database;
import dev.tenantry.core.PoolLane;
import dev.tenantry.core.Pooler;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Per request, each tenant's work goes to its lane's connections, waits for them a bounded time, spills over to idle
 * connections of other lanes after that (or at once when its lane's queue is long), and retires connections.
 */
@WithPostgres
class PoolLanesTest {

    private static int backendPid(EntityManagerFactory emf, String tenant) {
        return Tenants.in(tenant, () -> emf.callInTransaction(em ->
                ((Number) em.createNativeQuery("select pg_backend_pid()").getSingleResult()).intValue()));
    }

    private static int backendPid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("select pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** The first tenants, by id {@code prefix + i}, that hash to {@code lane}. */
    private static List<String> tenantsOfLane(Database database, String prefix, int lane, int count) {
        return IntStream.range(0, 10_000).mapToObj(i -> prefix + i).filter(t -> database.laneOf(t) == lane)
                .limit(count).toList();
    }

    @Test
    void aTenantsWorkRunsOnTheBackendsOfItsLaneOnly(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().poolMaxSize(8).poolMinIdle(0).build())) {
            Database database = tenantry.database();
            assertThat(database.lanes()).as("pool 8: two lanes of four").extracting(PoolLane::maxConnections)
                    .containsExactly(4, 4);
            List<List<String>> lanes = List.of(tenantsOfLane(database, "lane_", 0, 4), tenantsOfLane(database, "lane_", 1, 4));
            lanes.forEach(tenants -> tenants.forEach(tenantry.provisioning()::provision));

            List<Set<Integer>> pidsOfLane = new ArrayList<>();
            for (List<String> tenants : lanes) {
                Set<Integer> pids = new HashSet<>();
                for (int round = 0; round < 5; round++) {
                    tenants.forEach(tenant -> pids.add(backendPid(tenantry.entityManagerFactory(), tenant)));
                }
                pidsOfLane.add(pids);
            }

            assertThat(pidsOfLane.get(0)).as("backends serving lane 0's tenants").isNotEmpty()
                    .doesNotContainAnyElementsOf(pidsOfLane.get(1));
            assertThat(pidsOfLane.get(1)).isNotEmpty();
            assertThat(database.lanes()).extracting(PoolLane::spillOvers).containsOnly(0L);
            assertThat(database.lanes()).extracting(PoolLane::poolName).containsExactly("tenantry-lane-0", "tenantry-lane-1");
        }
    }

    @Test
    void withSpillAfterZeroABusyLaneSpillsOverAtOnceAndWaitsOnlyWhenEveryLaneIsBusy(TestDatabase db) throws Exception {
        try (TenantryPersistence tenantry = twoLanesOfTwo(db, Duration.ZERO, Duration.ofMillis(500))) {
            Database database = tenantry.database();
            EntityManagerFactory emf = tenantry.entityManagerFactory();
            String busy = tenantsOfLane(database, "busy_", 0, 1).get(0);
            String other = tenantsOfLane(database, "other_", 1, 1).get(0);
            tenantry.provisioning().provision(busy);
            tenantry.provisioning().provision(other);
            // Lane 1 opens its two connections and leaves them idle.
            Set<Integer> laneOne = new HashSet<>();
            try (Connection first = database.connectionFor(other); Connection second = database.connectionFor(other)) {
                laneOne.add(backendPid(first));
                laneOne.add(backendPid(second));
            }
            assertThat(laneOne).hasSize(2);

            try (Connection first = database.connectionFor(busy); Connection second = database.connectionFor(busy)) {
                assertThat(laneOne).doesNotContain(backendPid(first), backendPid(second));

                // Lane 0 is full; with a 500ms acquire timeout and both held, only a spill-over can serve this.
                int spilled = backendPid(emf, busy);

                assertThat(laneOne).as("served by an idle backend of lane 1").contains(spilled);
                assertThat(database.lanes().get(0).spillOvers()).isEqualTo(1);
                assertThat(database.lanes().get(0).waits()).isZero();

                try (Connection third = database.connectionFor(other); Connection fourth = database.connectionFor(other)) {
                    Throwable timedOut = catchThrowable(() -> backendPid(emf, busy));

                    assertThat(timedOut).as("every lane busy: the work waits on its own lane, and times out")
                            .isInstanceOf(PersistenceException.class);
                    assertThat(rootCause(timedOut)).isInstanceOf(SQLTransientConnectionException.class)
                            .hasMessageContaining(busy).hasMessageContaining("tenantry-lane-0");
                    assertThat(database.lanes().get(0).waits()).isEqualTo(1);
                }
            }
        }
    }

    /** Per request, a pool of 4 in two lanes of two connections, opened as work needs them. */
    private static TenantryPersistence twoLanesOfTwo(TestDatabase db, Duration spillAfter, Duration acquireTimeout) {
        return Tenantry.start(db.config().perRequest().poolMaxSize(4).poolLanes(2).poolMinIdle(0)
                .poolSpillAfter(spillAfter).acquireTimeout(acquireTimeout).build());
    }

    /** Lane 1's two connections are open and idle; their backends are returned. */
    private static Set<Integer> twoLanesWithLaneOneIdle(Database database) throws SQLException {
        Set<Integer> laneOne = new HashSet<>();
        String other = tenantsOfLane(database, "idle_", 1, 1).get(0);
        try (Connection first = database.connectionFor(other); Connection second = database.connectionFor(other)) {
            laneOne.add(backendPid(first));
            laneOne.add(backendPid(second));
        }
        assertThat(laneOne).hasSize(2);
        return laneOne;
    }

    /** The backend of a connection borrowed for {@code tenant} on a thread of its own, once it has one. */
    private static CompletableFuture<Integer> borrowInBackground(Database database, String tenant) {
        CompletableFuture<Integer> pid = new CompletableFuture<>();
        Thread borrower = new Thread(() -> {
            try (Connection connection = database.connectionFor(tenant)) {
                pid.complete(backendPid(connection));
            } catch (Throwable e) {
                pid.completeExceptionally(e);
            }
        }, "borrower-" + tenant);
        borrower.setDaemon(true);
        borrower.start();
        return pid;
    }

    private static void awaitThreadsWaitingOnLane(Database database, int lane, int threads) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (database.lanes().get(lane).threadsWaiting() < threads) {
            assertThat(System.nanoTime()).as("%d threads waiting on lane %d", threads, lane).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void aFullLaneKeepsItsWorkWhenOneOfItsConnectionsComesBackWithinSpillAfter(TestDatabase db) throws Exception {
        try (TenantryPersistence tenantry = twoLanesOfTwo(db, Duration.ofSeconds(10), Duration.ofSeconds(20))) {
            Database database = tenantry.database();
            String busy = tenantsOfLane(database, "busy_", 0, 1).get(0);
            Set<Integer> laneOne = twoLanesWithLaneOneIdle(database);
            Connection first = database.connectionFor(busy);
            int returned = backendPid(first);
            try (Connection second = database.connectionFor(busy)) {
                CompletableFuture<Integer> waiting = borrowInBackground(database, busy);
                awaitThreadsWaitingOnLane(database, 0, 1);
                first.close();

                assertThat(waiting.get(10, TimeUnit.SECONDS)).as("the connection its own lane got back")
                        .isEqualTo(returned).isNotIn(laneOne);
            }
            assertThat(database.lanes().get(0).waits()).isEqualTo(1);
            assertThat(database.lanes().get(0).spillOvers()).as("lane 1 stayed idle, and unused").isZero();
        }
    }

    @Test
    void workHoldingAllOfItsLaneSpillsOverAfterSpillAfterInsteadOfTimingOut(TestDatabase db) throws Exception {
        try (TenantryPersistence tenantry = twoLanesOfTwo(db, Duration.ofMillis(200), Duration.ofSeconds(20))) {
            Database database = tenantry.database();
            String busy = tenantsOfLane(database, "busy_", 0, 1).get(0);
            tenantry.provisioning().provision(busy);
            Set<Integer> laneOne = twoLanesWithLaneOneIdle(database);
            // The thread itself holds its lane's two connections, as nested transactions would: waiting for one of
            // them to come back would wait for the acquire timeout.
            try (Connection first = database.connectionFor(busy); Connection second = database.connectionFor(busy)) {
                long started = System.nanoTime();
                int spilled = backendPid(tenantry.entityManagerFactory(), busy);
                Duration took = Duration.ofNanos(System.nanoTime() - started);

                assertThat(laneOne).as("served by an idle backend of lane 1").contains(spilled);
                assertThat(took).as("after spill-after, long before the acquire timeout")
                        .isGreaterThanOrEqualTo(Duration.ofMillis(190)).isLessThan(Duration.ofSeconds(10));
            }
            assertThat(database.lanes().get(0).waits()).isEqualTo(1);
            assertThat(database.lanes().get(0).spillOvers()).isEqualTo(1);
        }
    }

    @Test
    void aLaneWhoseQueueIsAsLongAsItIsWideSpillsOverAtOnce(TestDatabase db) throws Exception {
        try (TenantryPersistence tenantry = twoLanesOfTwo(db, Duration.ofSeconds(30), Duration.ofSeconds(60))) {
            Database database = tenantry.database();
            List<String> busy = tenantsOfLane(database, "busy_", 0, 3);
            Set<Integer> laneOne = twoLanesWithLaneOneIdle(database);
            List<CompletableFuture<Integer>> queued = new ArrayList<>();
            try (Connection first = database.connectionFor(busy.get(0)); Connection second = database.connectionFor(busy.get(0))) {
                for (int i = 0; i < 2; i++) {
                    String tenant = busy.get(i);
                    queued.add(borrowInBackground(database, tenant));
                }
                awaitThreadsWaitingOnLane(database, 0, 2);

                try (Connection third = database.connectionFor(busy.get(2))) {
                    assertThat(laneOne).as("two queued on a lane of two: the third takes lane 1's idle one at once")
                            .contains(backendPid(third));
                }
                assertThat(queued).as("the queued ones still wait for their own lane").noneMatch(CompletableFuture::isDone);
            }
            for (CompletableFuture<Integer> borrow : queued) {
                assertThat(borrow.get(10, TimeUnit.SECONDS)).as("served by their own lane").isNotIn(laneOne);
            }
            assertThat(database.lanes().get(0).waits()).isEqualTo(2);
            assertThat(database.lanes().get(0).spillOvers()).isEqualTo(1);
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof SQLTransientConnectionException)) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Runs one text six times on {@code connection}; whether pgjdbc then prepared it on the server under a name. */
    private static boolean preparedAfterSixRuns(Connection connection, String marker) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select ?::int as lane_probe_" + marker)) {
            for (int run = 0; run < 6; run++) {
                statement.setInt(1, run);
                statement.executeQuery().close();
            }
        }
        // The marker is split so that this text does not contain it.
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(
                "select count(*) from pg_prepared_statements where strpos(statement, 'lane_probe_' || '" + marker + "') > 0")) {
            rows.next();
            return rows.getInt(1) > 0;
        }
    }

    /** Borrows and returns a connection {@code borrows} times, for tenants {@code prefix + (i mod tenants)}. */
    private static void borrow(Database database, String prefix, int tenants, int borrows) throws SQLException {
        for (int i = 0; i < borrows; i++) {
            database.connectionFor(prefix + i % tenants).close();
        }
    }

    @Test
    void aLaneWhoseRecentTenantsOutgrowItsStatementCacheStopsPreparingAndPreparesAgainWhenFewAreActive(TestDatabase db)
            throws Exception {
        // A cache of 40 statements holds 10 tenants' worth, at 4 a tenant; the lane counts every 80 borrows.
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().poolMaxSize(1).poolMinIdle(0)
                .statementCache(40).build())) {
            Database database = tenantry.database();
            assertThat(database.lanes().get(0).preparesStatements()).isTrue();
            assertThat(database.lanes().get(0).recentTenants()).as("nothing counted yet").isEqualTo(-1);

            borrow(database, "many_", 40, 80);

            assertThat(database.lanes().get(0).preparesStatements()).as("40 tenants against 10").isFalse();
            assertThat(database.lanes().get(0).recentTenants()).isBetween(30, 60);
            try (Connection connection = database.connectionFor("many_0")) {
                assertThat(preparedAfterSixRuns(connection, "many")).as("not prepared on the server").isFalse();
            }

            borrow(database, "few_", 3, 80);

            assertThat(database.lanes().get(0).preparesStatements()).as("4 tenants in the last window").isTrue();
            try (Connection connection = database.connectionFor("few_0")) {
                assertThat(preparedAfterSixRuns(connection, "few")).as("prepared at the fifth run again").isTrue();
            }
        }
    }

    @Test
    void aThresholdOfZeroSetForAPoolerIsNeverRaisedWhateverTheLaneCounts(TestDatabase db) throws Exception {
        db.setRoleSearchPath("''"); // what a transaction pooler needs (checked at connect); per request changes nothing
        try (Database database = Database.open(db.config().perRequest().adminDatabaseUrl(db.jdbcUrl()).poolMaxSize(1)
                .poolMinIdle(0).statementCache(40).pooler(Pooler.TRANSACTION).build())) {
            borrow(database, "few_", 2, 80);

            assertThat(database.lanes().get(0).preparesStatements()).isTrue();
            try (Connection connection = database.connectionFor("few_0")) {
                assertThat(preparedAfterSixRuns(connection, "zero")).as("unnamed statements only").isFalse();
            }
        }
    }

    @Test
    void aPrepareThresholdInTheUrlIsLeftAlone(TestDatabase db) throws Exception {
        String url = db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "prepareThreshold=5";
        try (Database database = Database.open(db.config().perRequest().databaseUrl(url).poolMaxSize(1).poolMinIdle(0)
                .statementCache(40).build())) {
            borrow(database, "many_", 40, 80);

            assertThat(database.lanes().get(0).recentTenants()).as("not counted").isEqualTo(-1);
            try (Connection connection = database.connectionFor("many_0")) {
                assertThat(preparedAfterSixRuns(connection, "url")).as("prepared at the fifth run, as set").isTrue();
            }
        }
    }

    @Test
    void aConnectionIsRetiredBeforeItServesOneTenantMoreThanTheBound(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().poolMaxSize(1)
                .tenantsPerConnection(2).build())) {
            EntityManagerFactory emf = tenantry.entityManagerFactory();
            List.of("bound_a", "bound_b", "bound_c").forEach(tenantry.provisioning()::provision);

            int a = backendPid(emf, "bound_a");
            int b = backendPid(emf, "bound_b");
            int aAgain = backendPid(emf, "bound_a");
            assertThat(List.of(b, aAgain)).as("two tenants on one connection").containsOnly(a);
            assertThat(tenantry.database().lanes().get(0).tenantsPerConnection()).isEqualTo(2);

            int c = backendPid(emf, "bound_c");

            assertThat(c).as("a third tenant gets a fresh backend").isNotEqualTo(a);
            assertThat(tenantry.database().lanes().get(0).retired()).isEqualTo(1);
            assertThat(tenantry.database().lanes().get(0).tenantsPerConnection()).isEqualTo(1);
            assertThat(tenantry.database().lanes().get(0).connections()).isEqualTo(1);
            assertThat(db.column("select count(*) from pg_stat_activity where pid = " + a)).as("the old backend is gone")
                    .containsExactly("0");
        }
    }

    @Test
    void perDeploymentAndWithOneLaneThePoolIsOneHikariPool(TestDatabase db) throws Exception {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().poolMaxSize(10).poolLanes(1).build())) {
            assertThat(tenantry.database().lanes()).singleElement().extracting(PoolLane::poolName).isEqualTo("tenantry");
            assertThat(tenantry.database().pool().isWrapperFor(com.zaxxer.hikari.HikariDataSource.class)).isTrue();
        }
    }
}
