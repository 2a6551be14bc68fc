package dev.warmbox.devenv.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ActiveHoursTest {

    private static Instant at(String local, String zone) {
        return LocalDateTime.parse(local).atZone(ZoneId.of(zone)).toInstant();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            // 2026-11-23 is a Monday.
            "2026-11-23T08:59, false",
            "2026-11-23T09:00, true",
            "2026-11-23T12:34, true",
            "2026-11-23T18:00, true",
            "2026-11-23T18:01, false",
            "2026-11-23T23:00, false",
            "2026-11-28T12:00, false", // Saturday
            "2026-11-27T17:59, true"   // Friday
    })
    void theSeedsExampleIsActiveFromNineToSixOnWeekdays(String local, boolean active) {
        ActiveHours hours = ActiveHours.of("0 9-18 * * 1-5", "Europe/Berlin");
        assertThat(hours.active(at(local, "Europe/Berlin"))).isEqualTo(active);
    }

    @Test
    void theScheduleIsReadInItsOwnTimeZone() {
        ActiveHours berlin = ActiveHours.of("0 9-18 * * 1-5", "Europe/Berlin");
        // 08:30 UTC is 09:30 in Berlin (CET, UTC+1 in November): active there, not in UTC.
        Instant instant = Instant.parse("2026-11-23T08:30:00Z");
        assertThat(berlin.active(instant)).isTrue();
        assertThat(ActiveHours.of("0 9-18 * * 1-5", "UTC").active(instant)).isFalse();
    }

    @Test
    void theDefaultTimeZoneIsTheSeedsGmtPlusOne() {
        ActiveHours hours = ActiveHours.of("0 9-18 * * *", null);
        assertThat(hours.zone()).isEqualTo(ZoneId.of("GMT+1"));
        assertThat(hours.active(Instant.parse("2026-11-23T08:00:00Z"))).isTrue();
        assertThat(hours.active(Instant.parse("2026-11-23T07:59:00Z"))).isFalse();
    }

    @Test
    void everyMinuteOfAnHourRangeCoversTheWholeLastHour() {
        ActiveHours hours = ActiveHours.of("* 9-17 * * *", "UTC");
        assertThat(hours.active(Instant.parse("2026-11-23T17:59:00Z"))).isTrue();
        assertThat(hours.active(Instant.parse("2026-11-23T18:00:00Z"))).isFalse();
    }

    @Test
    void aScheduleWithGapsLongerThanAnHourIsActiveOnlyAtItsMatches() {
        ActiveHours hours = ActiveHours.of("0 9,14 * * *", "UTC");
        assertThat(hours.active(Instant.parse("2026-11-23T09:00:30Z"))).isTrue();
        assertThat(hours.active(Instant.parse("2026-11-23T11:00:00Z"))).isFalse();
    }

    @Test
    void badInputNamesTheField() {
        assertThatThrownBy(() -> ActiveHours.of("0 9-18 * *", "UTC")).hasMessageStartingWith("cronSchedule:");
        assertThatThrownBy(() -> ActiveHours.of("0 25 * * *", "UTC")).hasMessageStartingWith("cronSchedule:");
        assertThatThrownBy(() -> ActiveHours.of("0 9-18 * * *", "Mars/Olympus")).hasMessageStartingWith("cronTimezone:");
    }
}
