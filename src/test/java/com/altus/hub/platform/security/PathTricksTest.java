package com.altus.hub.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import com.altus.hub.test.HubTestBase;
import org.junit.jupiter.api.Test;

/**
 * The token check sees the path as the server routes it: encoded, {@code ;}-parameter, dot-segment
 * and double-slash spellings of protected paths never answer 200 without the token, and the
 * flows they name do not run. Real requests over a socket, since HTTP clients normalise paths.
 */
class PathTricksTest extends HubTestBase {

    /** Spellings of {@code /api/<rest>} that Tomcat routes to {@code /api/<rest>}. */
    private static List<String> apiTricks(String rest) {
        return List.of("/api;x/" + rest, "/api;jsessionid=x/" + rest, "/%61pi/" + rest, "/ap%69/" + rest,
                "/api/" + encodeFirst(rest),
                "//api/" + rest, "/./api/" + rest, "/x/../api/" + rest, "/api/./" + rest, "/api//" + rest,
                "/api/" + rest + ";x", "/api%2F" + rest, "/api\\" + rest);
    }

    private static String encodeFirst(String rest) {
        return String.format("%%%02X", (int) rest.charAt(0)) + rest.substring(1);
    }

    @Test
    void trickPathsToTheApiNeverGetPastTheToken() throws Exception {
        long replaysBefore = replayRuns();
        for (String rest : List.of("flows", "flows/runs", "dlq")) {
            for (String path : apiTricks(rest)) {
                RawHttp.Response r = RawHttp.send(port, "GET", path, Map.of(), null);
                    assertThat(r.status()).as("GET %s", path).isIn(400, 401);
            }
        }
        for (String path : apiTricks("flows/dlq-replay/run")) {
            RawHttp.Response r = RawHttp.send(port, "POST", path, Map.of("Content-Type", "application/json"), "{}");
            assertThat(r.status()).as("POST %s", path).isIn(400, 401);
        }
        String upload = "{\"entity_type\":\"lease\",\"original_filename\":\"a.txt\",\"file_base64\":\"aGk=\",\"meta\":{}}";
        for (String path : apiTricks("dropbox_upload")) {
            RawHttp.Response r = RawHttp.send(port, "POST", path, Map.of("Content-Type", "application/json"), upload);
            assertThat(r.status()).as("POST %s", path).isIn(400, 401);
        }
        assertThat(replayRuns()).as("dlq-replay did not run").isEqualTo(replaysBefore);
    }

    @Test
    void oddPathsAreRefusedWithAProblemEvenWithTheToken() throws Exception {
        for (String path : List.of("/api;x/flows", "/%61pi/flows", "//api/flows", "/./api/flows", "/x/../api/flows")) {
            RawHttp.Response r = RawHttp.send(port, "GET", path, Map.of("Authorization", "Bearer " + TOKEN), null);
            assertThat(r.status()).as(path).isEqualTo(400);
            assertThat(r.header("Content-Type")).as(path).startsWith("application/problem+json");
            assertThat(mapper.readTree(r.body()).get("field").asText()).isEqualTo("path");
        }
        // the plain path works with the token, and only with it
        assertThat(RawHttp.send(port, "GET", "/api/flows", Map.of("Authorization", "Bearer " + TOKEN), null).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "GET", "/api/flows", Map.of(), null).status()).isEqualTo(401);
        // odd spellings of unprotected paths are refused as well
        assertThat(RawHttp.send(port, "GET", "/%61ctuator/health", Map.of(), null).status()).isEqualTo(400);
    }

    @Test
    void trickPathsToTheConsoleNeverGetPastTheToken() throws Exception {
        List<String> paths = List.of("/actuator;x/prometheus", "/%61ctuator/prometheus", "/actuator/%70rometheus",
                "//actuator/prometheus", "/./actuator/prometheus", "/x/../actuator/prometheus", "/actuator/prometheus;x",
                "/actuator/health/../prometheus", "/actuator/health;x/../prometheus", "/actuator/health/..;/prometheus",
                "/actuator;x/jolokia/read/java.lang:type=Memory", "/actuator/jolokia;x/read/java.lang:type=Memory",
                "/actuator/%6Aolokia/read/java.lang:type=Memory", "//actuator/jolokia/read/java.lang:type=Memory",
                "/actuator/health/../jolokia/read/java.lang:type=Memory",
                "/actuator/jolokia/%2e%2e/prometheus", "/actuator/hawtio;x/", "/%61ctuator/hawtio/",
                "/actuator/hawtio/static/../jolokia/read/java.lang:type=Memory",
                "/actuator/hawtio/login/../jolokia/read/java.lang:type=Memory",
                "/actuator/hawtio/img/..;/jolokia/read/java.lang:type=Memory",
                "/actuator/hawtio/index.html;/../jolokia/read/java.lang:type=Memory");
        for (String path : paths) {
            RawHttp.Response r = RawHttp.send(port, "GET", path, Map.of(), null);
            assertThat(r.status()).as("GET %s", path).isIn(400, 401);
        }
    }

    private long replayRuns() {
        return jdbc.queryForObject("SELECT count(*) FROM sync_jobs WHERE flow = 'dlq-replay'", Long.class);
    }
}
