package dev.tenantry.tenancy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ResolvedSqlTest {

    private static final String TEMPLATE = "select u.id from \"tenantry.tenant\".users u where u.email = ?";

    @Test
    void aTextIsResolvedOncePerSchemaAndThenHandedOutAsTheSameInstance() {
        ResolvedSql texts = new ResolvedSql(100);

        String first = texts.resolve(TEMPLATE, "\"acme\"");
        String again = texts.resolve(new String(TEMPLATE), "\"acme\"");
        String other = texts.resolve(TEMPLATE, "\"globex\"");

        assertThat(first).isEqualTo("select u.id from \"acme\".users u where u.email = ?");
        assertThat(again).isSameAs(first);
        assertThat(other).isEqualTo("select u.id from \"globex\".users u where u.email = ?");
        assertThat(texts.size()).isEqualTo(2);
    }

    @Test
    void textsWithoutThePlaceholderPassThroughAndAreNotKept() {
        ResolvedSql texts = new ResolvedSql(100);
        String plain = "select 1";

        assertThat(texts.resolve(plain, "\"acme\"")).isSameAs(plain);
        assertThat(texts.resolve(null, "\"acme\"")).isNull();
        assertThat(texts.size()).isZero();
    }

    @Test
    void beyondItsCapacityItStartsOverAndStillResolvesCorrectly() {
        ResolvedSql texts = new ResolvedSql(3);

        for (int tenant = 0; tenant < 10; tenant++) {
            String schema = "\"t" + tenant + "\"";
            assertThat(texts.resolve(TEMPLATE, schema)).isEqualTo(TEMPLATE.replace("\"tenantry.tenant\"", schema));
            assertThat(texts.size()).isBetween(1, 3);
        }
    }

    @Test
    void threadsSharingItAllGetTheirOwnSchemasText() throws Exception {
        ResolvedSql texts = new ResolvedSql(50);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                results.add(threads.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        String schema = "\"t" + (i % 97) + "\"";
                        if (!texts.resolve(TEMPLATE, schema).equals(TEMPLATE.replace("\"tenantry.tenant\"", schema))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aCapacityBelowOneIsRefused() {
        assertThatThrownBy(() -> new ResolvedSql(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity");
    }
}
