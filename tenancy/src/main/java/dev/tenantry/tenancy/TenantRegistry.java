package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantUnavailableException;
import dev.tenantry.core.TenantryException;
import dev.tenantry.core.UnknownTenantException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The table of tenants in the shared schema, and the in-memory set of ready tenants that the
 * per-request hot path consults: a known tenant costs no query; an unknown one costs one, then is
 * refused or remembered.
 */
final class TenantRegistry {

    static final String REGISTRY_MIGRATIONS = "classpath:db/tenantry/registry";

    private final Database database;
    private final SchemaName shared;
    private final TenantSchemaMapping mapping;
    private final String table;
    private final ConcurrentMap<String, SchemaName> readySchemas = new ConcurrentHashMap<>();
    /** Tenants whose migration failed in this process, with why: refused here until a migration succeeds. */
    private final ConcurrentMap<String, String> unavailable = new ConcurrentHashMap<>();
    private volatile boolean installed;

    TenantRegistry(Database database, TenantSchemaMapping mapping) {
        this.database = database;
        this.shared = database.config().sharedSchema();
        this.mapping = mapping;
        this.table = shared.quoted() + ".tenants";
    }

    /**
     * Creates the shared schema and the registry table, or brings them up to date, once per process; on Citus, on
     * the coordinator.
     */
    void install() {
        if (!installed) {
            synchronized (this) {
                if (!installed) {
                    new SchemaMigrator(database, List.of(REGISTRY_MIGRATIONS), TenantRegistry.class.getClassLoader())
                            .provision(null, shared);
                    installed = true;
                }
            }
        }
    }

    SchemaName sharedSchema() {
        return shared;
    }

    /**
     * The schema of a ready tenant. The id is validated through the mapping first, so a hostile id
     * never reaches SQL.
     *
     * @throws UnknownTenantException when the tenant is not provisioned
     */
    SchemaName schemaOf(String tenant) {
        SchemaName known = tenant == null ? null : readySchemas.get(tenant);
        if (known != null) {
            return known;
        }
        SchemaName mapped = mapping.resolve(tenant);
        String failure = unavailable.get(tenant);
        if (failure != null) {
            throw new TenantUnavailableException(tenant, mapped.value(), failure);
        }
        Optional<TenantInfo> info = find(tenant);
        if (info.isEmpty() || !info.get().ready() || !info.get().schema().equals(mapped.value())) {
            throw new UnknownTenantException(tenant, mapped.value());
        }
        readySchemas.put(tenant, mapped);
        return mapped;
    }

