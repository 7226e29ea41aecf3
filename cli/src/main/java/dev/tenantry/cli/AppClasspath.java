package dev.tenantry.cli;

import dev.tenantry.core.TenantryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The application's jars and class directories named by {@code --classpath}: a class loader over them (for
 * {@code classpath:} migration locations and entity classes), and the entity classes they hold. Closing it closes
 * the jars.
 */
final class AppClasspath implements AutoCloseable {

    /** How a class file names the {@code @Entity} annotation; only such classes are loaded. */
    private static final byte[] ENTITY = "Ljakarta/persistence/Entity;".getBytes(StandardCharsets.US_ASCII);

    private final List<Path> paths;
    private final ClassLoader loader;

    private AppClasspath(List<Path> paths, ClassLoader loader) {
        this.paths = paths;
        this.loader = loader;
    }

    /**
     * @throws Cli.UsageError naming a path that is neither a jar nor a directory
     */
    static AppClasspath of(List<Path> paths) {
        ClassLoader parent = AppClasspath.class.getClassLoader();
        if (paths.isEmpty()) {
            return new AppClasspath(List.of(), parent);
        }
        List<URL> urls = new ArrayList<>();
        for (Path path : paths) {
            boolean jar = Files.isRegularFile(path) && path.getFileName().toString().endsWith(".jar");
            if (!jar && !Files.isDirectory(path)) {
                throw new Cli.UsageError("--classpath " + path + ": " + (Files.exists(path) ? "not a .jar file or a directory"
                        : "no such file or directory"), null);
            }
            try {
                urls.add(path.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new Cli.UsageError("--classpath " + path + ": " + e.getMessage(), e);
            }
        }
        return new AppClasspath(List.copyOf(paths), new URLClassLoader("tenantry-app", urls.toArray(URL[]::new), parent));
    }

    ClassLoader loader() {
        return loader;
    }

    boolean isEmpty() {
        return paths.isEmpty();
    }

    /**
     * The classes annotated {@code @Entity} in the application's jars and directories, in name order.
     *
     * @throws TenantryException naming a class that mentions {@code @Entity} but cannot be loaded (a missing
     *                           dependency: add its jar to {@code --classpath})
     */
    List<Class<?>> entities() {
        List<String> names = new ArrayList<>();
        try {
            for (Path path : paths) {
                if (Files.isDirectory(path)) {
                    try (Stream<Path> files = Files.walk(path)) {
                        for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                            if (mentionsEntity(Files.readAllBytes(file))) {
                                names.add(className(path.relativize(file).toString().replace('\\', '/')));
                            }
                        }
                    }
                } else {
                    try (JarFile jar = new JarFile(path.toFile())) {
                        for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                            JarEntry entry = entries.nextElement();
                            if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
                                try (InputStream in = jar.getInputStream(entry)) {
                                    if (mentionsEntity(in.readAllBytes())) {
                                        names.add(className(entry.getName()));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new TenantryException("Cannot read the application's classes (--classpath): " + e.getMessage(), e);
        }
        List<Class<?>> entities = new ArrayList<>();
        for (String name : names.stream().sorted().distinct().toList()) {
            try {
                Class<?> type = Class.forName(name, false, loader);
                if (type.isAnnotationPresent(jakarta.persistence.Entity.class)) {
                    entities.add(type);
                }
            } catch (ClassNotFoundException | LinkageError e) {
                throw new TenantryException("Cannot load entity class " + name + " from --classpath: " + e
                        + "; add the jars it needs to --classpath", e);
            }
        }
        return entities;
    }

    private static boolean mentionsEntity(byte[] bytes) {
        outer:
        for (int i = 0; i <= bytes.length - ENTITY.length; i++) {
            for (int j = 0; j < ENTITY.length; j++) {
                if (bytes[i + j] != ENTITY[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static String className(String file) {
        return file.substring(0, file.length() - ".class".length()).replace('/', '.');
    }

    @Override
    public void close() {
        if (loader instanceof URLClassLoader) {
            try {
                ((URLClassLoader) loader).close();
            } catch (IOException e) {
                // the jars close with the process
            }
        }
    }
}
