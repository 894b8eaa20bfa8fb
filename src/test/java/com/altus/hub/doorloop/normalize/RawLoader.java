package com.altus.hub.doorloop.normalize;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.postgresql.PGConnection;

/**
 * Test-side stand-in for doorloop-sync: loads recorded DoorLoop pages
 * ({@code <dir>/<resource>/page-NNNN.json}) into doorloop_raw_* with COPY into a staging table and
 * one upsert per table (content_hash = md5 of the JSON text; unchanged rows are not touched).
 * Work orders are the tasks of type WORK_ORDER, also kept in doorloop_raw_work_orders.
 */
public final class RawLoader {
    /** Resource directory -> raw table suffix, in DoorLoop's resource order. */
    public static final Map<String, String> RESOURCES = new LinkedHashMap<>();

    static {
        RESOURCES.put("properties", "properties");
        RESOURCES.put("units", "units");
        RESOURCES.put("tenants", "tenants");
        RESOURCES.put("owners", "owners");
        RESOURCES.put("leases", "leases");
        RESOURCES.put("leases_tenants", "lease_tenants");
        RESOURCES.put("lease-payments", "lease_payments");
        RESOURCES.put("tasks", "tasks");
        RESOURCES.put("vendors", "vendors");
        RESOURCES.put("users", "users");
    }

    /** Reads numbers as exact decimals, so money is written back exactly as recorded. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private RawLoader() {
    }

    /** Reads every record of a resource directory, pages in order. */
    public static List<JsonNode> records(Path dir, String resource) throws IOException {
        Path d = dir.resolve(resource);
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isDirectory(d)) {
            return out;
        }
        List<Path> pages;
        try (Stream<Path> s = Files.list(d)) {
            pages = s.filter(p -> p.getFileName().toString().matches("page-\\d+\\.json")).sorted().toList();
        }
        for (Path p : pages) {
            for (JsonNode r : JSON.readTree(p.toFile()).get("data")) {
                out.add(r);
            }
        }
        return out;
    }

    /** Loads a whole recorded directory; answers the number of records per raw table. */
    public static Map<String, Integer> load(DataSource ds, Path dir) throws IOException, SQLException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        try (Connection c = ds.getConnection()) {
            for (Map.Entry<String, String> e : RESOURCES.entrySet()) {
                List<JsonNode> recs = records(dir, e.getKey());
                counts.put(e.getValue(), upsert(c, e.getValue(), e.getKey(), recs));
                if (e.getValue().equals("tasks")) {
                    List<JsonNode> wos = recs.stream().filter(r -> "WORK_ORDER".equals(r.path("type").asText())).toList();
                    counts.put("work_orders", upsert(c, "work_orders", "tasks", wos));
                }
            }
        }
        return counts;
    }

    /** Upserts records into doorloop_raw_{table}; answers how many were given. */
    public static int upsert(Connection c, String table, String endpoint, List<JsonNode> records) throws SQLException, IOException {
        if (!table.matches("[a-z_]+")) {
            throw new IllegalArgumentException("bad table " + table);
        }
        StringBuilder csv = new StringBuilder();
        for (JsonNode r : records) {
            String text = JSON.writeValueAsString(r);
            csv.append(csvField(r.get("id").asText())).append(',').append(csvField(text)).append(',')
                    .append(csvField(endpoint)).append('\n');
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE IF NOT EXISTS raw_stage (id text, data jsonb, source_endpoint text) ON COMMIT DELETE ROWS");
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "COPY raw_stage (id, data, source_endpoint) FROM STDIN WITH (FORMAT csv)", new StringReader(csv.toString()));
            st.execute("INSERT INTO doorloop_raw_" + table + " AS t (id, data, content_hash, source_endpoint)"
                    + " SELECT id, data, md5(data::text), source_endpoint FROM raw_stage"
                    + " ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, content_hash = EXCLUDED.content_hash,"
                    + " changed_at = now(), deleted_at = NULL"
                    + " WHERE t.content_hash IS DISTINCT FROM EXCLUDED.content_hash OR t.deleted_at IS NOT NULL");
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
        return records.size();
    }

    private static String csvField(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
