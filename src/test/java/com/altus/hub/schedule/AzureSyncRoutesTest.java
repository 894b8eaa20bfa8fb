package com.altus.hub.schedule;

import static com.altus.hub.schedule.AzureSyncTestSupport.sampleJson;
import static com.altus.hub.schedule.AzureSyncTestSupport.users;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * azure-sync as Camel routes, seen from outside: the JMX counters of azure-sync, azure-sync-blob
 * and azure-sync-auth after a run with a bad blob; a fault injected into azure-sync-blob with
 * AdviceWith, whose letter fails its replay while the fault is there and succeeds once it is
 * removed; and an auth letter replayed through azure-sync-auth.
 */
class AzureSyncRoutesTest extends AzureSyncTestBase {
    private static final String FAULT_ID = "test-injected-fault";

    @Autowired
    CamelContext camel;

    private final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
    private boolean faultInjected;

    @AfterEach
    void removeFault() throws Exception {
        if (faultInjected) {
            AdviceWith.adviceWith(camel, AzureSyncRoutes.BLOB_ROUTE, a -> a.weaveById(FAULT_ID).remove());
            faultInjected = false;
        }
    }

    @Test
    void jmxCountsOneExchangePerRunAndPerChangedBlobAndTheDeadLetteredBlobAsAHandledFailure() throws Exception {
        uploadSamples();
        upload("1001_schedules.json", "{\"ServiceCompanyId\": 1001, \"Jobs\": [".getBytes());
        Map<String, Long> sync = counters("azure-sync");
        Map<String, Long> blob = counters("azure-sync-blob");
        Map<String, Long> auth = counters("azure-sync-auth");

        JsonNode run = runFlow();
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("partial");
        assertThat(delta(sync, counters("azure-sync"))).containsEntry("ExchangesTotal", 1L).containsEntry("ExchangesCompleted", 1L)
                .containsEntry("ExchangesFailed", 0L);
        // 5 changed blobs: 4 synced, 1 handled by the dead-letter channel (a completed exchange with a handled failure)
        assertThat(delta(blob, counters("azure-sync-blob"))).containsEntry("ExchangesTotal", 5L).containsEntry("ExchangesCompleted", 5L)
                .containsEntry("ExchangesFailed", 0L).containsEntry("FailuresHandled", 1L);
        assertThat(delta(auth, counters("azure-sync-auth"))).containsEntry("ExchangesCompleted", 1L).containsEntry("ExchangesFailed", 0L);
        assertThat(jdbc.queryForObject("SELECT route_id FROM dead_letters WHERE flow = 'azure-sync'", String.class))
                .isEqualTo("azure-sync-blob");

        // nothing changed: the run lists and skips; azure-sync-blob sees nothing but the bad blob again
        Map<String, Long> blobBefore = counters("azure-sync-blob");
        runFlow();
        assertThat(delta(blobBefore, counters("azure-sync-blob"))).containsEntry("ExchangesTotal", 1L).containsEntry("FailuresHandled", 1L);
    }

