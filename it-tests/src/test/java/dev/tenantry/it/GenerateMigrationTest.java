package dev.tenantry.it;

import static dev.tenantry.it.support.CommandLineRun.ok;
import static dev.tenantry.it.support.CommandLineRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.core.TenantryConfig;
import dev.tenantry.it.support.CommandLineRun;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tenantry migrations generate}: the next migration written from an application's entity classes (compiled
 * here, read through {@code --classpath}), compared with the migrated template; migrating with it leaves
 * {@code verify} clean; its down script takes it back; destructive changes are refused unless asked for.
 */
@WithPostgres
class GenerateMigrationTest {

    private static final String NOTE_V1 = """
            package gen;
            import jakarta.persistence.*;
            @Entity @Table(name = "notes", schema = "tenant")
            public class Note {
                @Id Long id;
                @Column(nullable = false) String body;
                Boolean pinned;
                @Column(length = 40) String colour;
            }
            """;
    private static final String TAG = """
            package gen;
            import jakarta.persistence.*;
            @Entity @Table(name = "tags", schema = "tenant")
            public class Tag {
                @Id @GeneratedValue Long id;
                @Column(nullable = false) String name;
            }
            """;
    private static final String NOTE_V2 = """
            package gen;
            import jakarta.persistence.*;
            @Entity @Table(name = "notes", schema = "tenant")
            public class Note {
                @Id Long id;
                @Column(nullable = false) String body;
                Boolean pinned;
            }
            """;

    /** Compiles the sources into a classes directory, against jakarta.persistence only. */
    private static Path compile(Path dir, String... sources) throws IOException, URISyntaxException {
        Path src = Files.createDirectories(dir.resolve("src/gen"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        String[] args = new String[sources.length + 4];
        args[0] = "-d";
        args[1] = classes.toString();
        args[2] = "-cp";
        args[3] = Paths.get(jakarta.persistence.Entity.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        for (int i = 0; i < sources.length; i++) {
            String name = sources[i].substring(sources[i].indexOf("public class ") + 13).split(" ")[0];
            Path file = src.resolve(name + ".java");
            Files.writeString(file, sources[i]);
            args[4 + i] = file.toString();
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, args)).as("javac").isZero();
        return classes;
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aGeneratedMigrationRunsInEveryTenantLeavesVerifyCleanAndGoesBackDown(TestDatabase db, @TempDir Path dir)
            throws Exception {
        Path sql = Files.createDirectories(dir.resolve("sql"));
        Files.writeString(sql.resolve("V1__notes.sql"), "CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL);\n");
        Files.writeString(sql.resolve("U1__notes.sql"), "DROP TABLE notes;\n");
        Path classes = compile(dir.resolve("v1"), NOTE_V1, TAG);
        Map<String, String> env = db.environment();
        env.put(TenantryConfig.SHARED_SCHEMA, "reg_gen");
        env.put(TenantryConfig.POOL_MAX_SIZE, "4");
        env.put(TenantryConfig.MIGRATIONS, "filesystem:" + sql);
        ok(env, "tenants", "create", "gen_a", "gen_b");
        db.execute("INSERT INTO gen_a.notes (id, body) VALUES (1, 'kept')");

        CommandLineRun generated = ok(env, "migrations", "generate", "Pins, colours and tags!", "--output", sql.toString(),
                "--classpath", classes.toString());

        assertThat(files(sql)).as(generated.out()).containsExactly("U1__notes.sql", "U2__pins_colours_and_tags.sql", "V1__notes.sql",
                "V2__pins_colours_and_tags.sql");
        String up = Files.readString(sql.resolve("V2__pins_colours_and_tags.sql"));
        assertThat(up).contains("create table tags", "alter table if exists notes add column pinned boolean",
                "alter table if exists notes add column colour varchar(40)").containsIgnoringCase("create sequence tags_seq")
                .doesNotContain("tenantry_template", "users", "anon_sessions", "alter column body");
        assertThat(Files.readString(sql.resolve("U2__pins_colours_and_tags.sql")))
                .contains("drop table tags", "alter table if exists notes drop column colour").containsIgnoringCase("drop sequence tags_seq");
        assertThat(generated.out()).contains("Wrote " + sql.resolve("V2__pins_colours_and_tags.sql"));

        ok(env, "migrate", "--all");
        assertThat(db.column("SELECT body FROM gen_a.notes")).containsExactly("kept");
        CommandLineRun verified = ok(env, "verify", "--classpath", classes.toString());
        assertThat(verified.out()).contains("notes", "tags").contains("2 tenants verified: 2 ok, 0 with findings");
        assertThat(ok(env, "migrations", "generate", "nothing", "--output", sql.toString(), "--classpath", classes.toString())
                .out()).contains("agree; nothing was written");

        ok(env, "migrate", "--all", "--to", "1");
        assertThat(db.tables()).doesNotContain("gen_a.tags", "gen_b.tags");
        assertThat(db.column("SELECT body FROM gen_a.notes")).containsExactly("kept");
        ok(env, "migrate", "--all");

        Path shrunk = compile(dir.resolve("v2"), NOTE_V2, TAG);
        CommandLineRun refused = run(env, "migrations", "generate", "no colour", "--output", sql.toString(),
                "--classpath", shrunk.toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("drop column notes.colour (character varying(40)), which no entity maps any more")
                .contains("nothing was written");
        assertThat(files(sql)).hasSize(4);

        CommandLineRun allowed = ok(env, "migrations", "generate", "no colour", "--output", sql.toString(),
                "--classpath", shrunk.toString(), "--allow-destructive");
        assertThat(Files.readString(sql.resolve("V3__no_colour.sql"))).contains("alter table \"notes\" drop column \"colour\"");
        assertThat(sql.resolve("U3__no_colour.sql")).doesNotExist();
        assertThat(allowed.out()).contains("No down script: \"alter table \"notes\" drop column \"colour\"\" cannot be undone");
        ok(env, "migrate", "--all");
        assertThat(ok(env, "verify", "--classpath", shrunk.toString()).out()).contains("2 tenants verified: 2 ok");
    }
}
