package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.InvalidSchemaNameException;
import dev.tenantry.core.MigrationFailedException;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaCloner;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import dev.tenantry.core.UnknownTenantException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The library API over many tenant schemas: create, copy, migrate, inspect, adopt and drop tenants. Every
 * tenant id is validated before any SQL runs. Each operation lives in a class of its own ({@link TenantCreation},
 * {@link TenantCloning}, {@link MigrationRun}, {@link TenantHistories}, {@link TableAdoption},
 * {@link SchemaGrants}, {@link TenantDeletion}); this class is the list of them.
 */
public final class TenantProvisioning {

    /** The schema new tenants are copied from by {@link #provisionFromTemplate}; never a tenant itself. */
    public static final String TEMPLATE_SCHEMA = "tenantry_template";

    private final TenantRegistry registry;
    private final TenantSchemaMapping mapping;
    private final TemplateSchema template;
    private final TenantCreation creation;
    private final TenantCloning cloning;
    private final MigrationRun migration;
    private final TenantHistories histories;
    private final TableAdoption adoption;
    private final SchemaGrants grants;
    private final TenantDeletion deletion;

    TenantProvisioning(Database database, SchemaMigrator migrator, TenantRegistry registry, TenantSchemaMapping mapping) {
        this.registry = registry;
        this.mapping = mapping;
        SchemaCloner cloner = new SchemaCloner(database.admin());
        TenantChanges changes = new TenantChanges(database, registry);
        this.template = new TemplateSchema(migrator);
        this.creation = new TenantCreation(migrator, registry, template, cloner, changes);
        this.cloning = new TenantCloning(migrator, registry, mapping, cloner, changes);
        this.histories = new TenantHistories(database, migrator, registry);
        this.migration = new MigrationRun(migrator, registry, histories, changes);
        this.adoption = new TableAdoption(database, migrator, registry, template);
        this.grants = new SchemaGrants(database, registry);
        this.deletion = new TenantDeletion(database, registry);
    }

    /**
     * Tenant operations without JPA, for tools such as the command line: nothing is built but what
     * provisioning needs, and nothing is written until a tenant is provisioned or migrated.
     *
     * @param migrations Flyway locations of the tenant migrations
     */
    public static TenantProvisioning open(Database database, List<String> migrations, TenantSchemaMapping mapping) {
        TenantSchemaMapping guarded = refusingTenantrySchemas(mapping, database.config().sharedSchema());
        return new TenantProvisioning(database, new SchemaMigrator(database.admin(), migrations),
                new TenantRegistry(database, guarded), guarded);
    }

    // Creating

    /**
     * Creates the tenant's schema if needed, migrates it to the latest version and marks the tenant
     * ready. Idempotent, and safe to call for the same tenant from many threads or processes at once.
     *
     * @throws InvalidSchemaNameException before any SQL, for a refused id
     * @throws MigrationFailedException when the schema could not be migrated; a new schema is removed again
     */
    public MigrationResult provision(String tenant) {
        return creation.provision(tenant, checkTenant(tenant));
    }

    /**
     * Provisions a tenant by copying the template schema ({@value #TEMPLATE_SCHEMA}, migrated to the latest
     * version first, once per process) instead of replaying every migration: a handful of statements in one
     * transaction. The copy includes the migration history, so the tenant is recognised as migrated. A
     * tenant whose schema exists already is migrated instead, as {@link #provision} does.
     */
    public MigrationResult provisionFromTemplate(String tenant) {
        return creation.fromTemplate(tenant, checkTenant(tenant));
    }

    /** Creates or migrates the template schema, once per process; returns its version. */
    public String prepareTemplate() {
        return template.prepare();
    }

    /**
     * Creates tenant {@code target} as a copy of ready tenant {@code source}: the structure and the
     * migration history, and with {@code withData} every row too, in one transaction.
     */
    public MigrationResult cloneTenant(String source, String target, boolean withData) {
        return cloning.cloneTenant(source, target, withData);
    }

    // Migrating

    /** Migrates one provisioned tenant to the latest version. */
    public MigrationResult migrate(String tenant) {
        return migration.one(tenant);
    }

    /** Migrates every ready tenant; see {@link #migrateAll(Consumer)}. */
    public MigrationReport migrateAll() {
        return migrateAll(outcome -> { });
    }

    /** Migrates every ready tenant one at a time; see {@link #migrateAll(int, Consumer)}. */
    public MigrationReport migrateAll(Consumer<TenantMigration> progress) {
        return migrateAll(1, progress);
    }

    /**
     * Migrates every ready tenant, each in its own transaction, {@code parallelism} tenants at a time.
     * Tenants already at the latest version are found with one catalog query per {@value TenantHistories#BATCH}
     * tenants and skipped without running Flyway, so a run that changes nothing is fast. One tenant's
     * failure is recorded and rolled back for that tenant alone; the run goes on with the rest, and a
     * second run continues where the first stopped. Concurrent runs are safe: each schema is migrated
     * under its own advisory lock and Flyway's, so no migration is applied twice.
     *
     * @param progress told of each tenant's outcome as it finishes, from the worker threads one at a time
     */
    public MigrationReport migrateAll(int parallelism, Consumer<TenantMigration> progress) {
        return migration.all(parallelism, progress);
    }

    /**
     * Migrates the named tenants as {@link #migrateAll(int, Consumer)} does: the ones already current are
     * skipped after one catalog query, the others run {@code parallelism} at a time, and an unknown or
     * refused id fails on its own without stopping the others.
     */
    public MigrationReport migrate(List<String> tenants, int parallelism, Consumer<TenantMigration> progress) {
        return migration.named(tenants, parallelism, progress);
    }