    @Test
    void aFaultInjectedIntoTheBlobRouteIsDeadLetteredAndItsReplayFailsUntilTheFaultIsGone() throws Exception {
        AdviceWith.adviceWith(camel, AzureSyncRoutes.BLOB_ROUTE, a -> a.weaveById("azure-sync-blob-sync").before()
                .throwException(new IllegalStateException("injected fault: the sync step is broken")).id(FAULT_ID));
        faultInjected = true;
        uploadSamples();

        JsonNode run = runFlow();
        assertThat(run.get("status").asText()).isEqualTo("partial");
        assertThat(run.get("stats").get("blobs_failed").asInt()).isEqualTo(4);
        Map<String, Object> letter = jdbc.queryForMap("""
                SELECT id, route_id, entity_type, payload::text AS payload, error_message, attempts, status FROM dead_letters
                WHERE flow = 'azure-sync' AND entity_key = '3_schedules.json'""");
        assertThat(letter.get("route_id")).isEqualTo("azure-sync-blob");
        assertThat(letter.get("entity_type")).isEqualTo("blob");
        assertThat((String) letter.get("error_message")).contains("injected fault");
        JsonNode payload = mapper.readTree((String) letter.get("payload"));
        assertThat(payload.get("name").asText()).isEqualTo("3_schedules.json");
        assertThat(payload.has("etag")).isTrue();
        assertThat(payload.has("size")).isTrue();
        long id = ((Number) letter.get("id")).longValue();

        // replayed while the fault is there: it fails again, one more attempt, still pending
        NotifyBuilder replayed = new NotifyBuilder(camel).fromRoute(AzureSyncRoutes.BLOB_ROUTE).whenDone(1).create();
        JsonNode first = replay(id);
        assertThat(replayed.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(first.get("failed").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForMap("SELECT status, attempts FROM dead_letters WHERE id = ?", id))
                .containsEntry("status", "pending").containsEntry("attempts", 1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM blob_state", Integer.class)).isZero();

        // the fault removed, the same letter replays into the same route and syncs the blob
        AdviceWith.adviceWith(camel, AzureSyncRoutes.BLOB_ROUTE, a -> a.weaveById(FAULT_ID).remove());
        faultInjected = false;
        NotifyBuilder synced = new NotifyBuilder(camel).fromRoute(AzureSyncRoutes.BLOB_ROUTE).whenCompleted(1).create();
        JsonNode second = replay(id);
        assertThat(synced.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(second.get("succeeded").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT status FROM dead_letters WHERE id = ?", String.class, id)).isEqualTo("replayed");
        assertThat(jdbc.queryForList("SELECT blob_name FROM blob_state", String.class)).containsExactly("3_schedules.json");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM schedule_data WHERE service_company_id = 3", Integer.class)).isEqualTo(7);
    }

    @Test
    void anAuthLetterIsReplayedThroughTheAuthRouteForJustThatUser() throws Exception {
        ObjectNode victim = users(sampleJson("users.json")).get(4);
        UUID victimId = UUID.fromString(victim.get("UserId").asText());
        UUID foreign = supabase.addForeignUser(victim.get("Email").asText());
        uploadSamples();
        assertThat(runFlow().get("status").asText()).isEqualTo("partial");
        Map<String, Object> letter = jdbc.queryForMap(
                "SELECT id, route_id, entity_type, payload::text AS payload FROM dead_letters WHERE flow = 'azure-sync'");
        assertThat(letter.get("route_id")).isEqualTo("azure-sync-auth");
        assertThat(letter.get("entity_type")).isEqualTo("auth_user");
        assertThat(mapper.readTree((String) letter.get("payload")).get("user_ids")).containsExactly(mapper.valueToTree(victimId.toString()));
        long id = ((Number) letter.get("id")).longValue();

        // the email still belongs to the other auth user: the replay fails again
        supabase.clearRequests();
        assertThat(replay(id).get("failed").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForMap("SELECT status, attempts FROM dead_letters WHERE id = ?", id))
                .containsEntry("status", "pending").containsEntry("attempts", 1);

        // an operator removed the other auth user: the replay creates just this one
        supabase.removeUser(foreign);
        supabase.clearRequests();
        assertThat(replay(id).get("succeeded").asInt()).isEqualTo(1);
        assertThat(supabase.users.get(victimId).get("email").asText()).isEqualTo(victim.get("Email").asText());
        assertThat(supabase.requests(r -> r.path().startsWith("/auth/"))).extracting(r -> r.method() + " " + r.path())
                .containsExactly("POST /auth/v1/admin/users");
        assertThat(jdbc.queryForObject("SELECT auth_synced_hash = auth_hash FROM user_profiles WHERE id = ?", Boolean.class, victimId))
                .isTrue();
        assertThat(jdbc.queryForObject("SELECT status FROM dead_letters WHERE id = ?", String.class, id)).isEqualTo("replayed");
    }

    private JsonNode replay(long id) throws Exception {
        var response = post("/api/dlq/replay", "{\"ids\":[" + id + "]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    private Map<String, Long> counters(String routeId) throws Exception {
        ObjectName name = new ObjectName("org.apache.camel:context=" + camel.getManagementName() + ",type=routes,name=\"" + routeId + "\"");
        Map<String, Long> out = new LinkedHashMap<>();
        for (String attr : List.of("ExchangesTotal", "ExchangesCompleted", "ExchangesFailed", "FailuresHandled")) {
            out.put(attr, ((Number) jmx.getAttribute(name, attr)).longValue());
        }
        return out;
    }

    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new LinkedHashMap<>();
        after.forEach((k, v) -> d.put(k, v - before.get(k)));
        return d;
    }
}
