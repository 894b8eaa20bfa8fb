package com.altus.hub.dropbox.drift;

import static com.altus.hub.dropbox.FakeDropboxTree.APP_NS;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.altus.hub.doorloop.normalize.GeneratedData;
import com.altus.hub.doorloop.normalize.NormalizeTestDb;
import com.altus.hub.doorloop.normalize.RawLoader;
import com.altus.hub.dropbox.DropboxTreeTestBase;
import com.altus.hub.dropbox.FolderMap;
import com.altus.hub.dropbox.FolderMap.Level;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * drift-detector against the fake Dropbox on gen_data.py data loaded and normalized by the hub:
 * the first run creates the whole tree with one listing and one batch, an unchanged run only lists,
 * renamed owners and a property whose primary owner changed are moved with their contents, a dry
 * run changes nothing, asynchronous batches, 429s and write contention are ridden out, and a file in
 * the way dead-letters only its entity, which a replay then heals.
 */
class DriftDetectorFlowTest extends DropboxTreeTestBase {
    static final String AS_OF = "2025-12-15";

    @Autowired
    DataSource dataSource;
    @Autowired
    FolderMap folders;

    Path data;

    @BeforeEach
    void load() throws Exception {
        fake.clear();
        NormalizeTestDb.truncate(jdbc);
        jdbc.update("DELETE FROM dead_letters WHERE flow = 'drift-detector'");
        data = GeneratedData.doorloop(12, AS_OF, 25);
        RawLoader.load(dataSource, data);
        JsonNode norm = runFlow("doorloop-normalize", null);
        assertThat(norm.get("status").asText()).as(norm.toString()).isEqualTo("succeeded");
    }

    private JsonNode drift(String extra) throws Exception {
        JsonNode run = runFlow("drift-detector", "{\"as_of\": \"" + AS_OF + "\"" + extra + "}");
        assertThat(run.has("id")).as(run.toString()).isTrue();
        return run;
    }

    private Map<String, Long> actions(long runId, String entity) {
        Map<String, Long> out = new HashMap<>();
        jdbc.query("SELECT action, count(*) FROM drift_audit WHERE run_id = ? AND entity = ? GROUP BY action",
                rs -> {
                    out.put(rs.getString(1), rs.getLong(2));
                }, runId, entity);
        return out;
    }

    private long apiCalls() {
        return fake.totalCalls();
    }

    private int appFolders() {
        return fake.folders(APP_NS, folders.ownersFolder()).size();
    }

    /** Leases the contract puts in the tree, counted from the generator's own files: active on D or starting after it. */
    private long tenanciesInRawData() throws Exception {
        LocalDate d = LocalDate.parse(AS_OF);
        long n = 0;
        for (JsonNode l : RawLoader.records(data, "leases")) {
            if (!"ACTIVE".equalsIgnoreCase(l.path("status").asText()) || l.path("start").isNull()) {
                continue;
            }
            LocalDate start = LocalDate.parse(l.get("start").asText());
            boolean open = l.path("end").isNull() || !LocalDate.parse(l.get("end").asText()).isBefore(d)
                    || "AtWill".equalsIgnoreCase(l.path("term").asText());
            if (start.isAfter(d) || open) {
                n++;
            }
        }
        return n;
    }

    /** A tenancy's folder computed from the raw files (primary owner, first unit, primary tenant). */
    private String tenancyPathFromRawData() throws Exception {
        Map<String, JsonNode> owners = byId("owners");
        Map<String, JsonNode> props = byId("properties");
        Map<String, JsonNode> units = byId("units");
        Map<String, JsonNode> tenants = byId("tenants");
        JsonNode lease = RawLoader.records(data, "leases").stream()
                .filter(l -> "ACTIVE".equals(l.path("status").asText()) && l.path("end").isNull()).findFirst().orElseThrow();
        JsonNode primaryTenant = RawLoader.records(data, "leases_tenants").stream()
                .filter(lt -> lt.get("lease").asText().equals(lease.get("id").asText()))
                .min(Comparator.comparing((JsonNode lt) -> lt.get("moveInAt").asText()).thenComparing(lt -> lt.get("tenant").asText()))
                .orElseThrow();
        JsonNode prop = props.get(lease.get("property").asText());
        JsonNode ownerLink = null;
        for (JsonNode o : prop.get("owners")) {
            if (ownerLink == null || o.get("ownershipPercentage").decimalValue().compareTo(ownerLink.get("ownershipPercentage").decimalValue()) > 0) {
                ownerLink = o;
            }
        }
        JsonNode owner = owners.get(ownerLink.get("owner").asText());
        String ownerName = owner.path("fullName").isTextual() ? owner.get("fullName").asText() : owner.get("companyName").asText();
        JsonNode unit = units.get(lease.get("units").get(0).asText());
        String p = folders.ownerPath(ownerName, owner.get("id").asText());
        p = folders.propertyPath(p, prop.get("name").asText(), prop.get("id").asText());
        p = folders.unitPath(p, unit.get("name").asText(), unit.get("id").asText());
        return folders.tenancyPath(p, tenants.get(primaryTenant.get("tenant").asText()).get("fullName").asText(),
                lease.get("id").asText());
    }

