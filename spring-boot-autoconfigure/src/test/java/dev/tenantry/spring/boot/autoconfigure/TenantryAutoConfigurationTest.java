package dev.tenantry.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.core.NoTenantInScopeException;
import dev.tenantry.core.TenancyMode;
import dev.tenantry.entities.User;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.spring.boot.autoconfigure.plain.PlainNote;
import dev.tenantry.tenancy.AllTenants;
import dev.tenantry.tenancy.TenantDataSource;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantryRuntime;
import dev.tenantry.tenancy.Tenants;
import dev.tenantry.tenancy.hibernate.TenantSchema;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.jpa.EntityManagerFactoryBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;
import org.springframework.transaction.support.TransactionTemplate;

/** One test per condition and back-off of {@link TenantryAutoConfiguration}, each against a real PostgreSQL. */
@WithPostgres
class TenantryAutoConfigurationTest {

    private static TestDatabase db;

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
    }

    static ApplicationContextRunner runner(TestDatabase db) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(TenantryAutoConfiguration.class, DataSourceAutoConfiguration.class,
                        HibernateJpaAutoConfiguration.class, TransactionAutoConfiguration.class,
                        JdbcTemplateAutoConfiguration.class, JdbcClientAutoConfiguration.class))
                .withPropertyValues(db.springProperties());
    }

    /** The app's own entities, found the way Boot finds them: under the application's package. */
    @Configuration(proxyBeanMethods = false)
    @org.springframework.boot.autoconfigure.AutoConfigurationPackage
    static class NotesApp {
    }

    private static ApplicationContextRunner perRequest() {
        return runner(db).withUserConfiguration(NotesApp.class)
                .withPropertyValues("tenantry.mode=per-request", "tenantry.migrations.locations=classpath:db/it_app");
    }

    @Test
    void withoutDatabaseSettingsTheStartFailsNamingSpringDatasourceUrl() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TenantryAutoConfiguration.class,
                        DataSourceAutoConfiguration.class, HibernateJpaAutoConfiguration.class))
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .rootCause().isInstanceOf(InvalidConfigurationException.class)
                        .hasMessageContaining("spring.datasource.url").hasMessageContaining("DATABASE_URL"));
    }

    @Test
    void aBadPropertyFailsNamingTheProperty() {
        runner(db).withPropertyValues("tenantry.pool.max-size=4", "tenantry.pool.min-idle=9")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .isInstanceOfSatisfying(InvalidConfigurationException.class,
                                e -> assertThat(e.setting()).isEqualTo("tenantry.pool.min-idle")));
    }

    @Test
    void hikariSettingsOfBootsOwnPoolAreRefusedNamingWhereTheyGo() {
        runner(db).withPropertyValues("spring.datasource.hikari.maximum-pool-size=50")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
                            assertThat(e.setting()).isEqualTo("spring.datasource.hikari");
                            assertThat(e.getMessage()).contains("tenantry.pool");
                        }));
    }

    @Test
    void perRequestBootsOwnFactoryWorksInEachTenantWithBootsNaming() {
        perRequest().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(EntityManagerFactory.class).hasSingleBean(TenantryRuntime.class);
            assertThat(context.getBean(DataSource.class)).isInstanceOf(TenantDataSource.class);
            TenantProvisioning provisioning = context.getBean(TenantProvisioning.class);
            provisioning.provision("ac_one");
            provisioning.provision("ac_two");
            EntityManagerFactory emf = context.getBean(EntityManagerFactory.class);
            TransactionTemplate tx = new TransactionTemplate(context.getBean(org.springframework.transaction.PlatformTransactionManager.class));

            Tenants.in("ac_one", () -> tx.executeWithoutResult(status -> {
                jakarta.persistence.EntityManager em = org.springframework.orm.jpa.EntityManagerFactoryUtils
                        .getTransactionalEntityManager(emf);
                em.persist(new Note("only in one"));
                new Users(em).create("ada@one.example", "Ada");
            }));

            assertThat(db.column("SELECT note_text FROM ac_one.notes")).containsExactly("only in one");
            assertThat(db.column("SELECT count(*) FROM ac_two.notes")).containsExactly("0");
            assertThat(db.column("SELECT email FROM ac_one.users")).containsExactly("ada@one.example");
            long seenFromTwo = Tenants.in("ac_two", () -> emf.callInTransaction(em ->
                    em.createQuery("select count(n) from Note n", Long.class).getSingleResult()));
            assertThat(seenFromTwo).isZero();
        });
    }

    @Test
    void jdbcClientResolvesThePlaceholderForTheTenantInScopeAndRefusesWorkWithNone() {
        perRequest().run(context -> {
            context.getBean(TenantProvisioning.class).provision("ac_jdbc");
            db.execute("INSERT INTO ac_jdbc.notes (note_text) VALUES ('by hand')");
            JdbcClient jdbc = context.getBean(JdbcClient.class);
            String sql = "select note_text from " + TenantSchema.PLACEHOLDER + ".notes";

            assertThat(Tenants.in("ac_jdbc", () -> jdbc.sql(sql).query(String.class).list())).containsExactly("by hand");
            assertThatThrownBy(() -> jdbc.sql(sql).query(String.class).list())
                    .isInstanceOf(NoTenantInScopeException.class);
        });
    }

    @Test
    void jdbcInsideAJpaTransactionSharesItsConnection() {
        perRequest().run(context -> {
            context.getBean(TenantProvisioning.class).provision("ac_shared");
            EntityManagerFactory emf = context.getBean(EntityManagerFactory.class);
            JdbcClient jdbc = context.getBean(JdbcClient.class);
            TransactionTemplate tx = new TransactionTemplate(context.getBean(org.springframework.transaction.PlatformTransactionManager.class));

            long seen = Tenants.in("ac_shared", () -> tx.execute(status -> {
                org.springframework.orm.jpa.EntityManagerFactoryUtils.getTransactionalEntityManager(emf)
                        .persist(new Note("not committed yet"));
                org.springframework.orm.jpa.EntityManagerFactoryUtils.getTransactionalEntityManager(emf).flush();
                long count = jdbc.sql("select count(*) from " + TenantSchema.PLACEHOLDER + ".notes").query(Long.class).single();
                status.setRollbackOnly();
                return count;
            }));

            assertThat(seen).as("the JdbcClient saw the JPA transaction's unflushed-then-flushed row").isEqualTo(1);
            assertThat(db.column("SELECT count(*) FROM ac_shared.notes")).containsExactly("0");
        });
    }

    @Test
    void perDeploymentWorksInTheDeploymentSchemaWithNoRegistry() {
        runner(db).withUserConfiguration(NotesApp.class)
                .withPropertyValues("tenantry.schema=ac_deploy", "tenantry.migrations.locations=classpath:db/it_app")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(TenantryRuntime.class).mode()).isEqualTo(TenancyMode.PER_DEPLOYMENT);
                    EntityManagerFactory emf = context.getBean(EntityManagerFactory.class);
                    emf.runInTransaction(em -> em.persist(new Note("in the deployment schema")));
                    assertThat(db.column("SELECT note_text FROM ac_deploy.notes")).containsExactly("in the deployment schema");
                });
    }

    @Test
    void databaseSchemaVariableIsHonoured() {
        runner(db).withPropertyValues("DATABASE_SCHEMA=ac_env_schema").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(TenantryRuntime.class).config().deploymentSchema().value()).isEqualTo("ac_env_schema");
            assertThat(db.schemas()).contains("ac_env_schema");
        });
    }

    @Test
    void anApplicationDataSourceMakesTenantryBackOff() {
        runner(db).withUserConfiguration(OwnDataSource.class).run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(TenantryRuntime.class)
                    .doesNotHaveBean(TenantryHibernatePropertiesCustomizer.class);
            assertThat(context.getBean(DataSource.class)).isInstanceOf(PGSimpleDataSource.class);
        });
    }

    @Test
    void tenantryEnabledFalseBacksOff() {
        runner(db).withPropertyValues("tenantry.enabled=false").run(context ->
                assertThat(context).doesNotHaveBean(TenantryRuntime.class).doesNotHaveBean(TenantDataSource.class));
    }

    @Test
    void anApplicationFactoryBuiltWithBootsBuilderStillWorksPerTenant() {
        perRequest().withUserConfiguration(OwnEntityManagerFactory.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(EntityManagerFactory.class);
            assertThat(context.getBean(LocalContainerEntityManagerFactoryBean.class).getPersistenceUnitName()).isEqualTo("own");
            context.getBean(TenantProvisioning.class).provision("ac_own");
            EntityManagerFactory emf = context.getBean(EntityManagerFactory.class);
            Tenants.in("ac_own", () -> emf.runInTransaction(em -> em.persist(new Note("own factory"))));
            assertThat(db.column("SELECT note_text FROM ac_own.notes")).containsExactly("own factory");
        });
    }

    @Test
    void schemaGenerationIsRefusedAtStartUp() {
        perRequest().withPropertyValues("spring.jpa.hibernate.ddl-auto=update").run(context ->
                assertThat(context).hasFailed().getFailure().rootCause()
                        .isInstanceOfSatisfying(InvalidConfigurationException.class,
                                e -> assertThat(e.setting()).isEqualTo("spring.jpa.hibernate.ddl-auto")));
    }

    @Test
    void aDefaultSchemaOfTheAppsOwnIsRefusedAtStartUp() {
        perRequest().withPropertyValues("spring.jpa.properties.hibernate.default_schema=public").run(context ->
                assertThat(context).hasFailed().getFailure().rootCause()
                        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("spring.jpa.properties"));
    }

    @Test
    void anEntityNamingNoSchemaIsTheTenantsUnderBootToo() {
        perRequest().withUserConfiguration(PlainEntityApp.class).run(context -> {
            assertThat(context).hasNotFailed();
            context.getBean(TenantProvisioning.class).provision("ac_plain");
            db.execute("CREATE TABLE IF NOT EXISTS public.notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                    + " note_text text NOT NULL)");
            EntityManagerFactory emf = context.getBean(EntityManagerFactory.class);
            Tenants.in("ac_plain", () -> emf.runInTransaction(em -> em.persist(new PlainNote("plain"))));
            assertThat(db.column("SELECT note_text FROM ac_plain.notes")).containsExactly("plain");
            assertThat(db.column("SELECT count(*) FROM public.notes")).containsExactly("0");
        });
    }

    @Test
    void theModelCanBeLeftOut() {
        perRequest().withPropertyValues("tenantry.model.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            context.getBean(TenantProvisioning.class).provision("ac_no_model");
            assertThat(db.tables()).contains("ac_no_model.notes").doesNotContain("ac_no_model.users");
            assertThat(context.getBean(EntityManagerFactory.class).getMetamodel().getEntities())
                    .extracting(e -> (Object) e.getJavaType()).contains(Note.class).doesNotContain(User.class);
        });
    }

    @Test
    void startUpProvisionsTheListedTenantsAndRunsJobsInEveryTenant() {
        perRequest().withPropertyValues("tenantry.provision-on-start=ac_start_a,ac_start_b").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(TenantryMigrations.class).provisioningFailures()).isEmpty();
            AllTenants allTenants = context.getBean(AllTenants.class);
            List<String> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            AllTenants.Report report = allTenants.run("note each", tenant -> seen.add(Tenants.current().orElseThrow()));
            assertThat(seen).contains("ac_start_a", "ac_start_b");
            assertThat(report.hasFailures()).isFalse();
        });
    }

    @Test
    void aTenantThatCannotBeProvisionedAtStartDoesNotStopTheApp() {
        perRequest().withPropertyValues("tenantry.provision-on-start=ac_fine,Not-Valid").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(TenantryMigrations.class).provisioningFailures()).containsOnlyKeys("Not-Valid");
            assertThat(db.schemas()).contains("ac_fine");
        });
    }

    @Test
    void theTaskDecoratorJoinsTheAppsOwn() {
        perRequest().run(context -> assertThat(context).hasSingleBean(TenantTaskDecorator.class));
    }

    @Configuration(proxyBeanMethods = false)
    @org.springframework.boot.persistence.autoconfigure.EntityScan(basePackageClasses = PlainNote.class)
    static class PlainEntityApp {
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnDataSource {

        @Bean
        DataSource dataSource() {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setURL(db.jdbcUrl());
            dataSource.setUser(db.server().user());
            return dataSource;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEntityManagerFactory {

        @Bean
        LocalContainerEntityManagerFactoryBean entityManagerFactory(EntityManagerFactoryBuilder builder, DataSource dataSource) {
            return builder.dataSource(dataSource).packages(Note.class).persistenceUnit("own").build();
        }
    }
}
