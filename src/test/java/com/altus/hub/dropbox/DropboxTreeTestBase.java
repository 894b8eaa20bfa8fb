package com.altus.hub.dropbox;

import java.nio.file.Files;

import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the drift and Team Space flow tests: one hub (one Spring context for all of them) whose
 * App Folder credential (DROPBOX_*) and Team Space credential (TEAM_DROPBOX_*, namespace found with
 * get_current_account) both point at one {@link FakeDropboxTree}.
 */
public abstract class DropboxTreeTestBase extends HubTestBase {
    protected static FakeDropboxTree fake;

    @DynamicPropertySource
    static void dropbox(DynamicPropertyRegistry registry) throws Exception {
        if (fake == null) {
            fake = new FakeDropboxTree(Files.createTempDirectory("fake-dropbox-tree"));
        }
        fake.appEnv().forEach((k, v) -> registry.add(k, () -> v));
        fake.teamEnv().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("hub.dropbox.max-attempts", () -> "4");
        registry.add("hub.drift.list-limit", () -> "500");
        registry.add("hub.drift.poll-interval", () -> "PT0.05S");
        registry.add("hub.teamspace.limit", () -> "50");
    }

    /** Runs a flow through the REST API and answers its run record. */
    protected JsonNode runFlow(String flow, String body) throws Exception {
        return json(post("/api/flows/" + flow + "/run", body));
    }
}
