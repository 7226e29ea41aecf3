package dev.tenantry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** What {@link Citus} decides without a server: node and mode parsing, and what plain PostgreSQL gets. */
class CitusTest {

    @Test
    void nodesAreReadAsHostAndPort() {
        assertThat(Citus.Node.parse("10.0.0.12:5432")).isEqualTo(new Citus.Node("10.0.0.12", 5432));
        assertThat(Citus.Node.parse("worker-1.internal:9701").toString()).isEqualTo("worker-1.internal:9701");
        assertThat(Citus.Node.parse("[::1]:5432")).isEqualTo(new Citus.Node("::1", 5432));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.12", "10.0.0.12:", ":5432", "10.0.0.12:0", "10.0.0.12:65536", "10.0.0.12:port"})
    void anythingElseIsRefusedSayingWhatIsExpected(String text) {
        assertThatThrownBy(() -> Citus.Node.parse(text))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + text + "' is not HOST:PORT");
    }

    @Test
    void transferModesAreReadInTenantrysAndCitussSpellings() {
        assertThat(Citus.TransferMode.parse("auto")).isEqualTo(Citus.TransferMode.AUTO);
        assertThat(Citus.TransferMode.parse("logical")).isEqualTo(Citus.TransferMode.LOGICAL);
        assertThat(Citus.TransferMode.parse("force_logical")).isEqualTo(Citus.TransferMode.LOGICAL);
        assertThat(Citus.TransferMode.parse(" Block-Writes ")).isEqualTo(Citus.TransferMode.BLOCK_WRITES);
        assertThat(Citus.TransferMode.parse("block_writes").citusName()).isEqualTo("block_writes");
        assertThat(Citus.TransferMode.LOGICAL.citusName()).isEqualTo("force_logical");
        assertThatThrownBy(() -> Citus.TransferMode.parse("fast"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("'fast' is not a transfer mode; use auto, logical or block-writes");
    }

    @Test
    void plainPostgresqlCreatesSchemasAsItAlwaysDid() {
        assertThat(Citus.NONE.active()).isFalse();
        assertThat(Citus.NONE.schemaPlacement(true)).isEmpty();
        assertThat(Citus.NONE.schemaPlacement(false)).isEmpty();
        assertThat(Citus.Placement.LOCAL.local()).isTrue();
        assertThat(Citus.Placement.LOCAL.toString()).isEqualTo("coordinator (not distributed)");
        assertThat(new Citus.Placement(true, null).toString()).isEqualTo("distributed, no tables yet");
        assertThat(new Citus.Placement(true, new Citus.Node("w1", 5432)).toString()).isEqualTo("w1:5432");
    }

    @Test
    void theCitusStatementsNameTheSchemaQuoted() {
        SchemaName schema = SchemaName.of("00_acme");
        assertThat(Citus.NONE.distributeStatement(schema))
                .isEqualTo("SELECT pg_catalog.citus_schema_distribute('\"00_acme\"'::regnamespace)");
        assertThat(Citus.NONE.undistributeStatement(schema))
                .isEqualTo("SELECT pg_catalog.citus_schema_undistribute('\"00_acme\"'::regnamespace)");
        assertThat(List.of(CitusMode.values())).extracting(CitusMode::setting).containsExactly("auto", "on", "off");
    }
}
