package dev.tenantry.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenancyMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class SearchPathSetupTest {

    private static final SchemaName PROD = SchemaName.of("prod");
    private static final SchemaName EXTENSIONS = SchemaName.of("extensions");

    @Test
    void perRequestThePathResolvesNoSchema() {
        assertThat(SearchPathSetup.path(TenancyMode.PER_REQUEST, SchemaName.PUBLIC, List.of())).isEqualTo("''");
    }

    @Test
    void perDeploymentThePathIsTheDeploymentsSchemaQuoted() {
        assertThat(SearchPathSetup.path(TenancyMode.PER_DEPLOYMENT, PROD, List.of())).isEqualTo("\"prod\"");
        assertThat(SearchPathSetup.path(TenancyMode.PER_DEPLOYMENT, SchemaName.of("00_todo"), List.of()))
                .isEqualTo("\"00_todo\"");
        assertThat(SearchPathSetup.path(TenancyMode.PER_DEPLOYMENT, SchemaName.PUBLIC, List.of())).isEqualTo("\"public\"");
    }

    @Test
    void extensionSchemasFollowOnceEach() {
        assertThat(SearchPathSetup.path(TenancyMode.PER_REQUEST, SchemaName.PUBLIC, List.of(EXTENSIONS)))
                .isEqualTo("\"extensions\"");
        assertThat(SearchPathSetup.path(TenancyMode.PER_DEPLOYMENT, PROD, List.of(EXTENSIONS, PROD)))
                .isEqualTo("\"prod\", \"extensions\"");
    }
}
