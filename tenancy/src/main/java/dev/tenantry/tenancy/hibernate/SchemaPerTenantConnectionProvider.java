package dev.tenantry.tenancy.hibernate;

import dev.tenantry.core.NoTenantInScopeException;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.core.internal.PoolLanes;
import dev.tenantry.tenancy.internal.ResolvedSql;
import dev.tenantry.tenancy.internal.TenantConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Objects;
import java.util.function.Function;
import javax.sql.DataSource;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;

/**
 * Per-request multi-tenancy over one shared pool: hands Hibernate a pooled connection whose SQL is
 * resolved to the tenant's schema. Switching tenant costs no round trip and no session state, so nothing
 * can follow the connection back into the pool or through a transaction-mode PgBouncer. Given Tenantry's own pool
 * ({@code Database.pool()}), each tenant borrows from its lane of it.
 */
public final class SchemaPerTenantConnectionProvider implements MultiTenantConnectionProvider<String> {

    private static final long serialVersionUID = 1L;

    /** Resolved texts kept by default: as many statements as a per-request pool keeps prepared at most. */
    public static final int RESOLVED_TEXTS = TenantryConfig.PER_REQUEST_POOL_STATEMENT_BUDGET;

    private final transient DataSource pool;
    /** The pool when it is Tenantry's, divided into lanes; else null. */
    private final transient PoolLanes lanes;
    private final transient Function<String, SchemaName> schemas;
    private final transient Function<SchemaName, String> roles;
    private final transient ResolvedSql texts;

    /**
     * @param pool    the shared pool
     * @param schemas the schema of a provisioned tenant; throws {@code UnknownTenantException} or
     *                {@code InvalidSchemaNameException} for any other id
     */
    public SchemaPerTenantConnectionProvider(DataSource pool, Function<String, SchemaName> schemas) {
        this(pool, schemas, null, RESOLVED_TEXTS);
    }

    /**
     * @param roles         with tenant roles on, the quoted role each schema's transactions run as; else {@code null}
     * @param resolvedTexts how many resolved SQL texts (one per statement and tenant) to keep, so that the driver
     *                      is handed the same instance of a text each time and its pooled connections share it;
     *                      0 resolves every text afresh
     */
    public SchemaPerTenantConnectionProvider(DataSource pool, Function<String, SchemaName> schemas,
                                             Function<SchemaName, String> roles, int resolvedTexts) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.lanes = pool instanceof PoolLanes laned ? laned : null;
        this.schemas = Objects.requireNonNull(schemas, "schemas");
        this.roles = roles;
        if (resolvedTexts < 0) {
            throw new IllegalArgumentException("resolvedTexts must be 0 or more, got " + resolvedTexts);
        }
        this.texts = resolvedTexts == 0 ? null : new ResolvedSql(resolvedTexts);
    }

    @Override
    public Connection getConnection(String tenant) throws SQLException {
        if (ScopedTenantResolver.NO_TENANT.equals(tenant)) {
            throw new NoTenantInScopeException();
        }
        SchemaName schema = schemas.apply(tenant);
        return new TenantConnection(borrow(tenant, schema), schema.quoted(), roles == null ? null : roles.apply(schema),
                texts);
    }

    /** Borrows from the tenant's lane of Tenantry's pool, else from the pool. */
    private Connection borrow(String tenant, SchemaName schema) throws SQLException {
        if (lanes == null) {
            return borrow(pool, tenant, schema);
        }
        try {
            return lanes.connectionFor(tenant);
        } catch (SQLTransientConnectionException e) {
            throw new SQLTransientConnectionException(forTenant(tenant, schema, e), e.getSQLState(), e.getErrorCode(), e);
        } catch (SQLException e) {
            throw new SQLException(forTenant(tenant, schema, e), e.getSQLState(), e.getErrorCode(), e);
        }
    }

    /** Borrows from the pool; a failure (the pool exhausted, the server gone) names the tenant and schema. */
    static Connection borrow(DataSource pool, String tenant, SchemaName schema) throws SQLException {
        try {
            return pool.getConnection();
        } catch (SQLTransientConnectionException e) {
            throw new SQLTransientConnectionException(forTenant(tenant, schema, e), e.getSQLState(), e.getErrorCode(), e);
        } catch (SQLException e) {
            throw new SQLException(forTenant(tenant, schema, e), e.getSQLState(), e.getErrorCode(), e);
        }
    }

    private static String forTenant(String tenant, SchemaName schema, SQLException e) {
        return "No connection for " + (tenant == null ? "" : "tenant '" + tenant + "' ") + "(schema " + schema.quoted()
                + "): " + e.getMessage();
    }

    @Override
    public void releaseConnection(String tenant, Connection connection) throws SQLException {
        connection.close();
    }

    /** For Hibernate's start-up metadata only; tenant-scoped SQL over it fails, by design. */
    @Override
    public Connection getAnyConnection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public void releaseAnyConnection(Connection connection) throws SQLException {
        connection.close();
    }

    @Override
    public boolean supportsAggressiveRelease() {
        return false;
    }

    /** The schema is fixed in the SQL text, so Hibernate must never call {@code setSchema}. */
    @Override
    public boolean handlesConnectionSchema() {
        return true;
    }

    /** Hibernate may ask for this provider or for the pool behind it. */
    @Override
    public boolean isUnwrappableAs(Class<?> type) {
        return Unwrapping.canUnwrap(type, this, pool);
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        return Unwrapping.unwrap(type, this, pool);
    }
}