    private Map<String, JsonNode> byId(String resource) throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode r : RawLoader.records(data, resource)) {
            out.put(r.get("id").asText(), r);
        }
        return out;
    }

    @Test
    void theFirstRunCreatesTheTreeWithOneListingAndOneBatchAndAnUnchangedRunOnlyLists() throws Exception {
        JsonNode first = drift("");
        assertThat(first.get("status").asText()).as(first.toString()).isEqualTo("succeeded");
        long runId = first.get("id").asLong();
        JsonNode stats = first.get("stats");

        // one drift_audit row per entity, all created
        assertThat(actions(runId, "owner")).containsOnly(Map.entry("created", (long) RawLoader.records(data, "owners").size()));
        assertThat(actions(runId, "property")).containsOnly(Map.entry("created", (long) RawLoader.records(data, "properties").size()));
        assertThat(actions(runId, "unit")).containsOnly(Map.entry("created", (long) RawLoader.records(data, "units").size()));
        assertThat(actions(runId, "tenancy")).containsOnly(Map.entry("created", tenanciesInRawData()));

        // every entity folder and sub-folder is there
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT entity, path FROM drift_audit WHERE run_id = ?", runId);
        for (Map<String, Object> r : rows) {
            Level level = Level.valueOf(((String) r.get("entity")).toUpperCase());
            for (String sub : FolderMap.subfolders(level, (String) r.get("path"))) {
                assertThat(fake.exists(APP_NS, sub)).as(sub).isTrue();
            }
        }
        String tenancy = tenancyPathFromRawData();
        assertThat(fake.exists(APP_NS, tenancy + "/02_Lease/Signed")).as(tenancy).isTrue();
        assertThat(stats.get("folders_created").asLong()).isEqualTo(appFolders());

        // the fewest calls: the listing (the tree was not there), one create_folder_batch, nothing else
        assertThat(fake.calls("list_folder")).isEqualTo(1);
        assertThat(fake.calls("create_folder_batch")).isEqualTo(1);
        assertThat(apiCalls()).isEqualTo(2);
        long bound = stats.get("listing_calls").asLong() + (long) Math.ceil(stats.get("folders_created").asLong() / 10_000.0)
                + stats.get("batch_check_calls").asLong() + stats.get("move_calls").asLong();
        assertThat(apiCalls()).isLessThanOrEqualTo(bound);

        // unchanged: only listing calls (pages of 500), nothing created
        int before = appFolders();
        fake.resetCalls();
        JsonNode second = drift("");
        assertThat(second.get("status").asText()).as(second.toString()).isEqualTo("succeeded");
        long pages = (long) Math.ceil(before / 500.0);
        assertThat(fake.calls("list_folder")).isEqualTo(1);
        assertThat(fake.calls("list_folder/continue")).isEqualTo(pages - 1);
        assertThat(apiCalls()).isEqualTo(pages);
        assertThat(appFolders()).isEqualTo(before);
        assertThat(second.get("stats").get("folders_listed").asLong()).isEqualTo(before);
        JsonNode listArg = mapper.readTree(fake.http().requests(r -> r.path().equals("/2/files/list_folder")).get(0).bodyText());
        assertThat(listArg.get("path").asText()).isEqualTo(folders.ownersFolder());
        assertThat(listArg.get("recursive").asBoolean()).isTrue();
        assertThat(listArg.get("limit").asInt()).isEqualTo(500);
        long secondId = second.get("id").asLong();
        for (String entity : List.of("owner", "property", "unit", "tenancy")) {
            assertThat(actions(secondId, entity).keySet()).containsOnly("exists");
        }
    }

    @Test
    void renamesAndANewPrimaryOwnerMoveFoldersWithTheirContentsWithoutDuplicates() throws Exception {
        assertThat(drift("").get("status").asText()).isEqualTo("succeeded");
        Map<String, Object> owner = jdbc.queryForMap("""
                SELECT o.id, o.doorloop_id, o.full_name FROM normalized_owners o
                WHERE EXISTS (SELECT 1 FROM normalized_property_owners po WHERE po.owner_id = o.id) ORDER BY o.doorloop_id LIMIT 1""");
        String ownerKey = (String) owner.get("doorloop_id");
        String oldOwnerPath = jdbc.queryForObject("SELECT path FROM drift_audit WHERE entity = 'owner' AND key = ? "
                + "ORDER BY id DESC LIMIT 1", String.class, ownerKey);
        // a document inside the owner's tree, and one in a property of another owner
        String deepFolder = jdbc.queryForObject("""
                SELECT a.path FROM drift_audit a WHERE a.entity = 'tenancy' AND a.path LIKE ? ORDER BY a.id DESC LIMIT 1""",
                String.class, oldOwnerPath + "/%");
        String doc = deepFolder + "/02_Lease/Signed/lease.pdf";
        String hash = fake.putFile(APP_NS, doc, "signed lease".getBytes());

        Map<String, Object> other = jdbc.queryForMap("""
                SELECT p.id, p.doorloop_id FROM normalized_properties p JOIN normalized_property_owners po ON po.property_id = p.id
                WHERE po.owner_id <> ?::uuid ORDER BY p.doorloop_id LIMIT 1""", owner.get("id").toString());
        String propertyKey = (String) other.get("doorloop_id");
        String oldPropertyPath = jdbc.queryForObject("SELECT path FROM drift_audit WHERE entity = 'property' AND key = ? "
                + "ORDER BY id DESC LIMIT 1", String.class, propertyKey);
        fake.putFile(APP_NS, oldPropertyPath + "/03_Photos/front.jpg", "jpeg".getBytes());
        int before = appFolders();

        // the owner is renamed; the other property gets a new primary owner (the renamed one, with a bigger share)
        jdbc.update("UPDATE normalized_owners SET full_name = 'Renamed Owner' WHERE doorloop_id = ?", ownerKey);
        jdbc.update("""
                INSERT INTO normalized_property_owners (id, doorloop_id, property_id, owner_id, ownership_percentage, position)
                VALUES (gen_random_uuid(), ?, ?::uuid, ?::uuid, 150, 9)""",
                propertyKey + ":" + ownerKey, other.get("id").toString(), owner.get("id").toString());
        fake.resetCalls();
        JsonNode run = drift("");
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        long runId = run.get("id").asLong();

        String newOwnerPath = folders.ownerPath("Renamed Owner", ownerKey);
        String newPropertyPath = jdbc.queryForObject("SELECT path FROM drift_audit WHERE run_id = ? AND entity = 'property' AND key = ?",
                String.class, runId, propertyKey);
        assertThat(newPropertyPath).startsWith(newOwnerPath + "/10_AUM/");
        assertThat(fake.exists(APP_NS, oldOwnerPath)).isFalse();
        assertThat(fake.exists(APP_NS, oldPropertyPath)).isFalse();
        assertThat(fake.item(APP_NS, newOwnerPath + doc.substring(oldOwnerPath.length())).contentHash()).isEqualTo(hash);
        assertThat(fake.exists(APP_NS, newPropertyPath + "/03_Photos/front.jpg")).isTrue();
        assertThat(appFolders()).as("moved, not duplicated").isEqualTo(before);
        assertThat(fake.calls("move_v2")).isEqualTo(2);
        assertThat(fake.calls("create_folder_batch")).isZero();

        Map<String, Object> moved = jdbc.queryForMap("SELECT action, previous_path, detail FROM drift_audit WHERE run_id = ? "
                + "AND entity = 'owner' AND key = ?", runId, ownerKey);
        assertThat(moved.get("action")).isEqualTo("moved");
        assertThat(moved.get("previous_path")).isEqualTo(oldOwnerPath.toLowerCase());
        assertThat(actions(runId, "property")).containsEntry("moved", 1L);
        assertThat(run.get("stats").get("entities_moved").asLong()).isEqualTo(2);
        assertThat(run.get("stats").get("folders_moved").asLong()).isEqualTo(2);
    }

    @Test
    void aDryRunReportsThePlanAndChangesNothing() throws Exception {
        JsonNode dry = drift(", \"dry_run\": 1");
        assertThat(dry.get("status").asText()).as(dry.toString()).isEqualTo("succeeded");
        JsonNode stats = dry.get("stats");
        assertThat(stats.get("dry_run").asBoolean()).isTrue();
        assertThat(stats.get("would_create").asLong()).isEqualTo(stats.get("entities_total").asLong());
        assertThat(stats.get("would_create_folders").asLong()).isPositive();
        assertThat(stats.get("plan").get(0).asText()).startsWith("create " + folders.ownersFolder());
        assertThat(appFolders()).isZero();
        assertThat(fake.calls("create_folder_batch") + fake.calls("move_v2")).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM drift_audit WHERE run_id = ?", Long.class, dry.get("id").asLong())).isZero();

        // a real run then creates exactly what the dry run announced
        JsonNode real = drift("");
        assertThat(real.get("stats").get("folders_created").asLong()).isEqualTo(stats.get("would_create_folders").asLong());
    }

    @Test
    void asynchronousBatchesRateLimitsAndWriteContentionAreRiddenOut() throws Exception {
        fake.asyncBatches(2);
        fake.contendNextEntries(3);
        fake.http().failNext(r -> r.path().equals("/2/files/create_folder_batch"), 1, 429,
                "{\"error_summary\":\"too_many_requests/..\",\"error\":{\"reason\":{\".tag\":\"too_many_requests\"},\"retry_after\":1}}", "1");
        JsonNode run = drift("");
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        JsonNode stats = run.get("stats");
        // two batches (all folders, then the 3 refused for contention), each checked until done (2 in progress + complete)
        assertThat(stats.get("batch_calls").asLong()).isEqualTo(2);
        assertThat(stats.get("batch_check_calls").asLong()).isEqualTo(6);
        assertThat(stats.get("folders_retried").asLong()).isEqualTo(3);
        assertThat(fake.calls("create_folder_batch")).isEqualTo(2);
        assertThat(fake.http().requests(r -> r.path().equals("/2/files/create_folder_batch"))).as("the 429 was retried").hasSize(3);
        assertThat(actions(run.get("id").asLong(), "tenancy").keySet()).containsOnly("created");
        assertThat(stats.get("folders_created").asLong()).isEqualTo(appFolders());
    }

    @Test
    void aFileInTheWayDeadLettersItsEntityAloneAndAReplayHealsIt() throws Exception {
        String ownerKey = jdbc.queryForObject("SELECT doorloop_id FROM normalized_owners ORDER BY doorloop_id LIMIT 1", String.class);
        String name = jdbc.queryForObject("SELECT full_name FROM normalized_owners WHERE doorloop_id = ?", String.class, ownerKey);
        String ownerPath = folders.ownerPath(name, ownerKey);
        fake.putFile(APP_NS, ownerPath + "/03_Tax", "a file where a folder belongs".getBytes());
        JsonNode run = drift("");
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("partial");
        long runId = run.get("id").asLong();
        Map<String, Object> row = jdbc.queryForMap("SELECT action, detail FROM drift_audit WHERE run_id = ? AND entity = 'owner' "
                + "AND key = ?", runId, ownerKey);
        assertThat(row.get("action")).isEqualTo("error");
        assertThat((String) row.get("detail")).contains("path/conflict/file");
        assertThat(actions(runId, "owner")).containsEntry("error", 1L);
        assertThat(actions(runId, "tenancy").keySet()).containsOnly("created");
        Map<String, Object> letter = jdbc.queryForMap("SELECT id, route_id, entity_type, entity_key FROM dead_letters "
                + "WHERE flow = 'drift-detector' AND status = 'pending'");
        assertThat(letter.get("route_id")).isEqualTo("drift-detector-batch");
        assertThat(letter.get("entity_type")).isEqualTo("owner");
        assertThat(letter.get("entity_key")).isEqualTo(ownerKey);

        // the operator removes the file; the replay creates that owner's folders only
        fake.delete(APP_NS, ownerPath + "/03_Tax");
        fake.resetCalls();
        JsonNode replay = json(post("/api/dlq/replay", "{\"ids\": [" + letter.get("id") + "]}"));
        assertThat(replay.get("succeeded").asInt()).as(replay.toString()).isEqualTo(1);
        assertThat(fake.exists(APP_NS, ownerPath + "/03_Tax")).isTrue();
        assertThat(fake.calls("create_folder_batch")).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT action FROM drift_audit WHERE entity = 'owner' AND key = ? ORDER BY id DESC LIMIT 1",
                String.class, ownerKey)).isEqualTo("created");
        JsonNode next = drift("");
        assertThat(next.get("status").asText()).isEqualTo("succeeded");
        assertThat(actions(next.get("id").asLong(), "owner").keySet()).containsOnly("exists");
    }
}
