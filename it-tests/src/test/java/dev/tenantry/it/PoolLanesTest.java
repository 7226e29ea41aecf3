package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tenantry.core.Database;
import dev.tenantry.core.PoolLane;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Per request, each tenant's work goes to its lane's connections, spills over rather than waits, and retires connections. */
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
    void aBusyLaneSpillsOverToAnIdleOneInsteadOfWaitingAndWaitsOnlyWhenEveryLaneIsBusy(TestDatabase db) throws Exception {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().poolMaxSize(4).poolLanes(2).poolMinIdle(0)
                .acquireTimeout(Duration.ofMillis(500)).build())) {
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

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof SQLTransientConnectionException)) {
            cause = cause.getCause();
        }
        return cause;
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
