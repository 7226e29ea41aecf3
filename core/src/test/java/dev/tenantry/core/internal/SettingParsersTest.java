package dev.tenantry.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tenantry.core.InvalidConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingParsersTest {

    private static final String SETTING = "SOME_SETTING";

    @ParameterizedTest
    @CsvSource({
            "500ms, PT0.5S",
            "0ms, PT0S",
            "30s, PT30S",
            "10m, PT10M",
            "1h, PT1H",
            "2d, PT48H",
            "PT30S, PT30S",
            "pt30s, PT30S",
            "P1DT2H, PT26H",
            "' 15s ', PT15S",
            "'15 s', PT15S",
            "15S, PT15S",
            "15MS, PT0.015S",
            "999999999ms, PT277H46M39.999S"})
    void durationAcceptsShortAndIsoForms(String text, Duration expected) {
        assertThat(SettingParsers.duration(SETTING, text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "", "30", "s", "ms30", "1.5s", "1w", "1y", "-5s", "5 sec", "1h30m",
            "1000000000ms", "P", "PT"})
    void durationRefusesOtherTextNamingTheSetting(String text) {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> SettingParsers.duration(SETTING, text));

        assertThat(e).isNotNull();
        assertThat(e.setting()).isEqualTo(SETTING);
        assertThat(e.getMessage()).startsWith(SETTING + ": '" + text + "'");
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "' 7 ', 7", "+5, 5", "10000, 10000", "0, 0"})
    void integerAcceptsWholeNumbersInRange(String text, int expected) {
        assertThat(SettingParsers.integer(SETTING, text, 0, 10_000)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "1.0", "1e3", "-1", "10001", "2147483648", "0x10", "1 000"})
    void integerRefusesOtherTextAndOutOfRangeNamingTheSetting(String text) {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> SettingParsers.integer(SETTING, text, 0, 10_000));

        assertThat(e).isNotNull();
        assertThat(e.setting()).isEqualTo(SETTING);
        assertThat(e.getMessage()).contains("'" + text + "'").contains("from 0 to 10000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "TRUE", "yes", "Yes", "on", "1", " true "})
    void boolReadsTrue(String text) {
        assertThat(SettingParsers.bool(SETTING, text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "FALSE", "no", "No", "off", "0", " off "})
    void boolReadsFalse(String text) {
        assertThat(SettingParsers.bool(SETTING, text)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"maybe", "", "2", "y", "n", "t", "f", "enabled"})
    void boolRefusesOtherTextNamingTheSetting(String text) {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> SettingParsers.bool(SETTING, text));

        assertThat(e).isNotNull();
        assertThat(e.setting()).isEqualTo(SETTING);
        assertThat(e.getMessage()).isEqualTo(SETTING + ": '" + text + "' is not true or false");
    }

    @Test
    void durationRefusalGivesExamples() {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> SettingParsers.duration(SETTING, "later"));

        assertThat(e.getMessage()).contains("500ms").contains("30s").contains("10m").contains("1h").contains("PT30S");
    }
}
