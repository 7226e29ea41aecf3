package dev.tenantry.bench;

import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.tenancy.TenantryPersistence;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The tenants every strategy works on, provisioned once through Tenantry's own provisioning (a copy of the
 * migrated template schema, registry; the one schema by replaying the migrations) and seeded with users and one
 * anonymous session per user. Everything is deterministic, so a second run against the same {@code DATABASE_URL}
 * reuses what the first created.
 */
final class BenchData {

    /** The bench's tenant registry lives here, apart from any application's. */
    static final String SHARED_SCHEMA = "tenantry_bench";
    /** Every schema the bench measures in starts with this: the tenants' and the baseline's single schema. */
    static final String SCHEMA_PREFIX = "bench_";

    private final BenchServer server;
    private final int usersPerTenant;
    private final int provisioningThreads;
    private final List<String> singleSchemas = new ArrayList<>();
    private int provisioned;
    private long provisioningNanos;

    BenchData(BenchServer server, int usersPerTenant, int provisioningThreads) {
        this.server = server;
        this.usersPerTenant = usersPerTenant;
        this.provisioningThreads = provisioningThreads;
    }

    static String tenantId(int index) {
        return String.format(SCHEMA_PREFIX + "%04d", index);
    }

    /**
     * The one schema of the strategies without tenants (baseline, per-deployment) at {@code tenants} tenants:
     * it holds the rows of all those tenants, so that those strategies serve the same users and sessions from
     * one schema that the others serve from many, and the comparison measures the tenancy, not the data volume.
     */
    static String singleSchema(int tenants) {
        return String.format(SCHEMA_PREFIX + "all_%04d", tenants);
    }

    static List<String> tenantIds(int count) {
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(tenantId(i));
        }
        return ids;
    }

    /** How many tenants this run has provisioned and seeded so far. */
    int provisioned() {
        return provisioned;
    }

    /** Wall time spent provisioning and seeding so far. */
    double provisioningSeconds() {
        return provisioningNanos / 1e9;
    }

    /**
     * Provisions and seeds the first {@code tenants} tenants, those not done yet in this run, and the one
     * schema that holds the rows of all of them ({@link #singleSchema(int)}).
     */
    void ensure(int tenants) throws Exception {
        if (tenants <= provisioned) {
            return;
        }
        long start = System.nanoTime();
        TenantryConfig.Builder config = TenantryConfig.builder()
                .databaseUrl(server.directJdbcUrl())
                .perRequest()
                .sharedSchema(SHARED_SCHEMA)
                .poolMaxSize(provisioningThreads)
                .poolMinIdle(0)
                .applicationName("tenantry-bench-setup");
        if (server.user() != null) {
            config.user(server.user());
        }
        if (server.password() != null) {
            config.password(server.password());
        }
        ExecutorService workers = Executors.newFixedThreadPool(provisioningThreads);
        try (TenantryPersistence tenantry = Tenantry.start(config.build())) {
            List<Future<?>> jobs = new ArrayList<>();
            for (int i = provisioned; i < tenants; i++) {
                String tenant = tenantId(i);
                jobs.add(workers.submit(() -> {
                    // A copy of the template: a few statements in one transaction, so 10,000 tenants take minutes.
                    tenantry.provisioning().provisionFromTemplate(tenant);
                    seed(tenantry, tenant, tenant);
                    return null;
                }));
            }
            for (Future<?> job : jobs) {
                job.get();
            }
            String single = singleSchema(tenants);
            tenantry.provisioning().provision(single);
            for (int i = 0; i < tenants; i++) {
                seed(tenantry, single, tenantId(i));
            }
            singleSchemas.add(single);
        } finally {
            workers.shutdownNow();
        }
        provisioned = tenants;
        provisioningNanos += System.nanoTime() - start;
    }

    /** The visitors of the first {@code tenants} tenants, by tenant. */
    List<List<Visitor>> visitors(int tenants) {
        List<List<Visitor>> byTenant = new ArrayList<>(tenants);
        for (int t = 0; t < tenants; t++) {
            String tenant = tenantId(t);
            List<Visitor> visitors = new ArrayList<>(usersPerTenant);
            for (int u = 0; u < usersPerTenant; u++) {
                visitors.add(visitor(tenant, u));
            }
            byTenant.add(List.copyOf(visitors));
        }
        return List.copyOf(byTenant);
    }

    static Visitor visitor(String tenant, int index) {
        UUID userId = UUID.nameUUIDFromBytes(("tenantry-bench user " + tenant + " " + index).getBytes(StandardCharsets.UTF_8));
        String token = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(sha256("tenantry-bench token " + tenant + " " + index));
        return new Visitor(tenant, index, userId, "user" + index + "@" + tenant + ".example", token);
    }

    /** Seeds {@code tenant}'s users and sessions into the schema of tenant {@code into}. */
    private void seed(TenantryPersistence tenantry, String into, String tenant) throws SQLException {
        String schema = SchemaName.ofTenant(into).quoted();
        try (Connection connection = tenantry.database().pool().getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement users = connection.prepareStatement("INSERT INTO " + schema
                    + ".users (id, email, display_name) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING");
                 PreparedStatement sessions = connection.prepareStatement("INSERT INTO " + schema
                    + ".anon_sessions (id, token_hash, expires_at) VALUES (?, ?, now() + interval '3650 days')"
                    + " ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at")) {
                for (int u = 0; u < usersPerTenant; u++) {
                    Visitor visitor = visitor(tenant, u);
                    users.setObject(1, visitor.userId());
                    users.setString(2, visitor.email());
                    users.setString(3, "User " + u + " of " + tenant);
                    users.addBatch();
                    sessions.setObject(1, UUID.nameUUIDFromBytes(("tenantry-bench session " + tenant + " " + u)
                            .getBytes(StandardCharsets.UTF_8)));
                    // What AnonSessions stores: the SHA-256 of the token, never the token.
                    sessions.setBytes(2, sha256(visitor.token()));
                    sessions.addBatch();
                }
                users.executeBatch();
                sessions.executeBatch();
            }
            connection.commit();
        }
    }

    /** Drops every schema this bench created in the server, and its registry; used with {@code DATABASE_URL}. */
    void dropAll(int tenants) throws SQLException {
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            for (int i = 0; i < tenants; i++) {
                statement.execute("DROP SCHEMA IF EXISTS " + SchemaName.ofTenant(tenantId(i)).quoted() + " CASCADE");
            }
            for (String single : singleSchemas) {
                statement.execute("DROP SCHEMA IF EXISTS " + SchemaName.ofTenant(single).quoted() + " CASCADE");
            }
            statement.execute("DROP SCHEMA IF EXISTS " + SchemaName.of(SHARED_SCHEMA).quoted() + " CASCADE");
        }
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
