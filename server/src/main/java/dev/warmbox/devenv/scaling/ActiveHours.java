package dev.warmbox.devenv.scaling;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * A pool's active hours, as CodeCanvas's standby pool states them: a crontab schedule (MIN HOUR DAY
 * MONTH DAYOFWEEK) in a time zone; outside them the pool is kept empty.
 *
 * <p>A schedule names instants, but active hours are spans. The rule: the pool is active at a matching
 * minute, and between two consecutive matches at most an hour apart. So {@code 0 9-18 * * 1-5} (matches
 * at 9:00, 10:00, ..., 18:00) is active from 9:00 to 18:00 on weekdays, which is how the seed reads it,
 * and {@code * 9-17 * * *} from 9:00 to 17:59.
 */
public record ActiveHours(String schedule, ZoneId zone, ExecutionTime executions) {
    /** CodeCanvas's default time zone for the schedule. */
    public static final ZoneId DEFAULT_ZONE = ZoneId.of("GMT+1");
    private static final Duration LONGEST_GAP = Duration.ofHours(1);
    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    /**
     * Parses a schedule and a zone id; both come from API input, so a bad one is an
     * {@link IllegalArgumentException} whose message names the field.
     */
    public static ActiveHours of(String schedule, String zone) {
        ZoneId zoneId;
        try {
            zoneId = zone == null || zone.isBlank() ? DEFAULT_ZONE : ZoneId.of(zone.strip());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("cronTimezone: '" + zone + "' is not a time zone (e.g. Europe/Berlin, UTC, GMT+1)");
        }
        if (schedule == null || schedule.strip().split("\\s+").length != 5) {
            throw new IllegalArgumentException("cronSchedule: '" + schedule + "' must have five fields: MIN HOUR DAY MONTH DAYOFWEEK");
        }
        try {
            return new ActiveHours(schedule.strip(), zoneId, ExecutionTime.forCron(UNIX.parse(schedule.strip())));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cronSchedule: '" + schedule + "' is not a crontab schedule: " + e.getMessage());
        }
    }

    /** Whether the pool should hold instances at this instant. */
    public boolean active(Instant now) {
        ZonedDateTime minute = now.atZone(zone).truncatedTo(ChronoUnit.MINUTES);
        if (executions.isMatch(minute)) return true;
        Optional<ZonedDateTime> previous = executions.lastExecution(minute);
        Optional<ZonedDateTime> next = executions.nextExecution(minute);
        return previous.isPresent() && next.isPresent()
                && Duration.between(previous.get(), next.get()).compareTo(LONGEST_GAP) <= 0;
    }
}
