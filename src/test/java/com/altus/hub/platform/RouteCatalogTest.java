package com.altus.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.altus.hub.platform.run.FlowRunner;
import com.altus.hub.test.HubTestBase;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What Hawtio shows (CONTRACT section 4a): every route has the id the contract names, no route is
 * an anonymous {@code routeN}, every flow of section 4 is the route {@code <flow>} on
 * {@code direct:<flow>}, the unit routes consume {@code direct:<id>} and carry the dead-letter
 * channel, the upload endpoints are REST DSL routes, and every schedule route hands its firing to
 * its flow.
 */
class RouteCatalogTest extends HubTestBase {
    private static final List<String> FLOWS = List.of("azure-sync", "maidcentral-export", "doorloop-sync",
            "doorloop-normalize", "doorloop-kpis", "drift-detector", "teamspace-migrate", "dlq-replay", "legal-import");
    private static final List<String> UNITS = List.of("azure-sync-blob", "doorloop-resource", "doorloop-normalize-entity",
            "maidcentral-export-company");
    private static final List<String> REST = List.of("dropbox-upload", "upload-session-start", "upload-session-append",
            "upload-session-finish", "ingest-upload", "legal-import-upload");
    private static final Pattern ANONYMOUS = Pattern.compile("route\\d+");

    @Autowired
    CamelContext camel;

    @Autowired
    FlowRunner runner;

    private Map<String, Route> routes() {
        return camel.getRoutes().stream().collect(Collectors.toMap(Route::getRouteId, r -> r, (a, b) -> a, TreeMap::new));
    }

    @Test
    void everyRouteHasTheIdTheContractNames() {
        Map<String, Route> routes = routes();
        assertThat(routes.keySet()).as("no anonymous route").noneMatch(id -> ANONYMOUS.matcher(id).matches());
        assertThat(routes.keySet()).containsAll(FLOWS).containsAll(UNITS).containsAll(REST);
        assertThat(runner.flowNames()).containsAll(FLOWS);
    }

    @Test
    void everyFlowIsTheRouteOnItsDirectEndpointAndEveryUnitCarriesTheDeadLetterChannel() {
        Map<String, Route> routes = routes();
        for (String flow : runner.flowNames()) {
            Route r = routes.get(flow);
            assertThat(r).as("route of flow " + flow).isNotNull();
            assertThat(r.getEndpoint().getEndpointUri()).as(flow).isEqualTo("direct://" + flow);
            assertThat(r.getConfigurationId()).as(flow).isEqualTo("hub-flow");
        }
        for (String unit : UNITS) {
            Route r = routes.get(unit);
            assertThat(r.getEndpoint().getEndpointUri()).as(unit).isEqualTo("direct://" + unit);
            assertThat(r.getConfigurationId()).as(unit).isEqualTo("hub-dead-letter");
        }
        // units of the other flows are named <flow>-<unit> and use the same channel
        Set<String> otherUnits = routes.values().stream()
                .filter(r -> "hub-dead-letter".equals(r.getConfigurationId()))
                .map(Route::getRouteId).collect(Collectors.toSet());
        // doorloop-sync's units follow the contract's doorloop-resource; test-dlc is a test route
        otherUnits.removeAll(Set.of("doorloop-record", "test-dlc"));
        UNITS.forEach(otherUnits::remove);
        assertThat(otherUnits).isNotEmpty().allSatisfy(id -> assertThat(runner.flowNames())
                .as("the unit route " + id + " is named after its flow").anyMatch(f -> id.startsWith(f + "-")));
    }

    @Test
    void theEndpointsAreRestRoutesOneRoutePerVerb() {
        Map<String, Route> routes = routes();
        for (String id : REST) {
            assertThat(routes.get(id).getEndpoint().getEndpointUri()).as(id).startsWith("rest:");
        }
        for (String id : List.of("api-flows", "api-flow-runs", "api-flow-run", "api-dlq-list", "api-dlq-replay")) {
            assertThat(routes.get(id).getEndpoint().getEndpointUri()).as(id).startsWith("rest:");
        }
        assertThat(routes.keySet()).as("a verb and its route are one route").noneMatch(id -> id.startsWith("rest-"));
    }

    @Test
    void everyStepOfAFlowOrUnitRouteHasAnId() {
        Map<String, Route> routes = routes();
        Set<String> named = new java.util.TreeSet<>(runner.flowNames());
        named.addAll(UNITS);
        for (String id : named) {
            List<String> anonymous = routes.get(id).filter("*").stream()
                    .map(p -> ((org.apache.camel.spi.IdAware) p).getId())
                    .filter(pid -> pid != null && Pattern.matches("[a-z]+\\d+", pid))
                    .toList();
            assertThat(anonymous).as("steps of route " + id + " without an id").isEmpty();
        }
    }
}
