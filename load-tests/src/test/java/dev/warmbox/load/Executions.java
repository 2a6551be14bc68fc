package dev.warmbox.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.http.HttpDsl.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Choice;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The Gatling pieces every simulation shares: the protocol, one execution, a verdict request. */
final class Executions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Executions() {}

    /**
     * Connections are shared like an application's client pool. No warm-up request: Gatling's default
     * one goes to an outside address, and load tests send traffic only to the server under test.
     */
    static HttpProtocolBuilder protocol(LoadSettings settings) {
        return http.baseUrl(settings.url().toString())
                .header("X-API-Key", settings.apiKey())
                .acceptHeader("application/json")
                .contentTypeHeader("application/json")
                .shareConnections()
                .disableWarmUp();
    }

    /** The request name of a language's executions, used in the report and in the p99 assertions. */
    static String requestName(String language) {
        return "execute " + language;
    }

    /**
     * POST /execute of the language's program; OK only with status 200, the expected output and exit
     * code 0. The answer's {@code pool} field (hit or miss) is tallied.
     */
    static ChainBuilder execute(String language, PoolTally tally) {
        return execute(requestName(language), language, tally);
    }

    /** Warm-up executions: named apart so they stay out of the p99 assertions, and not tallied. */
    static ChainBuilder warmUp(String language) {
        return execute("warm-up " + language, language, new PoolTally());
    }

    private static ChainBuilder execute(String name, String language, PoolTally tally) {
        String body = json(Map.of("language", language, "code", Programs.code(language)));
        return exec(http(name).post("/execute")
                        .body(StringBody(session -> body))
                        .check(status().is(200),
                                jmesPath("stdout").is(Programs.EXPECTED_OUTPUT),
                                jmesPath("exit_code").ofInt().is(0),
                                jmesPath("pool").saveAs("pool"),
                                responseTimeInMillis().saveAs("millis")))
                .exec(session -> {
                    if (session.contains("pool") && !session.isFailed()) {
                        tally.record(language, session.getString("pool"), session.getInt("millis"));
                    }
                    return session.remove("pool").remove("millis");
                });
    }

    /**
     * One execution of a language drawn by weight: a population injected at the sum of the rates then
     * runs each language at its own rate (as Poisson arrivals when randomized).
     */
    static ChainBuilder mix(Map<String, Double> ratePerLanguage, PoolTally tally) {
        return mix(ratePerLanguage, language -> execute(language, tally));
    }

    /** The first wave of a burst: tallied, but named apart so the p99 assertions judge the later waves. */
    static ChainBuilder firstWaveMix(Map<String, Double> ratePerLanguage, PoolTally tally) {
        return mix(ratePerLanguage, language -> execute("first wave " + language, language, tally));
    }

    static ChainBuilder warmUpMix(Map<String, Double> ratePerLanguage) {
        return mix(ratePerLanguage, Executions::warmUp);
    }

    private static ChainBuilder mix(Map<String, Double> ratePerLanguage, Function<String, ChainBuilder> execution) {
        double total = totalRate(ratePerLanguage);
        if (ratePerLanguage.size() == 1) return execution.apply(ratePerLanguage.keySet().iterator().next());
        List<Choice.WithWeight> choices = new ArrayList<>();
        ratePerLanguage.forEach((language, rate) ->
                choices.add(new Choice.WithWeight(100.0 * rate / total, execution.apply(language))));
        return randomSwitch().on(choices);
    }

    static double totalRate(Map<String, Double> ratePerLanguage) {
        return ratePerLanguage.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /**
     * A request whose check is a verdict on the body of GET {@code path}: it fails, with the reason as
     * the check's message, unless the verdict is {@link Verdicts#OK}. That failure fails the run's
     * zero-failed-requests assertion.
     */
    static ChainBuilder verdict(String name, String path, Function<String, String> verdict) {
        return exec(http(name).get(path).check(status().is(200), bodyString().transform(verdict).is(Verdicts.OK).logActualValueInError(true)));
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
