package com.altus.hub.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The embedded default has no MAIDCENTRAL_BASE_URL: the flow exists, a run by hand fails at once
 * saying so (a failed run, nothing written), and its schedule route asks the settings first, which
 * answer that the exporter is disabled.
 */
class MaidCentralExportDisabledTest extends HubTestBase {

    @Autowired
    CamelContext camel;

    @Autowired
    ExportSettings settings;

    @Test
    void withoutMaidCentralARunFailsNamingTheVariableAndTheScheduleDoesNotFireIt() throws Exception {
        // the suite's database is shared with the contexts that do export: count, not expect zero
        int before = jdbc.queryForObject("SELECT count(*) FROM maidcentral_exports", Integer.class);
        var response = post("/api/flows/maidcentral-export/run", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode run = json(response);
        assertThat(run.get("flow").asText()).isEqualTo("maidcentral-export");
        assertThat(run.get("status").asText()).isEqualTo("failed");
        assertThat(run.get("error").asText()).contains("maidcentral-export is disabled").contains("MAIDCENTRAL_BASE_URL");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM maidcentral_exports", Integer.class)).isEqualTo(before);

        assertThat(settings.enabled()).isFalse();
        assertThat(camel.getRoute("schedule-maidcentral-export")).as("the schedule route is loaded from routes/maidcentral-export.yaml")
                .isNotNull();
        assertThat(camel.getRoute(MaidCentralExportRoutes.CALL_ROUTE)).as("no MaidCentral to call").isNull();
        assertThat(json(get("/api/flows")).toString()).contains("maidcentral-export");
    }
}
