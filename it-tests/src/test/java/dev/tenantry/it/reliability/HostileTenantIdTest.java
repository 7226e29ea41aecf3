package dev.tenantry.it.reliability;

import dev.tenantry.bench.RoundTripCounter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tenantry.core.InvalidSchemaNameException;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.core.TenantryException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantScope;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.hibernate.jpa.HibernateHints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile tenant ids, explicit and generated, through every door a tenant id enters by:
 * {@code provisioning().provision}, {@code checkTenant}, {@code find}, {@code Tenants.open},
 * {@code Tenants.wrap}, and an EntityManager opened with {@code org.hibernate.tenantId}. Each must be
 * refused with {@link InvalidSchemaNameException} before any SQL: Tenantry's connections go through a
 * relay that counts every message carrying SQL text, and the count must not move while ids are refused;
 * the catalog (schemas, relations, the tenant registry) must be unchanged afterwards.
 */
@WithPostgres
class HostileTenantIdTest {

    /** What a tenant id must be, by default (the id is the schema name). */
    private static final Pattern VALID = Pattern.compile("[a-z0-9_]{1,63}");
    private static final int GENERATED = 3_000;
    private static final String SHARED_SCHEMA = "tenantry";

    private static RoundTripCounter counter;
    private static TenantryPersistence tenantry;
    private static EntityManagerFactory emf;

    @BeforeAll
    static void start(TestDatabase db) throws Exception {
        counter = RoundTripCounter.start(db.server().host(), db.server().port());
        Map<String, String> env = new HashMap<>(db.environment());
        env.put(TenantryConfig.DATABASE_URL, counter.jdbcUrl(db.name()));
        // No keepalive ping may fall into the window in which the statements are counted.
        tenantry = Tenantry.start(TenantryConfig.builder().environment(env).perRequest().poolMaxSize(2).poolMinIdle(0)
                .keepalive(Duration.ofMinutes(50)).build());
        emf = tenantry.entityManagerFactory();
        tenantry.provisioning().provision("prod");
        // the positive control for every "no SQL sent" below: the counter sees this Tenantry's SQL
        assertThat(counter.sqlMessages()).as("SQL messages counted while provisioning").isPositive();
    }

    @AfterAll
    static void stop() throws Exception {
        if (tenantry != null) {
            tenantry.close();
        }
        if (counter != null) {
            counter.close();
        }
    }

    /** At least 50 ids that must never reach SQL; every one is refused by every door. */
    static List<String> explicitHostileIds() {
        List<String> ids = new ArrayList<>(List.of(
                // quotes, statement separators, comments
                "prod\"; DROP SCHEMA prod CASCADE; --", "\"prod\"", "prod'", "'; drop table users; --", "prod;",
                "prod; drop schema public cascade", "prod--", "-- comment", "prod/*x*/", "/* */prod", "prod\\",
                "\\", "U&\"\\0061\"", "e'\\x41'", "$user", "prod$", "prod%", "%27", "${jndi:ldap://x}", "../etc/passwd",
                // control characters and whitespace
                "prod\0", "\0", "prod\0stage", "prod\nstage", "prod\r\n", "\tprod", " prod", "prod ", " ", "   ", "",
                "pr od", "prod\u00a0",
                // look-alikes and invisible characters
                "\u0440rod", "\u0430cme", "pr\u03bfd", "\uff50\uff52\uff4f\uff44", "\uff11\uff12\uff13", "\u0663",
                "pro\u200dd", "\u200bprod", "\u202eprod", "prod\u202e", "\ufeffprod", "\u0131d", "\u0130d", "\u00e9t\u00e9",
                "stra\u00dfe", "\ud83d\ude42",
                // case variants of valid or reserved names
                "Prod", "PROD", "pRod", "PUBLIC", "Public", "Information_Schema",
                // dots, hyphens, the placeholder
                "prod.stage", "public.users", "prod-stage", "tenantry.tenant", "\"tenantry.tenant\"",
                // length
                "a".repeat(64), "a".repeat(10_000), "a".repeat(63) + "\u00e9",
                // reserved schemas
                "public", "pg_catalog", "pg_toast", "pg_temp", "pg_temp_1", "pg_", "information_schema",
                "information_schema ", "pg_catalog;"));
        return ids;
    }

