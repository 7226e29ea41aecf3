package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.HistoryRepair;
import dev.tenantry.core.InvalidSchemaNameException;
import dev.tenantry.core.MigrationFailedException;
import dev.tenantry.core.MigrationModule;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaCloner;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.SchemaRollback;
import dev.tenantry.core.TenantryException;
import dev.tenantry.core.UnknownTenantException;
import java.util.ArrayList;
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

    /**
     * The template schema of the model's migrations alone, which new tenants are copied from by
     * {@link #provisionFromTemplate}; with more migration modules the template is this name and a suffix of its
     * own ({@link #templateSchema()}). No template is ever a tenant.
     */
    public static final String TEMPLATE_SCHEMA = "tenantry_template";

    /** What the schema of every snapshot ({@link #snapshot}) starts with; no tenant's schema may. */
    public static final String SNAPSHOT_PREFIX = "tenantry_snap_";

    private final TenantRegistry registry;
    private final TenantSchemaMapping mapping;
    private final TemplateSchema template;
    private final TenantCreation creation;
    private final TenantCloning cloning;
    private final MigrationRun migration;
    private final RepairRun repairs;
    private final TenantHistories histories;
    private final TableAdoption adoption;
    private final SchemaGrants grants;
    private final TenantDeletion deletion;
    private final TenantPlacement placement;
    private final TenantSnapshots snapshots;
    private final SchemaMigrator migrator;
    private final SchemaRollback rollback;

    TenantProvisioning(Database database, SchemaMigrator migrator, TenantRegistry registry, TenantSchemaMapping mapping,
                       ClassLoader classLoader) {
        this.registry = registry;
        this.mapping = mapping;
        this.migrator = migrator;
        int retries = database.config().migrationRetries();
        SchemaCloner cloner = new SchemaCloner(database, migrator.historyTables());
        TenantChanges changes = new TenantChanges(database, registry);
        this.template = new TemplateSchema(database, migrator);
        this.grants = new SchemaGrants(database, registry);
        this.creation = new TenantCreation(database, migrator, registry, template, cloner, changes, grants, retries);
        this.cloning = new TenantCloning(migrator, registry, mapping, cloner, changes);
        this.histories = new TenantHistories(database, migrator, registry);
        this.snapshots = new TenantSnapshots(database, migrator, registry, cloner, changes);
        this.rollback = new SchemaRollback(migrator, database.admin(), classLoader);
        this.migration = new MigrationRun(migrator, registry, histories, changes,
                new MigrationRollback(database, migrator, rollback), snapshots, retries);
        this.repairs = new RepairRun(migrator, registry, mapping);
        this.adoption = new TableAdoption(database, migrator, registry, template);
        this.deletion = new TenantDeletion(database, registry);
        this.placement = new TenantPlacement(database, registry);
    }

    /**
     * Tenant operations without JPA, for tools such as the command line: nothing is built but what
     * provisioning needs, and nothing is written until a tenant is provisioned or migrated. The locations are
     * one module kept in Flyway's default history table (the model's); the configuration's own modules
     * ({@code TENANTRY_MIGRATIONS}) follow it, and its lock timeout applies.
     *
     * @param migrations Flyway locations of the model's tenant migrations
     */
    public static TenantProvisioning open(Database database, List<String> migrations, TenantSchemaMapping mapping) {
        List<MigrationModule> modules = new ArrayList<>();
        modules.add(new MigrationModule("tenantry", migrations, MigrationModule.DEFAULT_HISTORY_TABLE));
        modules.addAll(database.config().migrations());
        ClassLoader classLoader = Thread.currentThread().getContextClassLoader();
        return open(database, migrator(database, modules, classLoader), classLoader, mapping);
    }

    /**
     * Tenant operations over the given migrations: every module of {@code migrator}, in its order.
     *
     * @param classLoader where the migrations' {@code classpath:} locations are read from (down scripts too)
     * @see #migrator(Database, List, ClassLoader)
     */
    public static TenantProvisioning open(Database database, SchemaMigrator migrator, ClassLoader classLoader,
                                          TenantSchemaMapping mapping) {
        TenantSchemaMapping guarded = refusingTenantrySchemas(mapping, database.config().sharedSchema());
        return new TenantProvisioning(database, migrator, new TenantRegistry(database, guarded), guarded, classLoader);
    }

    /**
     * The migrator of a process: these modules, in this order, read through {@code classLoader}, on the admin
     * connections, with the configuration's lock timeout ({@code TENANTRY_MIGRATION_LOCK_TIMEOUT}).
     */
    public static SchemaMigrator migrator(Database database, List<MigrationModule> modules, ClassLoader classLoader) {
        return new SchemaMigrator(database, modules, classLoader, database.config().migrationLockTimeout());
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
     * Provisions a tenant by copying the template schema ({@link #templateSchema()}, migrated to the latest
     * version first, once per process) instead of replaying every migration: a handful of statements in one
     * transaction. The copy includes the migration history, so the tenant is recognised as migrated. A
     * tenant whose schema exists already is migrated instead, as {@link #provision} does.
     */
    public MigrationResult provisionFromTemplate(String tenant) {
        return creation.fromTemplate(tenant, checkTenant(tenant));
    }

    /**
     * Provisions many tenants, {@code options.parallelism()} at a time, each as {@link #provision} or
     * {@link #provisionFromTemplate} does, then hands its schema to the options' roles. Every id is checked before
     * anything is created, so one refused id creates nothing; after that, one tenant's failure stops no other.
     *
     * @param progress told of each tenant's outcome as it finishes, one at a time
     * @return every tenant's outcome, in the order they finished
     * @throws InvalidSchemaNameException for the first refused id, before any SQL
     */
    public List<TenantResult<MigrationResult>> provision(List<String> tenants, ProvisionOptions options,
                                                         Consumer<TenantResult<MigrationResult>> progress) {
        List<String> ids = new ArrayList<>(new java.util.LinkedHashSet<>(tenants));
        List<SchemaName> schemas = ids.stream().map(this::checkTenant).toList();
        return creation.many(ids, schemas, options, progress);
    }

    /** Creates or migrates the template schema, once per process; returns its version. */
    public String prepareTemplate() {
        return template.prepare();
    }

    /**
     * The template schema of this process's migration modules: {@value #TEMPLATE_SCHEMA} for the model alone, a
     * name of its own (the same in every process with the same modules) otherwise.
     */
    public SchemaName templateSchema() {
        return template.schema();
    }

    /** Whether {@code schema} is the template of some set of migration modules (in any process). */
    public static boolean isTemplateSchema(String schema) {
        return TemplateSchema.isTemplate(schema);
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

    /**
     * Migrates every ready tenant as the options say: to the latest version of every module, or one module to a
     * version (down with its down scripts, every one of them checked for every tenant before any is touched);
     * {@code parallelism} at a time; snapshotting each first if asked; retrying tenants whose lock timed out after
     * the others. See {@link #migrateAll(int, Consumer)} for what every run guarantees.
     */
    public MigrationReport migrateAll(MigrationOptions options, Consumer<TenantMigration> progress) {
        return migration.all(options, progress);
    }

    /** Migrates the named tenants as {@link #migrateAll(MigrationOptions, Consumer)} does. */
    public MigrationReport migrate(List<String> tenants, MigrationOptions options, Consumer<TenantMigration> progress) {
        return migration.named(tenants, options, progress);
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
        return migrateAll(MigrationOptions.defaults().parallelism(parallelism), progress);
    }

    /**
     * Migrates the named tenants as {@link #migrateAll(int, Consumer)} does: the ones already current are
     * skipped after one catalog query, the others run {@code parallelism} at a time, and an unknown or
     * refused id fails on its own without stopping the others.
     */
    public MigrationReport migrate(List<String> tenants, int parallelism, Consumer<TenantMigration> progress) {
        return migrate(tenants, MigrationOptions.defaults().parallelism(parallelism), progress);
    }

    /** Migrates the named tenants one at a time; see {@link #migrate(List, int, Consumer)}. */
    public MigrationReport migrate(List<String> tenants, Consumer<TenantMigration> progress) {
        return migrate(tenants, 1, progress);
    }

    // Repairing

    /**
     * Repairs the migration history of a tenant in the registry, ready or not, as Flyway's repair does: applied
     * migrations edited since are realigned with their files (checksum and description), entries of failed
     * migrations removed, applied migrations whose files are gone marked as deleted. The tables are not touched:
     * migrate afterwards to apply what is pending.
     *
     * @throws UnknownTenantException when the registry has no such tenant
     * @throws MigrationFailedException when the schema is missing or Flyway fails
     */
    public HistoryRepair repair(String tenant) {
        return repairs.one(tenant);
    }

    /** Repairs the named tenants one after the other; an unknown or refused id fails on its own. */
    public List<TenantRepair> repair(List<String> tenants) {
        return repairs.named(tenants);
    }

    /** Repairs every tenant in the registry, ready or not; see {@link #repair(String)}. */
    public List<TenantRepair> repairAll() {
        return repairs.all();
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

    /**
     * Checks a target of {@link MigrationOptions#to} before any run: the module is declared, and the version is
     * {@code 0} or one of its versions.
     *
     * @throws TenantryException naming the module's versions, or the declared modules
     */
    public void checkTarget(String module, String version) {
        rollback.checkTarget(module, version);
    }

    /** The migrations this provisioning runs: its modules in order, their versions, the lock timeout. */
    public SchemaMigrator migrator() {
        return migrator;
    }

    // Snapshots

    /**
     * Takes a snapshot of a ready tenant: its schema with every row and its history, copied in one transaction into
     * a schema of its own ({@code tenantry_snap_<time>_<schema>}) that is never served, migrated or verified.
     *
     * @throws SnapshotException naming the tenant and schema when the copy failed; nothing was left behind
     */
    public TenantSnapshot snapshot(String tenant) {
        return snapshots.take(tenant, registry.schemaOf(tenant));
    }

    /**
     * Snapshots many ready tenants, {@code parallelism} at a time; one tenant's failure stops no other.
     *
     * @param progress told of each tenant's outcome as it finishes, one at a time
     */
    public List<TenantResult<TenantSnapshot>> snapshot(List<String> tenants, int parallelism,
                                                       Consumer<TenantResult<TenantSnapshot>> progress) {
        List<TenantResult<TenantSnapshot>> results = new ArrayList<>();
        TenantWorkers.forEach(new ArrayList<>(new java.util.LinkedHashSet<>(tenants)), parallelism, "snapshot", tenant -> {
            TenantResult<TenantSnapshot> result;
            try {
                result = new TenantResult<>(tenant, snapshot(tenant), null);
            } catch (TenantryException e) {
                result = new TenantResult<>(tenant, null, e);
            }
            synchronized (results) {
                results.add(result);
                progress.accept(result);
            }
        });
        return results;
    }

    /** Every snapshot, newest first, with the tenant it was taken of. */
    public List<TenantSnapshot> snapshots() {
        return snapshots.list(null);
    }

    /** The snapshots of one tenant, newest first. */
    public List<TenantSnapshot> snapshots(String tenant) {
        checkTenant(tenant);
        return snapshots.list(tenant);
    }

    /**
     * Puts a snapshot back: the tenant's schema is dropped and replaced by a copy of the snapshot (rows and history),
     * in one transaction under both schemas' locks; the snapshot stays, so it can be restored again.
     *
     * @param confirmation must repeat the tenant id: a restore replaces every row of the tenant
     * @throws SnapshotException when the snapshot is unknown, of another tenant, or the copy failed; the tenant is
     *                           then as it was
     */
    public MigrationResult restore(String tenant, String snapshot, String confirmation) {
        return snapshots.restore(tenant, checkTenant(tenant), snapshot, confirmation);
    }

    /** Drops every snapshot taken more than {@code olderThan} ago; returns what was dropped. */
    public List<TenantSnapshot> pruneSnapshots(java.time.Duration olderThan) {
        if (olderThan == null || olderThan.isNegative()) {
            throw new IllegalArgumentException("olderThan must be zero or positive, got " + olderThan);
        }
        return snapshots.prune(olderThan);
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
     * migrations set on them in the template. Their columns and indexes are taken as they are. On a Citus
     * coordinator the tenant's schema is distributed at the end of the same transaction, and brought back to the
     * coordinator before tables leave it.
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

    // Placing, on a Citus cluster

    /** Where each tenant lives on a Citus cluster, and moving tenants between its nodes. */
    public TenantPlacement placement() {
        return placement;
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

    /** Wraps a mapping so that it refuses the shared schema and the template schemas as any tenant's schema. */
    private static TenantSchemaMapping refusingTenantrySchemas(TenantSchemaMapping mapping, SchemaName shared) {
        return tenant -> {
            String schema = mapping.schemaFor(tenant);
            if (shared.value().equals(schema)) {
                throw new InvalidSchemaNameException(tenant, schema,
                        "it is Tenantry's shared schema (TENANTRY_SHARED_SCHEMA)");
            }
            if (TemplateSchema.isTemplate(schema)) {
                throw new InvalidSchemaNameException(tenant, schema,
                        "it is Tenantry's template schema, which new tenants are copied from");
            }
            if (schema != null && schema.startsWith(TenantSnapshots.PREFIX)) {
                throw new InvalidSchemaNameException(tenant, schema,
                        "names starting with " + TenantSnapshots.PREFIX + " are Tenantry's snapshots");
            }
            return schema;
        };
    }
}