    /** Records that provisioning of {@code tenant} into {@code schema} has begun; a ready tenant stays ready. */
    void markProvisioning(String tenant, SchemaName schema) {
        // The new time comes from the proposed row, not from now() in DO UPDATE: Citus refuses functions that are
        // not immutable there, should the registry ever be a distributed table (as it became when Citus distributed
        // every new schema and Tenantry did not yet keep its own on the coordinator).
        String sql = "INSERT INTO " + table + " AS t (tenant_id, schema_name, state) VALUES (?, ?, 'provisioning')"
                + " ON CONFLICT (tenant_id) DO UPDATE SET updated_at = excluded.updated_at,"
                + " state = CASE WHEN t.state = 'ready' THEN 'ready' ELSE 'provisioning' END"
                + " RETURNING schema_name";
        try (Connection connection = database.pool().getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, tenant);
            statement.setString(2, schema.value());
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                checkRegistered(tenant, schema, rows.getString(1));
            }
        } catch (SQLException e) {
            TenantryException taken = schemaTaken(tenant, schema, e);
            throw taken != null ? taken : failure("register tenant '" + tenant + "'", e);
        }
    }

    private static void checkRegistered(String tenant, SchemaName schema, String registered) {
        if (!registered.equals(schema.value())) {
            throw new TenantryException("Tenant '" + tenant + "' is registered with schema \"" + registered
                    + "\", but the mapping now gives \"" + schema + "\"; refusing to provision a second schema");
        }
    }

    /** The schema's unique key refused the row: another tenant has it. Else {@code null}. */
    private static TenantryException schemaTaken(String tenant, SchemaName schema, SQLException e) {
        return "23505".equals(e.getSQLState()) ? new TenantryException("Schema \"" + schema + "\" already belongs to"
                + " another tenant; tenant '" + tenant + "' needs a schema of its own", e) : null;
    }

    /**
     * Registers a tenant as ready inside the caller's transaction, for a schema created in that same transaction: the
     * tenant appears only if the schema does.
     *
     * @throws TenantryException when the tenant is registered with another schema, or the schema with another tenant
     */
    void registerReady(Connection connection, String tenant, SchemaName schema, String version) throws SQLException {
        String sql = "INSERT INTO " + table + " AS t (tenant_id, schema_name, state, version) VALUES (?, ?, 'ready', ?)"
                + " ON CONFLICT (tenant_id) DO UPDATE SET state = 'ready', version = EXCLUDED.version, last_error = NULL,"
                + " updated_at = now() RETURNING schema_name";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, tenant);
            statement.setString(2, schema.value());
            statement.setString(3, version);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                checkRegistered(tenant, schema, rows.getString(1));
            }
        } catch (SQLException e) {
            TenantryException taken = schemaTaken(tenant, schema, e);
            if (taken != null) {
                throw taken;
            }
            throw e;
        }
    }

    void markReady(String tenant, String version) {
        unavailable.remove(tenant);
        update("UPDATE " + table + " SET state = 'ready', version = ?, last_error = NULL, updated_at = now()"
                + " WHERE tenant_id = ?", version, tenant);
    }

    /**
     * Records a failure; a tenant that was ready stays ready in the registry (its schema was rolled back, not
     * broken), but this process stops serving it: its code expects the schema the migration would have made.
     */
    void markFailed(String tenant, String error) {
        unavailable.put(tenant, error == null ? "no reason given" : error);
        readySchemas.remove(tenant);
        update("UPDATE " + table + " SET state = CASE WHEN state = 'ready' THEN 'ready' ELSE 'failed' END,"
                + " last_error = ?, updated_at = now() WHERE tenant_id = ?", error, tenant);
    }

    /** Deletes the tenant's row inside the caller's transaction, and forgets the tenant here. */
    void remove(Connection connection, String tenant) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("DELETE FROM " + table + " WHERE tenant_id = ?")) {
            statement.setString(1, tenant);
            statement.executeUpdate();
        }
        readySchemas.remove(tenant);
    }

    /** The tenants this process refuses because their migration failed here, with the failure. */
    Map<String, String> unavailable() {
        return Map.copyOf(unavailable);
    }

    /** Whether a schema of this name exists, whatever it holds and whether or not a tenant owns it. */
    boolean schemaExists(SchemaName schema) {
        try (Connection connection = database.pool().getConnection()) {
            return SchemaMigrator.schemaExists(connection, schema);
        } catch (SQLException e) {
            throw new TenantryException("Cannot check schema " + schema.quoted() + ": " + e.getMessage(), e);
        }
    }

    Optional<TenantInfo> find(String tenant) {
        List<TenantInfo> rows = query(" WHERE tenant_id = ?", tenant);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    List<TenantInfo> list() {
        return query(" ORDER BY tenant_id", null);
    }

    private List<TenantInfo> query(String where, String parameter) {
        String sql = "SELECT tenant_id, schema_name, state, version, last_error, created_at, updated_at FROM "
                + table + where;
        try (Connection connection = database.pool().getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            if (parameter != null) {
                statement.setString(1, parameter);
            }
            List<TenantInfo> result = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    result.add(new TenantInfo(rows.getString(1), rows.getString(2), rows.getString(3),
                            rows.getString(4), rows.getString(5), instant(rows.getTimestamp(6)),
                            instant(rows.getTimestamp(7))));
                }
            }
            return result;
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                return List.of(); // no registry yet: no tenants
            }
            throw failure("read the tenant registry" + (parameter == null ? "" : " for tenant '" + parameter + "'"), e);
        }
    }

    private void update(String sql, String first, String tenant) {
        try (Connection connection = database.pool().getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, first);
            statement.setString(2, tenant);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw failure("update tenant '" + tenant + "' in the registry", e);
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private TenantryException failure(String what, SQLException e) {
        return new TenantryException("Cannot " + what + " (" + table + "): " + e.getMessage(), e);
    }
}