    @Test
    void explicitHostileIdsAreRefusedByEveryDoorBeforeAnySqlAndTheCatalogIsUnchanged(TestDatabase db) {
        List<String> hostile = explicitHostileIds();
        assertThat(new LinkedHashSet<>(hostile)).as("distinct explicit hostile ids").hasSizeGreaterThanOrEqualTo(50);
        Catalog before = Catalog.of(db);
        long statementsBefore = counter.sqlMessages();
        int refusals = 0;

        for (String id : hostile) {
            refusals += refusedEverywhere(id);
        }
        refusals += refusedEverywhere(null);
        // The shared schema is a valid schema name, refused as a tenant where a tenant is provisioned.
        assertRefused("provision(tenantry)", catchThrowable(() -> tenantry.provisioning().provision(SHARED_SCHEMA)), SHARED_SCHEMA);
        assertRefused("checkTenant(tenantry)", catchThrowable(() -> tenantry.provisioning().checkTenant(SHARED_SCHEMA)), SHARED_SCHEMA);
        refusals += 2;

        long statements = counter.sqlMessages() - statementsBefore;
        System.out.println("[reliability] hostile tenant ids: " + hostile.size() + " explicit ids (and null) refused at "
                + refusals + " doors with InvalidSchemaNameException; SQL messages sent while refusing: " + statements
                + "; catalog unchanged: " + before.equals(Catalog.of(db)));
        assertThat(statements).as("SQL sent while refusing hostile ids").isZero();
        assertThat(Catalog.of(db)).isEqualTo(before);
        assertThat(Tenants.current()).isEmpty();
        long prodUsers = Tenants.in("prod", () -> emf.callInTransaction(em -> new Users(em).count()));
        assertThat(prodUsers).as("a valid tenant still works").isZero();
    }

    @Test
    void generatedIdsAreAcceptedExactlyWhenTheyAreValidSchemaNamesAndRefusedBeforeAnySqlOtherwise(TestDatabase db) {
        List<String> generated = generate(new Random(20_251_121L), GENERATED);
        Catalog before = Catalog.of(db);
        long statementsBefore = counter.sqlMessages();
        int accepted = 0;
        int refused = 0;

        for (String id : generated) {
            boolean valid = VALID.matcher(id).matches() && !id.startsWith("pg_") && !id.equals("information_schema")
                    && !id.equals("public") && !id.equals(SHARED_SCHEMA) && !id.equals("tenantry_template");
            if (valid) {
                try (TenantScope scope = Tenants.open(id)) {
                    assertThat(scope.tenant()).isEqualTo(id);
                    assertThat(Tenants.current()).contains(id);
                }
                assertThat(tenantry.provisioning().checkTenant(id).value()).isEqualTo(id);
                accepted++;
            } else {
                refusedEverywhere(id);
                refused++;
            }
        }

        long statements = counter.sqlMessages() - statementsBefore;
        System.out.println("[reliability] generated tenant ids: " + generated.size() + " (seeded), " + accepted
                + " valid and accepted, " + refused + " invalid and refused before any SQL; SQL messages sent: "
                + statements);
        assertThat(accepted).as("the generator makes valid ids too").isGreaterThan(GENERATED / 5);
        assertThat(refused).as("and invalid ones").isGreaterThan(GENERATED / 5);
        assertThat(statements).isZero();
        assertThat(Catalog.of(db)).isEqualTo(before);
    }

    @Test
    void theSharedSchemaAsATenantIdIsRefusedByEveryDoorBeforeAnySql() {
        long statementsBefore = counter.sqlMessages();

        assertRefused("Tenants.open", catchThrowable(() -> Tenants.open(SHARED_SCHEMA).close()), SHARED_SCHEMA);
        assertRefused("org.hibernate.tenantId", viaProperty(SHARED_SCHEMA), SHARED_SCHEMA);

        assertThat(counter.sqlMessages() - statementsBefore).isZero();
    }

    /** Refuses {@code id} at every door; returns how many doors were tried. */
    private static int refusedEverywhere(String id) {
        assertRefused("provision", catchThrowable(() -> tenantry.provisioning().provision(id)), id);
        assertRefused("checkTenant", catchThrowable(() -> tenantry.provisioning().checkTenant(id)), id);
        assertRefused("find", catchThrowable(() -> tenantry.provisioning().find(id)), id);
        assertRefused("Tenants.open", catchThrowable(() -> Tenants.open(id).close()), id);
        assertRefused("Tenants.wrap", catchThrowable(() -> Tenants.wrap(id, () -> { })), id);
        assertThat(Tenants.current()).as("no scope was left open by a refused id").isEmpty();
        if (id == null) {
            return 5;
        }
        assertRefused("org.hibernate.tenantId", viaProperty(id), id);
        return 6;
    }

