package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.Citus;
import dev.tenantry.core.CitusMode;
import dev.tenantry.core.Database;
import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import org.junit.jupiter.api.Test;

/**
 * {@code TENANTRY_CITUS} on plain PostgreSQL: {@code auto} and {@code off} leave schemas to PostgreSQL, {@code on}
 * refuses a database without the citus extension, saying how to fix it. The Citus side is the Citus suite's.
 */
@WithPostgres
class CitusDetectionTest {

    @Test
    void autoFindsNoCitusOnPlainPostgresql(TestDatabase db) {
        try (Database database = Database.open(db.config().build())) {
            assertThat(database.config().citus()).isEqualTo(CitusMode.AUTO);
            assertThat(database.citus()).isSameAs(Citus.NONE);
            assertThat(database.citus().active()).isFalse();
        }
    }

    @Test
    void offNeverAsks(TestDatabase db) {
        try (Database database = Database.open(db.config().citus(CitusMode.OFF).build())) {
            assertThat(database.citus()).isSameAs(Citus.NONE);
        }
    }

    @Test
    void onRefusesADatabaseWithoutTheExtensionAndNamesTheSetting(TestDatabase db) {
        try (Database database = Database.open(db.config().citus(CitusMode.ON).build())) {
            assertThatThrownBy(database::citus)
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageStartingWith(TenantryConfig.CITUS + ": is on, but database \"" + db.name() + "\" has no citus extension")
                    .hasMessageContaining("CREATE EXTENSION citus");
        }
    }
}
