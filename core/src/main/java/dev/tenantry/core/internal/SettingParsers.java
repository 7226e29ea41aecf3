package dev.tenantry.core.internal;

import dev.tenantry.core.InvalidConfigurationException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses setting values from text, failing with the setting's name in the message. Not API. */
public final class SettingParsers {

    private static final Pattern SHORT_DURATION = Pattern.compile("([0-9]{1,9})\\s*(ms|s|m|h|d)");

    private SettingParsers() {
    }

    /** Reads {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, {@code 2d} or ISO-8601 such as {@code PT30S}. */
    public static Duration duration(String setting, String value) {
        String text = value.strip().toLowerCase(Locale.ROOT);
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = SHORT_DURATION.matcher(text);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            switch (matcher.group(2)) {
                case "ms": return Duration.ofMillis(amount);
                case "s": return Duration.ofSeconds(amount);
                case "m": return Duration.ofMinutes(amount);
                case "h": return Duration.ofHours(amount);
                default: return Duration.ofDays(amount);
            }
        }
        try {
            return Duration.parse(text.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new InvalidConfigurationException(setting, "'" + value
                    + "' is not a duration; write it like 500ms, 30s, 10m, 1h or PT30S");
        }
    }

    public static int integer(String setting, String value, int min, int max) {
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed range
        }
        throw new InvalidConfigurationException(setting, "'" + value + "' is not a whole number from " + min + " to " + max);
    }

    public static boolean bool(String setting, String value) {
        switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on": case "1": return true;
            case "false": case "no": case "off": case "0": return false;
            default: throw new InvalidConfigurationException(setting, "'" + value + "' is not true or false");
        }
    }
}
