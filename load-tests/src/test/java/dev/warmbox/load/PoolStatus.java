package dev.warmbox.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** One reading of GET /api/v1/warm-pool/status. */
record PoolStatus(long hits, long misses, Map<String, Pool> pools) {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Pool(int size, int available, int inUse) {}

    static PoolStatus parse(String body) {
        try {
            JsonNode root = JSON.readTree(body);
            Map<String, Pool> pools = new LinkedHashMap<>();
            root.path("pools").properties().forEach(e -> pools.put(e.getKey(), new Pool(
                    e.getValue().path("size").asInt(), e.getValue().path("available").asInt(), e.getValue().path("in_use").asInt())));
            if (!root.has("total_hits") || !root.has("total_misses")) throw new IOException("no total_hits/total_misses");
            return new PoolStatus(root.get("total_hits").asLong(), root.get("total_misses").asLong(), pools);
        } catch (IOException e) {
            throw new IllegalStateException("the status endpoint did not answer with the status document: " + body, e);
        }
    }

    /** Every pool holds its full size and nothing is in use or being scrubbed. */
    boolean settled() {
        return pools.values().stream().allMatch(p -> p.available() == p.size() && p.inUse() == 0);
    }

    int totalSize() {
        return pools.values().stream().mapToInt(Pool::size).sum();
    }
}
