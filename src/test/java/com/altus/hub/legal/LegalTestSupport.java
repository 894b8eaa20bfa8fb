package com.altus.hub.legal;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.UUID;

import com.altus.hub.test.HubTestBase;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/** Requests and clean-up shared by the legal tests. */
final class LegalTestSupport {
    private LegalTestSupport() {
    }

    /** POST /api/legal/import with the file as multipart part {@code field}, as a browser or curl -F sends it. */
    static HttpResponse<String> upload(HttpClient http, String base, Path file, String field) throws Exception {
        String boundary = "----hubtest" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
                + file.getFileName() + "\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(Files.readAllBytes(file));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(http, base, "multipart/form-data; boundary=" + boundary, body.toByteArray());
    }

    static HttpResponse<String> upload(HttpClient http, String base, Path file) throws Exception {
        return upload(http, base, file, "file");
    }

    static HttpResponse<String> send(HttpClient http, String base, String contentType, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/api/legal/import"))
                .header("Authorization", "Bearer " + HubTestBase.TOKEN).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Empties the legal tables. The triggers refuse exactly this (closed cases, history), so it runs
     * with triggers off for this one session, as a database owner restoring a test database would.
     */
    static void wipeLegalTables(JdbcTemplate jdbc) {
        jdbc.execute((ConnectionCallback<Void>) c -> {
            try (Statement st = c.createStatement()) {
                st.execute("SET session_replication_role = replica");
                try {
                    st.execute("DELETE FROM legal_case_history");
                    st.execute("DELETE FROM legal_cases");
                    st.execute("DELETE FROM legal_import_rows");
                    st.execute("DELETE FROM legal_case_folders");
                } finally {
                    st.execute("SET session_replication_role = origin");
                }
            }
            return null;
        });
    }
}
