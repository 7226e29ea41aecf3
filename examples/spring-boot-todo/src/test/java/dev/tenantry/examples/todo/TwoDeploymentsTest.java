package dev.tenantry.examples.todo;

import static dev.tenantry.examples.todo.RunningApp.todo;
import static dev.tenantry.examples.todo.TodoApplicationTest.titles;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import org.junit.jupiter.api.Test;

/**
 * Per deployment: two instances of the sample at once on one database, one pinned to {@code prod} and one to
 * {@code stage} ({@code DATABASE_SCHEMA}), as two services would be. No tenant header, no filter; each instance's
 * rows land in its own schema and neither sees the other's.
 */
@WithPostgres
class TwoDeploymentsTest {

    @Test
    void prodAndStageRunAtOnceAndKeepTheirRowsApart(TestDatabase db) {
        // Started one after the other: two Spring Boot apps starting at once in one JVM race in Logback's shared
        // LoggerContext (a ConcurrentModificationException in its reset), which two real deployments, two
        // processes, never share. Both then run at once.
        try (RunningApp prod = deployment(db, "prod"); RunningApp stage = deployment(db, "stage")) {
            for (int i = 0; i < 10; i++) {
                assertThat(prod.post(null, "/todos", todo("prod " + i)).statusCode()).isEqualTo(201);
                assertThat(stage.post(null, "/todos", todo("stage " + i)).statusCode()).isEqualTo(201);
            }

            assertThat(titles(prod.get(null, "/todos"))).hasSize(10).allMatch(title -> title.startsWith("prod "));
            assertThat(titles(stage.get(null, "/todos"))).hasSize(10).allMatch(title -> title.startsWith("stage "));
            assertThat(db.column("SELECT count(*) FROM prod.todos WHERE title LIKE 'prod %'")).containsExactly("10");
            assertThat(db.column("SELECT count(*) FROM stage.todos WHERE title LIKE 'stage %'")).containsExactly("10");
            assertThat(db.column("SELECT count(*) FROM prod.todos WHERE title LIKE 'stage %'")).containsExactly("0");
            assertThat(db.tables()).noneMatch(table -> table.startsWith("public."));
            assertThat(db.schemas()).doesNotContain("acme", "globex");
        }
    }

    private static RunningApp deployment(TestDatabase db, String schema) {
        return RunningApp.start(db, "tenantry.mode=per-deployment", "DATABASE_SCHEMA=" + schema, "tenantry.provision-on-start=");
    }
}
