package dev.tenantry.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.app.AppModel;
import dev.tenantry.it.support.IsolationSoak;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.hibernate.TenantSchema;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The isolation soak straight against PostgreSQL: many threads over a pool smaller than the number of
 * threads, so every connection serves many tenants in turn. Every write also writes a note, an entity that names
 * no schema, while {@code public} holds the same tables from a single-schema run. Sized by {@code -Dsoak.transactions}
 * (default 5,000; the {@code reliability} profile runs 100,000).
 */
@WithPostgres
class IsolationSoakTest {

    static final int TRANSACTIONS = IsolationSoak.size("soak.transactions", 5_000);
    static final int THREADS = IsolationSoak.size("soak.threads", 8);
    static final int TENANTS = IsolationSoak.size("soak.tenants", 16);

    @Test
    void manyThreadsAndTenantsOverOneSmallPoolNeverCrossTenantsAndLoseNothing(TestDatabase db) throws Exception {
        List<String> tenants = IsolationSoak.tenants("soak_", TENANTS);
        AppModel.leaveSingleSchemaRunInPublic(db);
        List<String> publicBefore = AppModel.rowsIn(db, "public");
        try (TenantryPersistence tenantry = Tenantry.builder(db.config().perRequest().poolMaxSize(4).build())
                .managedClasses(AppModel.ENTITIES).migrations(AppModel.MIGRATIONS).start()) {
            tenants.forEach(tenantry.provisioning()::provision);

            IsolationSoak.Result result = IsolationSoak.run(
                    new IsolationSoak.Settings("tenantry, direct, pool 4, users and notes", TRANSACTIONS, THREADS, tenants, 42,
                            TenantSchema.PLACEHOLDER + ".users", true),
                    tenantry.entityManagerFactory(), db::connect);
            System.out.println(result.summary());

            result.assertIsolatedAndComplete();
            assertThat(db.tables()).doesNotContain("public.users");
            assertThat(AppModel.rowsIn(db, "public")).as("public's notes, left by a single-schema run").isEqualTo(publicBefore);
        }
    }

    /**
     * The same soak with the pool in two lanes of two connections, so about 8 tenants share each lane's connections,
     * threads spill over to the other lane, and connections that have served 12 tenants (their lane's and spilled-over
     * ones) are retired under the load.
     */
    @Test
    void tenantsSharingALaneAndConnectionsRetiredUnderLoadNeverCrossTenantsAndLoseNothing(TestDatabase db) throws Exception {
        List<String> tenants = IsolationSoak.tenants("lanes_", TENANTS);
        try (TenantryPersistence tenantry = Tenantry.builder(db.config().perRequest().poolMaxSize(4).poolLanes(2)
                        .tenantsPerConnection(12).build())
                .managedClasses(AppModel.ENTITIES).migrations(AppModel.MIGRATIONS).start()) {
            tenants.forEach(tenantry.provisioning()::provision);

            IsolationSoak.Result result = IsolationSoak.run(
                    new IsolationSoak.Settings("tenantry, direct, pool 4 in 2 lanes, 12 tenants per connection", TRANSACTIONS,
                            THREADS, tenants, 43, TenantSchema.PLACEHOLDER + ".users", true),
                    tenantry.entityManagerFactory(), db::connect);
            System.out.println(result.summary());
            tenantry.database().lanes().forEach(lane -> System.out.println("[soak] " + lane));

            result.assertIsolatedAndComplete();
            assertThat(tenantry.database().lanes()).as("connections retired at their thirteenth tenant")
                    .anySatisfy(lane -> assertThat(lane.retired()).isPositive())
                    .allSatisfy(lane -> assertThat(lane.tenantsPerConnection()).isLessThanOrEqualTo(12));
        }
    }
}
