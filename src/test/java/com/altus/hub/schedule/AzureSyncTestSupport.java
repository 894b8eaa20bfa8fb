package com.altus.hub.schedule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.springframework.jdbc.core.JdbcTemplate;

/** Sample blobs, edits of them, and table resets shared by the azure-sync tests. */
final class AzureSyncTestSupport {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path SAMPLES = Path.of(System.getProperty("hub.test.basedir", ".")).resolve("samples/azure-blobs");
    static final List<String> SAMPLE_BLOBS = List.of("1_schedules.json", "3_schedules.json", "7_schedules.json", "users.json");

    private AzureSyncTestSupport() {
    }

    static byte[] sample(String name) throws IOException {
        return Files.readAllBytes(SAMPLES.resolve(name));
    }

    static ObjectNode sampleJson(String name) throws IOException {
        return (ObjectNode) JSON.readTree(sample(name));
    }

    static byte[] bytes(JsonNode node) throws IOException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
    }

    /** Every user object of users.json, in file order (live nodes: edits change the document). */
    static List<ObjectNode> users(ObjectNode usersJson) {
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode g : usersJson.get("ServiceCompanyGroups")) {
            for (JsonNode c : g.get("ServiceCompanies")) {
                for (JsonNode u : c.get("Users")) {
                    out.add((ObjectNode) u);
                }
            }
        }
        return out;
    }

    static ArrayNode companyUsers(ObjectNode usersJson, int companyId) {
        for (JsonNode g : usersJson.get("ServiceCompanyGroups")) {
            for (JsonNode c : g.get("ServiceCompanies")) {
                if (c.get("ServiceCompanyId").asInt() == companyId) {
                    return (ArrayNode) c.get("Users");
                }
            }
        }
        throw new IllegalArgumentException("no company " + companyId);
    }

    static void resetTables(JdbcTemplate jdbc) {
        jdbc.execute("TRUNCATE schedule_data, user_profiles, auth_user_deletions, blob_state, companies, service_company_groups");
        jdbc.update("DELETE FROM dead_letters WHERE flow = 'azure-sync'");
    }

    /** The synced state in comparable form: every azure-sync table plus the stored objects' hashes. */
    static Map<String, Object> snapshot(JdbcTemplate jdbc, Map<String, String> objectHashes) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("groups", jdbc.queryForList("SELECT id, name, is_active, last_user_file_hash FROM service_company_groups ORDER BY id"));
        s.put("companies", jdbc.queryForList(
                "SELECT id, service_company_group_id, name, is_active, time_zone, feature_toggles::text FROM companies ORDER BY id"));
        s.put("users", jdbc.queryForList("""
                SELECT id::text, email, first_name, last_name, full_name, employee_information_id, roles::text,
                       service_company_id, auth_hash, auth_synced_hash FROM user_profiles ORDER BY id"""));
        s.put("days", jdbc.queryForList("""
                SELECT service_company_id, schedule_date::text, storage_path, job_count, content_hash, azure_blob_name,
                       azure_blob_hash FROM schedule_data ORDER BY 1, 2"""));
        s.put("blobs", jdbc.queryForList("SELECT blob_name, etag, content_md5 FROM blob_state ORDER BY 1"));
        s.put("objects", objectHashes);
        return s;
    }
}