    /** Work in an EntityManager opened with {@code org.hibernate.tenantId}; returns what it threw. */
    private static Throwable viaProperty(String id) {
        return catchThrowable(() -> {
            try (EntityManager em = emf.createEntityManager(Map.of(HibernateHints.HINT_TENANT_ID, id))) {
                em.getTransaction().begin();
                try {
                    new Users(em).count();
                } finally {
                    if (em.getTransaction().isActive()) {
                        em.getTransaction().rollback();
                    }
                }
            }
        });
    }

    private static void assertRefused(String door, Throwable thrown, String id) {
        String shown = id == null ? "null" : id.length() > 40 ? id.substring(0, 40) + "..." : id;
        assertThat(thrown).as("%s(%s) must be refused", door, shown).isNotNull();
        InvalidSchemaNameException refusal = Faults.find(thrown, InvalidSchemaNameException.class);
        assertThat(refusal).as("%s(%s) refused with InvalidSchemaNameException, got %s", door, shown, thrown).isNotNull();
        assertThat(refusal.tenant()).as("names the tenant").isEqualTo(id);
        assertThat(refusal).isInstanceOf(TenantryException.class);
        // The message is safe to log: printable ASCII, bounded, whatever the id held.
        assertThat(refusal.getMessage()).as("%s(%s) message", door, shown).matches("[\\x20-\\x7e]{1,2000}");
    }

    /**
     * Seeded ids: valid names of every length, valid names with hostile characters spliced in, reserved
     * names and their neighbours, and random mixtures.
     */
    static List<String> generate(Random random, int count) {
        String valid = "abcdefghijklmnopqrstuvwxyz0123456789_";
        String[] invalid = {"A", "Z", "-", " ", ".", "\"", "'", ";", "\0", "\n", "\t", "\r", "/", "*", "\\", "$", "%",
                "\u0430", "\u03bf", "\uff41", "\u200d", "\u200b", "\u202e", "\u00e9", "\u00df", "\u0130", "\u00a0",
                "\ufeff", "\ud83d\ude42"};
        String[] reserved = {"public", "pg_catalog", "pg_toast", "information_schema", SHARED_SCHEMA, "pg_", "pg_x"};
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int kind = random.nextInt(10);
            StringBuilder id = new StringBuilder();
            if (kind < 5) {
                int length = random.nextInt(20) == 0 ? 60 + random.nextInt(8) : 1 + random.nextInt(24);
                for (int c = 0; c < length; c++) {
                    id.append(valid.charAt(random.nextInt(valid.length())));
                }
            } else if (kind < 8) {
                int length = 1 + random.nextInt(24);
                for (int c = 0; c < length; c++) {
                    id.append(valid.charAt(random.nextInt(valid.length())));
                }
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    id.insert(random.nextInt(id.length() + 1), invalid[random.nextInt(invalid.length)]);
                }
            } else if (kind == 8) {
                String base = reserved[random.nextInt(reserved.length)];
                switch (random.nextInt(4)) {
                    case 0 -> id.append(base);
                    case 1 -> id.append(base).append(valid.charAt(random.nextInt(valid.length())));
                    case 2 -> id.append(Character.toUpperCase(base.charAt(0))).append(base.substring(1));
                    default -> id.append(base).append(invalid[random.nextInt(invalid.length)]);
                }
            } else {
                int length = random.nextInt(80);
                for (int c = 0; c < length; c++) {
                    id.append(random.nextInt(3) == 0 ? invalid[random.nextInt(invalid.length)]
                            : String.valueOf(valid.charAt(random.nextInt(valid.length()))));
                }
            }
            ids.add(id.toString());
        }
        return ids;
    }

    /** What refusing ids must not change: the schemas, the relations, and the tenant registry. */
    record Catalog(List<String> schemas, String relations, List<String> registry) {
        static Catalog of(TestDatabase db) {
            return new Catalog(
                    db.column("select nspname from pg_namespace order by 1"),
                    db.column("select count(*) || '/' || coalesce(max(oid::text::bigint), 0) from pg_class").get(0),
                    db.column("select tenant_id || '|' || schema_name || '|' || state || '|' || coalesce(version, '') || '|'"
                            + " || updated_at from tenantry.tenants order by tenant_id"));
        }
    }
}
