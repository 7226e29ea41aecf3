package dev.tenantry.bench;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.tenantry.core.Database;
import dev.tenantry.core.PoolLane;
import dev.tenantry.core.SchemaName;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManagerFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** Starts each strategy against a {@link Target}. */
final class Strategies {

    /** The tenants a connection serves before it retires, in {@link StrategyName#TENANTRY_BACKSTOP}. */
    static final int BACKSTOP_TENANTS = 500;

    private Strategies() {
    }

    static Strategy start(StrategyName name, Target target) {
        return switch (name) {
            case BASELINE -> {
                Database database = Database.open(target.config().build());
                yield jpa(name, false, () -> PlainHibernate.oneSchema(database.pool(), target.fixedSchema()), database);
            }
            case TENANTRY_PER_REQUEST -> tenantry(name, true, Tenantry.start(target.perRequestWithLanes().build()));
            case TENANTRY_UNROUTED -> tenantry(name, true, Tenantry.start(target.config().perRequest().poolLanes(1).build()));
            case TENANTRY_BACKSTOP -> tenantry(name, true,
                    Tenantry.start(target.perRequestWithLanes().tenantsPerConnection(BACKSTOP_TENANTS).build()));
            case TENANTRY_SPILL_AT_ONCE ->
                    tenantry(name, true, Tenantry.start(target.perRequestWithLanes().poolSpillAfter(Duration.ZERO).build()));
            case TENANTRY_TENANT_ROLES -> {
                TenantryPersistence roles = Tenantry.start(target.config().perRequest().tenantRoles(true).build());
                // The bench's tenants were provisioned without roles: migrating each one grants its role.
                target.tenants().forEach(roles.provisioning()::migrate);
                yield tenantry(name, true, roles);
            }
            case TENANTRY_PER_DEPLOYMENT ->
                    tenantry(name, false, Tenantry.start(target.config().perDeployment(target.fixedSchema()).build()));
            case HIBERNATE_SCHEMA_MAPPER -> {
                Database database = Database.open(target.config().build());
                yield jpa(name, true, () -> PlainHibernate.schemaMapper(database.pool(), tenant -> tenant), database);
            }
            case SEARCH_PATH_PROVIDER -> {
                Database database = Database.open(target.config().build());
                yield jpa(name, true, () -> PlainHibernate.multiTenant(new SearchPathConnectionProvider(database.pool())),
                        database);
            }
            case POOL_PER_TENANT -> {
                PGSimpleDataSource any = new PGSimpleDataSource();
                any.setURL(target.jdbcUrl());
                if (target.user() != null) {
                    any.setUser(target.user());
                }
                if (target.password() != null) {
                    any.setPassword(target.password());
                }
                PoolPerTenantConnectionProvider provider = new PoolPerTenantConnectionProvider(
                        tenant -> Database.open(target.config(tenant).build()).lanePools().get(0), any);
                yield new JpaStrategy(name, true, build(() -> PlainHibernate.multiTenant(provider), provider),
                        provider::openConnections, provider::poolList, provider) {
                    @Override
                    public String describe() {
                        return provider.pools() + " tenant pools open, holding " + provider.openConnections() + " connections";
                    }
                };
            }
            case RAW_JDBC, RAW_JDBC_ONE_SCHEMA -> new RawJdbcStrategy(name, target);
        };
    }

    /** Connections open in one HikariCP pool. */
    static int connections(DataSource pool) {
        if (pool instanceof HikariDataSource hikari) {
            HikariPoolMXBean bean = hikari.getHikariPoolMXBean();
            return bean == null ? 0 : bean.getTotalConnections();
        }
        return 0;
    }

    private interface FactorySupplier {
        EntityManagerFactory get();
    }

    private static EntityManagerFactory build(FactorySupplier factory, AutoCloseable onFailure) {
        try {
            return factory.get();
        } catch (RuntimeException e) {
            closeQuietly(onFailure);
            throw e;
        }
    }

    private static Strategy jpa(StrategyName name, boolean scoped, FactorySupplier factory, Database database) {
        List<DataSource> pools = pools(database);
        return new JpaStrategy(name, scoped, build(factory, database), () -> connections(pools), () -> pools, database);
    }

    /**
     * The HikariCP pools behind a {@code Database}, one per lane: {@code Database.pool()} itself is no HikariCP pool,
     * so its connections are counted and read through these.
     */
    static List<DataSource> pools(Database database) {
        return List.copyOf(database.lanePools());
    }

    /** Connections open in {@code pools}, summed. */
    static int connections(List<DataSource> pools) {
        return pools.stream().mapToInt(Strategies::connections).sum();
    }

