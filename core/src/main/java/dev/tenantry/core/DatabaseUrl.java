package dev.tenantry.core;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where the database is: a JDBC URL plus the user and password taken out of it. Accepts both
 * {@code jdbc:postgresql://host:port/db?...} and the libpq / Heroku form
 * {@code postgresql://user:password@host:port/db?sslmode=require}. Its {@link #toString()} never
 * shows the password.
 */
public final class DatabaseUrl {

    private static final String SETTING = "DATABASE_URL";
    /** Greedy up to the last '@', so a password holding unencoded '@', '/' or '?' is masked whole. */
    private static final Pattern USERINFO_PASSWORD = Pattern.compile("(://[^:/@?]*:).*@");
    private static final Pattern QUERY_PASSWORD = Pattern.compile("(?i)(password=)[^&]*");
    /** libpq spells some parameters differently from pgjdbc; the common ones are translated. */
    private static final Map<String, String> LIBPQ_TO_PGJDBC = Map.of(
            "application_name", "ApplicationName",
            "connect_timeout", "connectTimeout");

    private final String jdbcUrl;
    private final String user;
    private final String password;

    private DatabaseUrl(String jdbcUrl, String user, String password) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    /**
     * Parses either accepted form.
     *
     * @throws InvalidConfigurationException naming {@code DATABASE_URL}, with the password masked
     */
    public static DatabaseUrl parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new InvalidConfigurationException(SETTING, "is empty; expected jdbc:postgresql://host:port/db"
                    + " or postgresql://user:password@host:port/db");
        }
        String url = raw.strip();
        if (url.startsWith("jdbc:postgresql:")) {
            return parseJdbc(url);
        }
        for (String scheme : new String[] {"postgresql://", "postgres://"}) {
            if (url.startsWith(scheme)) {
                return parseLibpq(url, url.substring(scheme.length()));
            }
        }
        throw invalid(url, "expected jdbc:postgresql://host:port/db or postgresql://user:password@host:port/db");
    }

    private static DatabaseUrl parseJdbc(String url) {
        if (!url.startsWith("jdbc:postgresql://")) {
            throw invalid(url, "a JDBC URL must start with jdbc:postgresql://host");
        }
        String rest = url.substring("jdbc:postgresql://".length());
        int query = rest.indexOf('?');
        int at = rest.indexOf('@');
        if (at >= 0 && (query < 0 || at < query)) {
            throw invalid(url, "puts user:password@ before the host, which pgjdbc would read as the host name;"
                    + " use ?user=...&password=..., DATABASE_USER and DATABASE_PASSWORD, or the postgresql:// form");
        }
        checkHostAndPort(url, authorityOf(rest));
        return new DatabaseUrl(url, null, null);
    }

    private static DatabaseUrl parseLibpq(String url, String rest) {
        String user = null;
        String password = null;
        // The last '@' ends the user info, even when an unencoded password holds '@', '/' or '?'.
        int at = rest.lastIndexOf('@');
        String userInfo = at >= 0 ? rest.substring(0, at) : null;
        String hostAndRest = at >= 0 ? rest.substring(at + 1) : rest;
        String authority = authorityOf(hostAndRest);
        String afterAuthority = hostAndRest.substring(authority.length());
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(url, colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(url, userInfo.substring(colon + 1));
            if (user.isEmpty()) {
                user = null;
            }
        }
        checkHostAndPort(url, authority);
        String path = afterAuthority;
        String query = "";
        int question = afterAuthority.indexOf('?');
        if (question >= 0) {
            path = afterAuthority.substring(0, question);
            query = afterAuthority.substring(question + 1);
        }
        // The database name stays %-encoded: pgjdbc decodes it itself.
        String database = path.startsWith("/") ? path.substring(1) : "";
        if (decode(url, database).isEmpty()) {
            throw invalid(url, "names no database; add /dbname after the host");
        }
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(authority).append('/')
                .append(database);
        String separator = "?";
        for (String parameter : query.split("&")) {
            if (parameter.isEmpty()) {
                continue;
            }
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            String value = equals < 0 ? "" : parameter.substring(equals + 1);
            jdbc.append(separator).append(LIBPQ_TO_PGJDBC.getOrDefault(name, name)).append('=').append(value);
            separator = "&";
        }
        return new DatabaseUrl(jdbc.toString(), user, password);
    }

    private static String authorityOf(String rest) {
        int end = rest.length();
        for (char stop : new char[] {'/', '?'}) {
            int index = rest.indexOf(stop);
            if (index >= 0 && index < end) {
                end = index;
            }
        }
        return rest.substring(0, end);
    }

    private static void checkHostAndPort(String url, String hosts) {
        if (hosts.isEmpty()) {
            throw invalid(url, "names no host");
        }
        for (String hostAndPort : hosts.split(",")) {
            int bracket = hostAndPort.lastIndexOf(']');
            int colon = hostAndPort.lastIndexOf(':');
            if (colon > bracket) {
                String port = hostAndPort.substring(colon + 1);
                if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                    // The value is not echoed: an unencoded password can end up where the port should be.
                    throw invalid(url, "has a port that is not a number from 1 to 65535");
                }
                if (colon == 0) {
                    throw invalid(url, "names no host before the port");
                }
            }
        }
    }

    private static String decode(String url, String part) {
        try {
            return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid(url, "has a malformed %-escape in its user or password");
        }
    }

    private static InvalidConfigurationException invalid(String url, String problem) {
        return new InvalidConfigurationException(SETTING, "'" + redact(url) + "' " + problem);
    }

    /** Masks the password in a URL of either form, for logs and error messages. */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        String masked = USERINFO_PASSWORD.matcher(url).replaceAll("$1***@");
        return QUERY_PASSWORD.matcher(masked).replaceAll("$1***");
    }

    /** The URL pgjdbc understands; it may itself hold user and password parameters. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The user from a {@code postgresql://} URL, or {@code null} when the URL named none. */
    public String user() {
        return user;
    }

    /** The password from a {@code postgresql://} URL, or {@code null} when the URL named none. */
    public String password() {
        return password;
    }

    private String afterScheme() {
        return jdbcUrl.substring("jdbc:postgresql://".length());
    }

    private String hosts() {
        return authorityOf(afterScheme());
    }

    /** Whether the URL names several hosts (pgjdbc's failover form). */
    public boolean multipleHosts() {
        return hosts().contains(",");
    }

    /** The first host the URL names, as written (an IPv6 address keeps its brackets). */
    public String host() {
        String first = hosts().split(",")[0];
        int colon = first.lastIndexOf(':');
        return colon > first.lastIndexOf(']') ? first.substring(0, colon) : first;
    }

    /** The port of the first host, 5432 when the URL names none. */
    public int port() {
        String first = hosts().split(",")[0];
        int colon = first.lastIndexOf(':');
        return colon > first.lastIndexOf(']') ? Integer.parseInt(first.substring(colon + 1)) : 5432;
    }

    /** The database the URL names, or an empty string. */
    public String database() {
        String rest = afterScheme().substring(hosts().length());
        int question = rest.indexOf('?');
        String path = question < 0 ? rest : rest.substring(0, question);
        return path.startsWith("/") ? path.substring(1) : "";
    }

    /** The URL's parameters in order, as written (user and password among them, when the URL holds them). */
    public Map<String, String> parameters() {
        String rest = afterScheme();
        int question = rest.indexOf('?');
        Map<String, String> parameters = new java.util.LinkedHashMap<>();
        if (question >= 0) {
            for (String parameter : rest.substring(question + 1).split("&")) {
                if (!parameter.isEmpty()) {
                    int equals = parameter.indexOf('=');
                    parameters.put(equals < 0 ? parameter : parameter.substring(0, equals),
                            equals < 0 ? "" : parameter.substring(equals + 1));
                }
            }
        }
        return parameters;
    }

    @Override
    public String toString() {
        return redact(jdbcUrl) + (user == null ? "" : " (user " + user + ")");
    }
}
