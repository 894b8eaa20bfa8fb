package com.altus.hub.doorloop;

import java.nio.file.Path;

import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One hub for the route-level DoorLoop tests (its subclasses share the Spring context): the
 * DoorLoop API is {@link FakeDoorLoop} seeded with samples/doorloop, behind a {@link StallingProxy}
 * that can stop an answer halfway; pages of 5, a read timeout of 1 s, 3 attempts per request,
 * and the virtual clock for the rate limiter and the retry waits.
 */
@Import(DoorLoopSyncFlowTest.VirtualTime.class)
abstract class DoorLoopRouteTestBase extends HubTestBase {
    static final String DL_TOKEN = "doorloop-route-token-91c4e7";
    static final FakeDoorLoop FAKE = new FakeDoorLoop(DL_TOKEN);
    static final StallingProxy PROXY = new StallingProxy(FAKE.baseUrl());
    static final int MAX_ATTEMPTS = 3;

    static {
        // the context outlives each test class (both subclasses share it), so the fakes close with the JVM
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            PROXY.close();
            FAKE.close();
        }));
    }

    @DynamicPropertySource
    static void doorloop(DynamicPropertyRegistry registry) {
        registry.add("DOORLOOP_BASE_URL", () -> PROXY.baseUrl() + FakeDoorLoop.PREFIX);
        registry.add("DOORLOOP_API_TOKEN", () -> DL_TOKEN);
        registry.add("hub.doorloop.page-size", () -> "5");
        registry.add("hub.http.read-timeout", () -> "PT1S");
        registry.add("hub.doorloop.retry.max-attempts", () -> String.valueOf(MAX_ATTEMPTS));
    }

    @Autowired
    VirtualPacer clock;

    @BeforeEach
    void resetDoorLoop() throws Exception {
        FAKE.reset(DL_TOKEN);
        FAKE.load(Path.of("samples/doorloop"));
        PROXY.stallWhen(t -> false);
        clock.clear();
        for (RawTable t : RawTable.values()) {
            jdbc.update("TRUNCATE " + t.table());
        }
        jdbc.update("DELETE FROM dead_letters WHERE flow = 'doorloop-sync'");
    }

    JsonNode sync(String resources) throws Exception {
        return json(post("/api/flows/doorloop-sync/run", resources == null ? null : "{\"resources\": \"" + resources + "\"}"));
    }

    int rows(RawTable t) {
        return jdbc.queryForObject("SELECT count(*) FROM " + t.table(), Integer.class);
    }
}
