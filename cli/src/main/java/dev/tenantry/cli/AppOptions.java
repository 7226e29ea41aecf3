package dev.tenantry.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --migrations} and {@code --classpath}, on every command that migrates, verifies or reports versions: the
 * application's migration modules beside the model's, and where to read them (and its entity classes) from.
 */
final class AppOptions {

    @Option(names = "--migrations", paramLabel = "LOCATIONS",
            description = "The application's migrations, migrated after the model's, each module with a history table"
                    + " of its own: classpath:db/myapp or filesystem:/srv/app/sql (comma-separated), or"
                    + " name=location;name=location for several modules. Overrides TENANTRY_MIGRATIONS.")
    String migrations;

    @Option(names = "--classpath", paramLabel = "PATH", split = "${sys:path.separator}",
            description = "A jar or directory of the application (repeatable, or joined with '${sys:path.separator}'):"
                    + " its classpath: migration locations and its entity classes are read from it.")
    List<Path> classpath = new ArrayList<>();
}