    /** Migrates the named tenants one at a time; see {@link #migrate(List, int, Consumer)}. */
    public MigrationReport migrate(List<String> tenants, Consumer<TenantMigration> progress) {
        return migrate(tenants, 1, progress);
    }

    // Reading

    /**
     * The tenants this process refuses with {@link dev.tenantry.core.TenantUnavailableException} because their
     * migration failed here (their registry state stays ready: the schema was rolled back), each with the failure.
     * A later successful migration of the tenant serves it again.
     */
    public Map<String, String> unavailable() {
        return registry.unavailable();
    }

    /** Every tenant in the registry, ready or not, in tenant order. */
    public List<TenantInfo> list() {
        return registry.list();
    }

    public Optional<TenantInfo> find(String tenant) {
        mapping.resolve(tenant);
        return registry.find(tenant);
    }

    /** The schema of a ready tenant, or {@link UnknownTenantException}. */
    public SchemaName schemaOf(String tenant) {
        return registry.schemaOf(tenant);
    }

    /**
     * Each ready tenant's current migration version, read from its own history table; {@code null}
     * for a schema without history. One query per {@value TenantHistories#BATCH} tenants, not one per tenant.
     */
    public Map<String, String> versions() {
        return histories.versions();
    }

    /**
     * Every tenant in the registry with its schema, state, current version (from its own history),
     * the number of migrations still to apply, and the last failure. Reads all histories in one query
     * per {@value TenantHistories#BATCH} tenants.
     */
    public List<TenantStatus> status() {
        return histories.status();
    }

    // Moving, granting, dropping

    /**
     * The one-time move of existing tables into a tenant's schema, or back: with {@code toPublic} false,
     * tables of {@code public} move into the schema of {@code tenant}, which is created and registered;
     * with {@code toPublic} true they move back to {@code public} and the tenant is removed from the
     * registry (the rollback plan). Only tables that exist move ({@code ALTER TABLE ... SET SCHEMA}, which
     * takes indexes, constraints and owned sequences along), all in one transaction. The migration history
     * moves with them; where the source has none, the target gets the template's history, which records
     * the tables as migrated to the latest version, and the moved tables get the storage parameters the
     * migrations set on them in the template. Their columns and indexes are taken as they are.
     *
     * @param tables the tables to move; empty means every table the migrations create
     * @param dryRun plan only: the statements are returned, nothing runs
     * @throws TenantryException when a table to move exists on both sides, naming it; nothing moves then
     */
    public Adoption adopt(String tenant, boolean toPublic, List<String> tables, boolean dryRun) {
        return adoption.adopt(tenant, checkTenant(tenant), toPublic, tables, dryRun);
    }

    /**
     * Hands a provisioned tenant's schema to a role, as a create-schemas script would: with {@code owner}
     * the role becomes the schema's owner; either way it is granted {@code USAGE} and {@code CREATE} on it.
     *
     * @throws TenantryException naming the role when it does not exist
     */
    public void grantSchema(String tenant, String role, boolean owner) {
        grants.grant(tenant, role, owner);
    }

    /**
     * Drops a tenant: its schema with everything in it, and its registry row, in one transaction, with the
     * tenant's own role ({@link TenantRoles}) when the server has one for the schema, whether or not tenant
     * roles are on now. A role the server will not drop (other objects depend on it, or the login role may not
     * drop roles) is kept, and the result says why; the schema and the registry row are dropped all the same.
     *
     * @param confirmation must repeat the tenant id, a guard against dropping the wrong tenant
     * @return what was dropped, and whether the tenant's role went too
     * @throws InvalidSchemaNameException for {@code public}, the shared schema or an invalid id
     * @throws UnknownTenantException when the registry has no such tenant
     */
    public TenantDrop drop(String tenant, String confirmation) {
        return deletion.drop(tenant, checkTenant(tenant), confirmation);
    }

    // Checking ids

    /**
     * Maps and validates a tenant id without touching the database: refuses everything
     * {@link SchemaName#ofTenant} refuses and the shared schema, naming the tenant and schema.
     *
     * @return the schema the tenant's tables live in
     * @throws InvalidSchemaNameException for a refused id
     */
    public SchemaName checkTenant(String tenant) {
        return mapping.resolve(tenant);
    }

    /** The application's mapping, refusing Tenantry's own schemas: what scopes and the registry check ids with. */
    TenantSchemaMapping mapping() {
        return mapping;
    }

    TenantRegistry registry() {
        return registry;
    }

    /** Creates the registry in the shared schema once per process, on first need. */
    void installRegistry() {
        registry.install();
    }

    /** Migrates the schema a per-deployment process is pinned to; {@code public} is migrated, never created. */
    MigrationResult provisionDeployment(SchemaName schema) {
        return schema.isPublic() ? creation.publicSchema() : provision(schema.value());
    }

    /** Wraps a mapping so that it refuses the shared schema and the template schema as any tenant's schema. */
    private static TenantSchemaMapping refusingTenantrySchemas(TenantSchemaMapping mapping, SchemaName shared) {
        return tenant -> {
            String schema = mapping.schemaFor(tenant);
            if (shared.value().equals(schema)) {
                throw new InvalidSchemaNameException(tenant, schema,
                        "it is Tenantry's shared schema (TENANTRY_SHARED_SCHEMA)");
            }
            if (TEMPLATE_SCHEMA.equals(schema)) {
                throw new InvalidSchemaNameException(tenant, schema,
                        "it is Tenantry's template schema, which new tenants are copied from");
            }
            return schema;
        };
    }
}
