package dev.warmbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Output output(Format format) {
        return new Output(format, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void aTableAlignsEachColumnToItsWidestCellAndShowsAbsentValuesAsADash() throws Exception {
        JsonNode answer = json("""
                {"projects": [
                  {"id": "p-1", "name": "course", "source": {"image": "warmbox/devenv-sample:latest"}, "classes": ["c-1", "c-2"]},
                  {"id": "p-22", "name": "x", "source": {"image": null}, "classes": []}]}""");
        output(Format.table).list(answer, "projects", "projects", List.of(
                Column.of("ID", "/id"), Column.of("NAME", "/name"), Column.of("IMAGE", "/source/image"), Column.of("CLASSES", "/classes")));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
                ID    NAME    IMAGE                         CLASSES
                p-1   course  warmbox/devenv-sample:latest  c-1,c-2
                p-22  x       -                             -
                """);
    }

    @Test
    void anEmptyListPrintsNothingOnStdoutAndSaysSoOnStderr() throws Exception {
        output(Format.table).list(json("{\"environments\": []}"), "environments", "environments", List.of(Column.of("ID", "/id")));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("warmbox: no environments\n");
    }

    @Test
    void jsonAndYamlPrintTheWholeAnswerUnchanged() throws Exception {
        JsonNode answer = json("{\"warmPools\": [{\"id\": \"w-1\", \"spec\": {\"specVersion\": \"3\", \"minSize\": 1}, \"extra\": null}]}");
        output(Format.json).list(answer, "warmPools", "warm pools", List.of(Column.of("ID", "/id")));
        assertThat(JSON.readTree(out.toString(StandardCharsets.UTF_8))).isEqualTo(answer);

        out.reset();
        output(Format.yaml).list(answer, "warmPools", "warm pools", List.of(Column.of("ID", "/id")));
        String yaml = out.toString(StandardCharsets.UTF_8);
        assertThat(yaml).doesNotStartWith("---").contains("specVersion: \"3\"");
        assertThat(new YAMLMapper().readTree(yaml)).as("a string that looks like a number stays a string").isEqualTo(answer);
    }

    @Test
    void oneItemIsShownAsAlignedFieldsOnOneLineEach() throws Exception {
        JsonNode item = json("{\"id\": \"e-1\", \"status\": {\"phase\": \"RUNNING\", \"failureMessage\": \"two\\nlines\"}}");
        output(Format.table).item(item, item, List.of(Column.of("ID", "/id"), Column.of("PHASE", "/status/phase"),
                Column.of("FAILURE", "/status/failureMessage")));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
                ID:      e-1
                PHASE:   RUNNING
                FAILURE: two lines
                """);
    }

    @Test
    void poolsJoinEachRuntimesCountsWithItsScalingAndSumUpTheHitRate() throws Exception {
        JsonNode status = json("""
                {"enabled": true, "pools": {"python": {"size": 2, "available": 1, "in_use": 1}},
                 "total_hits": 9, "total_misses": 1, "hit_rate": 0.9,
                 "scaling": {"python": {"target": 2, "min_size": 1, "max_size": 4, "waiting": 0}}}""");
        assertThat(Table.render(PoolsCommand.COLUMNS, PoolsCommand.rows(status))).isEqualTo("""
                RUNTIME  SIZE  AVAILABLE  IN_USE  TARGET  MIN  MAX  WAITING
                python   2     1          1       2       1    4    0
                """);
        assertThat(PoolsCommand.summary(status)).isEqualTo("pools enabled; hits 9, misses 1, hit rate 90.0%");
    }

    @Test
    void memoryIsShownInBinaryUnits() throws Exception {
        assertThat(ClassesCommand.bytes(json("1073741824"))).isEqualTo("1 GiB");
        assertThat(ClassesCommand.bytes(json("536870912"))).isEqualTo("512 MiB");
        assertThat(ClassesCommand.bytes(json("1000"))).isEqualTo("1000 B");
        assertThat(ClassesCommand.bytes(json("null"))).isEqualTo("-");
    }
}
