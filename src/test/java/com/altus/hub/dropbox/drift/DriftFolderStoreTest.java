package com.altus.hub.dropbox.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.altus.hub.doorloop.normalize.GeneratedData;
import com.altus.hub.doorloop.normalize.NormalizeTestDb;
import com.altus.hub.doorloop.normalize.RawLoader;
import com.altus.hub.dropbox.FolderDropboxStore;
import com.altus.hub.dropbox.FolderMap;
import com.altus.hub.dropbox.FolderMap.Level;
import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * drift-detector on the embedded default (no Dropbox credential): the folder store gets the same
 * tree, a rename moves the local folder with its files, an unchanged run creates nothing.
 */
class DriftFolderStoreTest extends HubTestBase {
    static final String AS_OF = "2025-12-15";

    @Autowired
    DataSource dataSource;
    @Autowired
    FolderMap folders;
    @Autowired
    com.altus.hub.dropbox.DropboxStore store;

    private JsonNode drift() throws Exception {
        return json(post("/api/flows/drift-detector/run", "{\"as_of\": \"" + AS_OF + "\"}"));
    }

    @Test
    void theFolderStoreGetsTheTreeAndRenamesMoveLocalFolders() throws Exception {
        assertThat(store).isInstanceOf(FolderDropboxStore.class);
        FolderDropboxStore local = (FolderDropboxStore) store;
        Path owners = local.local(folders.ownersFolder());
        if (Files.exists(owners)) {
            try (Stream<Path> walk = Files.walk(owners)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        NormalizeTestDb.truncate(jdbc);
        RawLoader.load(dataSource, GeneratedData.doorloop(6, AS_OF, 25));
        assertThat(json(post("/api/flows/doorloop-normalize/run", null)).get("status").asText()).isEqualTo("succeeded");

        JsonNode first = drift();
        assertThat(first.get("status").asText()).as(first.toString()).isEqualTo("succeeded");
        assertThat(first.get("stats").get("store").asText()).isEqualTo("folder");
        long runId = first.get("id").asLong();
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT entity, path, action FROM drift_audit WHERE run_id = ?", runId);
        assertThat(rows).isNotEmpty().allSatisfy(r -> assertThat(r.get("action")).isEqualTo("created"));
        for (Map<String, Object> r : rows) {
            Level level = Level.valueOf(((String) r.get("entity")).toUpperCase());
            for (String sub : FolderMap.subfolders(level, (String) r.get("path"))) {
                assertThat(local.local(sub)).isDirectory();
            }
        }
        long dirs;
        try (Stream<Path> walk = Files.walk(owners)) {
            dirs = walk.filter(Files::isDirectory).count() - 1;
        }
        assertThat(first.get("stats").get("folders_created").asLong()).isEqualTo(dirs);

        // a document in an owner's folder, then the owner is renamed
        Map<String, Object> owner = jdbc.queryForMap("SELECT key AS doorloop_id, path FROM drift_audit WHERE run_id = ? AND entity = 'owner' "
                + "ORDER BY key LIMIT 1", runId);
        Path doc = local.local(owner.get("path") + "/04_Comms/letter.txt");
        Files.writeString(doc, "hello");
        jdbc.update("UPDATE normalized_owners SET full_name = 'Ölaf Renamed', company_name = NULL WHERE doorloop_id = ?",
                owner.get("doorloop_id"));
        JsonNode second = drift();
        assertThat(second.get("status").asText()).as(second.toString()).isEqualTo("succeeded");
        String renamed = folders.ownerPath("Ölaf Renamed", (String) owner.get("doorloop_id"));
        assertThat(renamed).contains("/olaf-renamed-");
        assertThat(local.local(renamed + "/04_Comms/letter.txt")).hasContent("hello");
        assertThat(local.local((String) owner.get("path"))).doesNotExist();
        assertThat(second.get("stats").get("folders_created").asLong()).isZero();
        assertThat(second.get("stats").get("folders_moved").asLong()).isEqualTo(1);
        try (Stream<Path> walk = Files.walk(owners)) {
            assertThat(walk.filter(Files::isDirectory).count() - 1).as("moved, not duplicated").isEqualTo(dirs);
        }

        JsonNode third = drift();
        assertThat(third.get("stats").get("entities_exists").asLong()).isEqualTo(third.get("stats").get("entities_total").asLong());
        assertThat(third.get("stats").get("folders_created").asLong()).isZero();
    }

    @Test
    void teamspaceMigrateWithoutTheTeamCredentialFailsWithAConfigurationErrorNamingTheVariables() throws Exception {
        JsonNode run = json(post("/api/flows/teamspace-migrate/run", null));
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("failed");
        String error = run.get("error").asText();
        assertThat(error).contains("TEAM_DROPBOX_APP_KEY", "TEAM_DROPBOX_APP_SECRET", "TEAM_DROPBOX_REFRESH_TOKEN",
                "configuration error");
        assertThat(error).doesNotContain("\tat ", "Exception");
        assertThat(jdbc.queryForObject("SELECT error FROM sync_jobs WHERE id = ?", String.class, run.get("id").asLong()))
                .isEqualTo(error);
    }
}
