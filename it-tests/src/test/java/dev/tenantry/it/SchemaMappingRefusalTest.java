package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.app.AppModel;
import dev.tenantry.it.app.PublicNotice;
import dev.tenantry.it.app.SharedWithGeneratedId;
import dev.tenantry.it.app.SharedWithLabels;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.SchemaMappingException;
import dev.tenantry.tenancy.TenantMapping.Kind;
import dev.tenantry.tenancy.TenantMapping.Placement;
import dev.tenantry.tenancy.TenantryPersistence;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.cfg.AvailableSettings;
import org.junit.jupiter.api.Test;

/**
 * What cannot be made safe is refused when the persistence layer starts, naming the entity and what to change, and
 * before anything is written to the database; what is shared on purpose is reported.
 */
@WithPostgres
class SchemaMappingRefusalTest {

    private static TenantryPersistence.Builder app(TenantryConfig config, Class<?>... more) {
        return Tenantry.builder(config).managedClasses(AppModel.ENTITIES).managedClasses(more).migrations(AppModel.MIGRATIONS);
    }

    @Test
    void requireSchemaRefusesEveryEntityThatNamesNoSchemaBeforeCreatingAnything(TestDatabase db) {
        TenantryConfig config = db.config().perDeployment("strict_app").requireSchema(true).build();

        SchemaMappingException refused = catchThrowableOfType(SchemaMappingException.class, () -> app(config).start());

        assertThat(refused.entities()).containsExactly("Counter", "Note", "Tag");
        assertThat(refused.getMessage()).contains("TENANTRY_REQUIRE_SCHEMA", "Entity Note", "table notes",
                "Entity Tag", "table tags", "Entity Counter", "table counters", "TenantSchema.LOGICAL");
        assertThat(db.schemas()).as("nothing half-written").doesNotContain("strict_app");
    }

    @Test
    void requireSchemaAcceptsAModelWhoseEntitiesAllNameTheirSchema(TestDatabase db) {
        try (TenantryPersistence model = Tenantry.start(db.config().perDeployment("strict_model").requireSchema(true).build())) {
            assertThat(model.mapping().entitiesWithoutSchema()).isEmpty();
        }
    }

    @Test
    void aSharedEntityWhoseCollectionTableNamesNoSchemaIsRefused(TestDatabase db) {
        TenantryConfig config = db.config().perDeployment("refused_labels").build();

        SchemaMappingException refused = catchThrowableOfType(SchemaMappingException.class,
                () -> app(config, SharedWithLabels.class).start());

        assertThat(refused.entities()).containsExactly("SharedWithLabels");
        assertThat(refused.getMessage()).isEqualTo("Entity SharedWithLabels is shared (schema app_shared), but its"
                + " collection table catalog_item_labels names no schema, so each tenant would have its own: name it in"
                + " @CollectionTable or @JoinTable(schema = \"app_shared\")");
        assertThat(db.schemas()).doesNotContain("refused_labels");
    }

    @Test
    void aSharedEntityWhoseIdsComeFromASequenceNamingNoSchemaIsRefused(TestDatabase db) {
        SchemaMappingException refused = catchThrowableOfType(SchemaMappingException.class,
                () -> app(db.config().perRequest().sharedSchema("reg_refused_seq").build(), SharedWithGeneratedId.class).start());

        assertThat(refused.entities()).containsExactly("SharedWithGeneratedId");
        assertThat(refused.getMessage()).contains("sequence announcements_SEQ names no schema",
                "@SequenceGenerator(schema = \"app_shared\")");
        assertThat(db.schemas()).doesNotContain("reg_refused_seq");
    }

    @Test
    void anOrmXmlMappingCountsLikeAnnotations(TestDatabase db) {
        SchemaMappingException refused = catchThrowableOfType(SchemaMappingException.class, () -> Tenantry
                .builder(db.config().perDeployment("orm_refused").build()).persistenceUnit("app_orm_refused").start());

        assertThat(refused.entities()).containsExactly("Note");
        assertThat(refused.getMessage()).contains("Entity Note is shared (schema public)", "sequence notes_SEQ");
    }

    @Test
    void anOwnHibernateDefaultSchemaIsRefusedFromTheBuilderAndFromPersistenceXml(TestDatabase db) {
        InvalidConfigurationException fromBuilder = catchThrowableOfType(InvalidConfigurationException.class, () -> app(
                db.config().perDeployment("own_default").build()).property(AvailableSettings.DEFAULT_SCHEMA, "public").start());
        InvalidConfigurationException fromXml = catchThrowableOfType(InvalidConfigurationException.class, () -> Tenantry
                .builder(db.config().perDeployment("own_default").build()).persistenceUnit("legacy").start());

        assertThat(fromBuilder.setting()).isEqualTo("hibernate.default_schema");
        assertThat(fromBuilder.getMessage()).startsWith("hibernate.default_schema: 'public' (a property given to the builder)");
        assertThat(fromXml.setting()).isEqualTo("hibernate.default_schema");
        assertThat(fromXml.getMessage()).startsWith("hibernate.default_schema: 'public' (persistence unit 'legacy')")
                .contains("Remove the setting");
        assertThat(db.schemas()).doesNotContain("own_default");
    }

    @Test
    void replacingTenantrysNamingStrategyIsRefused(TestDatabase db) {
        SchemaMappingException refused = catchThrowableOfType(SchemaMappingException.class, () -> Tenantry
                .builder(db.config().perDeployment("own_naming").build())
                .property(AvailableSettings.PHYSICAL_NAMING_STRATEGY, new PhysicalNamingStrategyStandardImpl()).start());

        assertThat(refused.entities()).containsExactly("AnonSession", "User");
        assertThat(refused.getMessage()).contains("names schema \"tenant\" (TenantSchema.LOGICAL)",
                "hibernate.physical_naming_strategy must be TenantSchemaNamingStrategy");
    }

    @Test
    void anEntityMappedToPublicIsReportedAtStartUpPerRequest(TestDatabase db) {
        TenantryConfig config = db.config().perRequest().build();
        String log = standardErrorWhile(() -> {
            try (TenantryPersistence tenantry = app(config, PublicNotice.class).start()) {
                assertThat(tenantry.mapping().shared()).contains(new Placement("PublicNotice", Kind.TABLE, "notices", "public", true));
            }
        });

        assertThat(log).contains("Mapped to schema public, so every tenant reads and writes the same rows:"
                + " PublicNotice (table public.notices)");
    }

    @Test
    void anOrmXmlMappingToPublicIsReportedToo(TestDatabase db) {
        String log = standardErrorWhile(() -> Tenantry.builder(db.config().perRequest().build()).persistenceUnit("app_orm_public")
                .start().close());

        assertThat(log).contains("every tenant reads and writes the same rows: SharedSetting (table public.settings)");
    }

    @Test
    void publicIsNotReportedWhereItIsTheDeploymentsOwnSchema(TestDatabase db) {
        String log = standardErrorWhile(() -> app(db.config().perDeployment(null).build(), PublicNotice.class).start().close());

        assertThat(log).doesNotContain("Mapped to schema public");
    }

    /** What Tenantry logged (slf4j-simple writes to the standard error of the moment) while {@code action} ran. */
    private static String standardErrorWhile(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        original.print(log);
        return log;
    }
}
