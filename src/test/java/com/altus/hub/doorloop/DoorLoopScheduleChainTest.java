package com.altus.hub.doorloop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import com.altus.hub.test.HubTestBase;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The hourly chain of routes/doorloop.yaml as the scheduler runs it: doorloop-sync, then
 * doorloop-normalize, then doorloop-kpis (the Quartz endpoint is swapped for a direct one).
 */
@DirtiesContext // AdviceWith rewires the route for good: no other test may share this context
class DoorLoopScheduleChainTest extends HubTestBase {

    @Autowired
    CamelContext camel;

    @Autowired
    ProducerTemplate producer;

    @Test
    void aScheduledSyncIsFollowedByNormalizeAndKpis() throws Exception {
        AdviceWith.adviceWith(camel, "schedule-doorloop-sync", a -> a.replaceFromWith("direct:doorloop-chain-test"));
        camel.getRouteController().startRoute("schedule-doorloop-sync");
        long before = jdbc.queryForObject("SELECT coalesce(max(id), 0) FROM sync_jobs", Long.class);

        producer.sendBody("direct:doorloop-chain-test", null);

        List<Map<String, Object>> runs = jdbc.queryForList(
                "SELECT flow, trigger, status FROM sync_jobs WHERE id > ? ORDER BY id", before);
        assertThat(runs).extracting(r -> r.get("flow"))
                .containsExactly("doorloop-sync", "doorloop-normalize", "doorloop-kpis");
        assertThat(runs).extracting(r -> r.get("trigger")).containsExactly("schedule", "chain", "chain");
        assertThat(runs).allSatisfy(r -> assertThat(r.get("status")).isIn("succeeded", "partial"));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM kpi_summary WHERE scope = 'portfolio'", Long.class)).isPositive();
    }
}