    private static Strategy tenantry(StrategyName name, boolean scoped, TenantryPersistence persistence) {
        // One HikariCP pool per lane: each lane's connections are counted and read.
        List<DataSource> pools = pools(persistence.database());
        return new JpaStrategy(name, scoped, persistence.entityManagerFactory(), () -> connections(pools), () -> pools,
                persistence) {
            @Override
            public String describe() {
                return lanes(persistence.database().lanes());
            }
        };
    }

    /** The pool's lanes in one line: their sizes, and what their borrows did since the pool opened. */
    static String lanes(List<PoolLane> lanes) {
        long spillOvers = lanes.stream().mapToLong(PoolLane::spillOvers).sum();
        long waits = lanes.stream().mapToLong(PoolLane::waits).sum();
        long retired = lanes.stream().mapToLong(PoolLane::retired).sum();
        return lanes.size() + (lanes.size() == 1 ? " lane of " : " lanes of ")
                + lanes.stream().map(lane -> Integer.toString(lane.maxConnections())).distinct()
                        .collect(Collectors.joining(" or ")) + " connections; "
                + String.format(Locale.ROOT, "%,d spill-overs, %,d waits on a busy pool, %,d connections retired",
                        spillOvers, waits, retired)
                + preparing(lanes);
    }

    /** Which lanes prepare statements on the server now, and the tenants each served lately; empty if not decided. */
    private static String preparing(List<PoolLane> lanes) {
        if (lanes.stream().allMatch(lane -> lane.recentTenants() < 0)) {
            return "";
        }
        long preparing = lanes.stream().filter(PoolLane::preparesStatements).count();
        return "; " + preparing + " of " + lanes.size() + (lanes.size() == 1 ? " lane" : " lanes")
                + " preparing statements (recent tenants per lane: " + lanes.stream()
                        .map(lane -> lane.recentTenants() < 0 ? "?" : String.format(Locale.ROOT, "%,d", lane.recentTenants()))
                        .collect(Collectors.joining(", ")) + ")";
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing after a failure: the failure is what matters
        }
    }

    /** Every strategy built on JPA: the same two requests, inside a tenant scope when the strategy switches tenants. */
    private static class JpaStrategy implements Strategy {

        private final StrategyName name;
        private final boolean scoped;
        private final EntityManagerFactory emf;
        private final IntSupplier connections;
        private final Supplier<List<DataSource>> pools;
        private final AutoCloseable resources;

        JpaStrategy(StrategyName name, boolean scoped, EntityManagerFactory emf, IntSupplier connections,
                    Supplier<List<DataSource>> pools, AutoCloseable resources) {
            this.name = name;
            this.scoped = scoped;
            this.emf = emf;
            this.connections = connections;
            this.pools = pools;
            this.resources = resources;
        }

        @Override
        public List<DataSource> pools() {
            return pools.get();
        }

        @Override
        public StrategyName name() {
            return name;
        }

        @Override
        public void read(Visitor visitor) {
            if (scoped) {
                Tenants.in(visitor.tenant(), () -> Requests.read(emf, visitor.userId()));
            } else {
                Requests.read(emf, visitor.userId());
            }
        }

        @Override
        public void web(Visitor visitor) {
            if (scoped) {
                Tenants.in(visitor.tenant(), () -> Requests.web(emf, visitor.email(), visitor.token()));
            } else {
                Requests.web(emf, visitor.email(), visitor.token());
            }
        }

        @Override
        public int poolConnections() {
            return connections.getAsInt();
        }

        @Override
        public void close() {
            try {
                if (emf.isOpen()) {
                    emf.close();
                }
            } finally {
                closeQuietly(resources);
            }
        }

        @Override
        public String toString() {
            return name.key();
        }
    }

    /**
     * The floor: HikariCP and hand-written JDBC, schema-qualified SQL prepared per tenant, the same
     * statements and the same transaction as the JPA requests, nothing else. As {@code raw-jdbc-one-schema},
     * the same code over the baseline's one schema, with the baseline's pool settings.
     */
    private static final class RawJdbcStrategy implements Strategy {

        private record Sql(String read, String userByEmail, String sessionByToken, String touch) {
            static Sql of(String schema) {
                return new Sql(
                        "select id, email, display_name, created_at, updated_at, version from " + schema
                                + ".users where id = ?",
                        "select id, email, display_name, created_at, updated_at, version from " + schema
                                + ".users where lower(email) = ?",
                        "select id, token_hash, user_id, created_at, last_seen_at, expires_at, payload, version from "
                                + schema + ".anon_sessions where token_hash = ?",
                        "update " + schema + ".anon_sessions set last_seen_at = ?, expires_at = ?, version = ?"
                                + " where id = ? and version = ?");
            }
        }

        /** What the JPA requests materialise, so that both read the same columns into objects. */
        private record UserRow(UUID id, String email, String displayName, OffsetDateTime createdAt,
                               OffsetDateTime updatedAt, long version) {
        }

        private final StrategyName name;
        private final Database database;
        private final Map<String, Sql> sql = new HashMap<>();
        /** With one schema, the statements of every request; otherwise {@code null}, and {@link #sql} per tenant. */
        private final Sql shared;

        RawJdbcStrategy(StrategyName name, Target target) {
            this.name = name;
            if (name == StrategyName.RAW_JDBC_ONE_SCHEMA) {
                // The baseline's settings and schema: a few texts, which pgjdbc's default cache holds.
                this.database = Database.open(target.config().build());
                this.shared = Sql.of(SchemaName.of(target.fixedSchema()).quoted());
            } else {
                // Per-request settings: the same statement cache as Tenantry's per-request mode, since this floor
                // too has a text per tenant.
                this.database = Database.open(target.config().perRequest().build());
                this.shared = null;
                for (String tenant : target.tenants()) {
                    sql.put(tenant, Sql.of(SchemaName.ofTenant(tenant).quoted()));
                }
            }
        }

        private Sql statements(Visitor visitor) {
            return shared != null ? shared : sql.get(visitor.tenant());
        }

        @Override
        public StrategyName name() {
            return name;
        }

        @Override
        public void read(Visitor visitor) throws SQLException {
            Sql statements = statements(visitor);
            try (Connection connection = database.pool().getConnection()) {
                connection.setAutoCommit(false);
                try {
                    try (PreparedStatement statement = connection.prepareStatement(statements.read())) {
                        statement.setObject(1, visitor.userId());
                        requireUser(statement, visitor);
                    }
                    connection.commit();
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
            }
        }

        @Override
        public void web(Visitor visitor) throws Exception {
            Sql statements = statements(visitor);
            try (Connection connection = database.pool().getConnection()) {
                connection.setAutoCommit(false);
                try {
                    try (PreparedStatement statement = connection.prepareStatement(statements.userByEmail())) {
                        statement.setString(1, visitor.email().strip().toLowerCase(Locale.ROOT));
                        requireUser(statement, visitor);
                    }
                    UUID sessionId;
                    long version;
                    Instant now = Instant.now();
                    try (PreparedStatement statement = connection.prepareStatement(statements.sessionByToken())) {
                        statement.setBytes(1, MessageDigest.getInstance("SHA-256")
                                .digest(visitor.token().getBytes(StandardCharsets.UTF_8)));
                        try (ResultSet rows = statement.executeQuery()) {
                            if (!rows.next()) {
                                throw new IllegalStateException("No session for " + visitor.email() + "'s token");
                            }
                            sessionId = rows.getObject(1, UUID.class);
                            rows.getBytes(2);
                            rows.getObject(3, UUID.class);
                            rows.getObject(4, OffsetDateTime.class);
                            rows.getObject(5, OffsetDateTime.class);
                            OffsetDateTime expiresAt = rows.getObject(6, OffsetDateTime.class);
                            rows.getString(7);
                            version = rows.getLong(8);
                            if (!now.isBefore(expiresAt.toInstant())) {
                                throw new IllegalStateException("The session of " + visitor.email() + " expired");
                            }
                        }
                    }
                    try (PreparedStatement statement = connection.prepareStatement(statements.touch())) {
                        statement.setObject(1, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                        statement.setObject(2, OffsetDateTime.ofInstant(now.plus(Requests.SESSION_TTL), ZoneOffset.UTC));
                        statement.setLong(3, version + 1);
                        statement.setObject(4, sessionId);
                        statement.setLong(5, version);
                        if (statement.executeUpdate() != 1) {
                            throw new IllegalStateException("The session of " + visitor.email() + " changed concurrently");
                        }
                    }
                    connection.commit();
                } catch (Exception e) {
                    connection.rollback();
                    throw e;
                }
            }
        }

        private static UserRow requireUser(PreparedStatement statement, Visitor visitor) throws SQLException {
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new IllegalStateException("No user " + visitor.email() + " in " + visitor.tenant());
                }
                return new UserRow(rows.getObject(1, UUID.class), rows.getString(2), rows.getString(3),
                        rows.getObject(4, OffsetDateTime.class), rows.getObject(5, OffsetDateTime.class), rows.getLong(6));
            }
        }

        @Override
        public int poolConnections() {
            return connections(Strategies.pools(database));
        }

        @Override
        public List<DataSource> pools() {
            return Strategies.pools(database);
        }

        @Override
        public void close() {
            database.close();
        }

        @Override
        public String toString() {
            return name().key();
        }
    }
}
