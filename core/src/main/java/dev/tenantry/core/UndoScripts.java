package dev.tenantry.core;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flywaydb.core.api.MigrationVersion;

/**
 * The down scripts of one module: {@code U<version>__<description>.sql} files beside its {@code V} scripts, in the
 * same locations ({@code classpath:} through the migrator's class loader, or {@code filesystem:}), in
 * subdirectories too. Flyway runs undo scripts only in its commercial editions; Tenantry reads and runs them itself.
 */
final class UndoScripts {

    /** One down script. */
    record Script(MigrationVersion version, String name, String sql) {
    }

    private static final Pattern NAME = Pattern.compile("U(\\d+(?:[._]\\d+)*)__.+\\.sql");

    private UndoScripts() {
    }

    /**
     * Every down script of {@code module}, by version.
     *
     * @throws TenantryException when a location cannot be read or two scripts undo the same version
     */
    static Map<MigrationVersion, Script> of(MigrationModule module, ClassLoader classLoader) {
        Map<MigrationVersion, Script> scripts = new TreeMap<>();
        for (String location : module.locations()) {
            try {
                if (location.startsWith("filesystem:")) {
                    Path directory = Paths.get(location.substring("filesystem:".length()));
                    if (Files.isDirectory(directory)) {
                        readDirectory(directory, scripts, module);
                    }
                } else {
                    String path = location.substring("classpath:".length()).replaceAll("^/+|/+$", "");
                    Enumeration<URL> found = classLoader.getResources(path);
                    while (found.hasMoreElements()) {
                        readUrl(found.nextElement(), path, scripts, module);
                    }
                    // A jar without directory entries has no resource for the directory itself: read the jars too.
                    for (Path jar : jars(classLoader)) {
                        readJar(jar, path, scripts, module);
                    }
                }
            } catch (IOException | UncheckedIOException | URISyntaxException e) {
                throw new TenantryException("Cannot read the down scripts of migration module '" + module.name() + "' in "
                        + location + ": " + e.getMessage(), e);
            }
        }
        return scripts;
    }

    private static void readUrl(URL url, String path, Map<MigrationVersion, Script> scripts, MigrationModule module)
            throws IOException, URISyntaxException {
        if ("file".equals(url.getProtocol())) {
            readDirectory(Paths.get(url.toURI()), scripts, module);
            return;
        }
        URLConnection connection = url.openConnection();
        if (!(connection instanceof JarURLConnection)) {
            throw new IOException("cannot list " + url + " (only directories and jar files can hold down scripts)");
        }
        connection.setUseCaches(false);
        try (JarFile jar = ((JarURLConnection) connection).getJarFile()) {
            readEntries(jar, path, scripts, module);
        }
    }

    private static void readJar(Path file, String path, Map<MigrationVersion, Script> scripts, MigrationModule module)
            throws IOException {
        try (JarFile jar = new JarFile(file.toFile())) {
            readEntries(jar, path, scripts, module);
        }
    }

    private static void readEntries(JarFile jar, String path, Map<MigrationVersion, Script> scripts, MigrationModule module)
            throws IOException {
        String prefix = path + "/";
        for (JarEntry entry : jar.stream().toList()) {
            if (!entry.isDirectory() && entry.getName().startsWith(prefix)) {
                String name = entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
                if (NAME.matcher(name).matches()) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        add(scripts, module, name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
    }

    /** The jar files a class loader and its parents read from: their URLs, and the JVM's class path. */
    private static Set<Path> jars(ClassLoader classLoader) throws URISyntaxException {
        Set<Path> jars = new LinkedHashSet<>();
        for (ClassLoader loader = classLoader; loader != null; loader = loader.getParent()) {
            if (loader instanceof URLClassLoader) {
                for (URL url : ((URLClassLoader) loader).getURLs()) {
                    if ("file".equals(url.getProtocol()) && url.getPath().endsWith(".jar")) {
                        jars.add(Paths.get(url.toURI()));
                    }
                }
            }
        }
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && Files.isRegularFile(Paths.get(entry))) {
                jars.add(Paths.get(entry));
            }
        }
        return jars;
    }

    private static void readDirectory(Path directory, Map<MigrationVersion, Script> scripts, MigrationModule module)
            throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = file.getFileName().toString();
                if (NAME.matcher(name).matches()) {
                    add(scripts, module, name, Files.readString(file, StandardCharsets.UTF_8));
                }
            }
        }
    }

    private static void add(Map<MigrationVersion, Script> scripts, MigrationModule module, String name, String sql) {
        Matcher matcher = NAME.matcher(name);
        matcher.matches();
        MigrationVersion version = MigrationVersion.fromVersion(matcher.group(1).replace('_', '.'));
        Script previous = scripts.put(version, new Script(version, name, sql));
        if (previous != null && !previous.name().equals(name)) {
            throw new TenantryException("Migration module '" + module.name() + "' has two down scripts for version "
                    + version + ": " + previous.name() + " and " + name + "; keep one");
        }
    }
}
