package com.altus.hub.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * The console over real HTTP on 127.0.0.1: health is public without details; metrics, Hawtio and
 * Jolokia need the token (Bearer, Basic hub:token, or Hawtio's login form), and a login session
 * reaches Jolokia from the hub's own pages only.
 */
class ConsoleAccessTest extends HubTestBase {
    private static final String JOLOKIA_READ = "/actuator/jolokia/read/java.lang:type=Memory";

    private HttpResponse<String> call(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void healthIsPublicButShowsDetailsOnlyToTokenHolders() throws Exception {
        HttpResponse<String> anonymous = call("/actuator/health");
        assertThat(anonymous.statusCode()).isEqualTo(200);
        JsonNode h = json(anonymous);
        assertThat(h.get("status").asText()).isEqualTo("UP");
        assertThat(h.has("components")).isFalse();
        assertThat(h.has("details")).isFalse();
        assertThat(call("/actuator/health/liveness").statusCode()).isEqualTo(200);
        assertThat(call("/actuator/health/db").statusCode()).as("a component's health is a detail").isEqualTo(401);

        JsonNode detailed = json(call("/actuator/health", "Authorization", "Bearer " + TOKEN));
        assertThat(detailed.get("components").has("db")).isTrue();
    }

    @Test
    void metricsHawtioAndJolokiaNeedTheTokenOnLoopback() throws Exception {
        for (String path : List.of("/actuator/prometheus", "/actuator/hawtio/", "/actuator/hawtio", JOLOKIA_READ,
                "/actuator/hawtio/jolokia/read/java.lang:type=Memory", "/actuator/info", "/actuator")) {
            HttpResponse<String> none = call(path);
            assertThat(none.statusCode()).as("%s without token", path).isEqualTo(401);
            assertThat(none.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(none.headers().allValues("WWW-Authenticate")).as(path).anySatisfy(v -> assertThat(v).startsWith("Basic realm="));
            assertThat(call(path, "Authorization", basic("hub", TOKEN + "x")).statusCode()).as("%s wrong token", path).isEqualTo(401);
            assertThat(call(path, "Authorization", basic("admin", TOKEN)).statusCode()).as("%s wrong user", path).isEqualTo(401);
        }
        for (String path : List.of("/actuator/prometheus", "/actuator/hawtio/", JOLOKIA_READ,
                "/actuator/hawtio/jolokia/read/java.lang:type=Memory")) {
            HttpResponse<String> bearer = call(path, "Authorization", "Bearer " + TOKEN);
            assertThat(bearer.statusCode()).as("%s with Bearer", path).isEqualTo(200);
            HttpResponse<String> basic = call(path, "Authorization", basic("hub", TOKEN));
            assertThat(basic.statusCode()).as("%s with Basic hub:token", path).isEqualTo(200);
        }
        assertThat(call("/actuator/prometheus", "Authorization", "Bearer " + TOKEN).body()).contains("jvm_memory_used_bytes");
        assertThat(json(call(JOLOKIA_READ, "Authorization", basic("hub", TOKEN))).get("value").has("HeapMemoryUsage")).isTrue();
        assertThat(call("/actuator/hawtio/", "Authorization", "Bearer " + TOKEN).body()).contains("<html");

        // a page's fetch gets no Basic challenge, so the browser shows no login dialog over Hawtio
        HttpResponse<String> fetch = call(JOLOKIA_READ, "Sec-Fetch-Mode", "cors");
        assertThat(fetch.statusCode()).isEqualTo(401);
        assertThat(fetch.headers().allValues("WWW-Authenticate")).noneSatisfy(v -> assertThat(v).startsWith("Basic"));
    }

    @Test
    void hawtioFormLoginGivesTheUiASessionForJolokia() throws Exception {
        String origin = "http://127.0.0.1:" + port;
        assertThat(call("/actuator/hawtio/login").statusCode()).as("the login page is public").isEqualTo(200);

        HttpResponse<String> refused = login("hub", "not-the-token-0123456789");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(login("admin", TOKEN).statusCode()).isEqualTo(403);

        HttpResponse<String> ok = login("hub", TOKEN);
        assertThat(ok.statusCode()).isEqualTo(200);
        String setCookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertThat(ok.body()).doesNotContain(TOKEN);

        // Hawtio's UI: POST to its Jolokia path with the session, from its own origin
        HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(url("/actuator/hawtio/jolokia/")))
                .header("Cookie", cookie).header("Origin", origin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"read\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"HeapMemoryUsage\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(json(read).get("status").asInt()).isEqualTo(200);
        assertThat(json(read).get("value").has("used")).isTrue();
        assertThat(call(JOLOKIA_READ, "Cookie", cookie, "Referer", origin + "/").statusCode()).isEqualTo(200);
        assertThat(call("/actuator/hawtio/", "Cookie", cookie).statusCode()).as("the UI itself").isEqualTo(200);
        assertThat(call("/actuator/prometheus", "Cookie", cookie).statusCode()).as("the session is Hawtio's only").isEqualTo(401);
        assertThat(call("/actuator/hawtio/", "Cookie", "JSESSIONID=forged").statusCode()).isEqualTo(401);
    }

    @Test
    void anotherOriginCannotUseTheOperatorsSessionOrBasicCredentials() throws Exception {
        String cookie = login("hub", TOKEN).headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String write = "/actuator/jolokia/write/java.lang:type=Memory/Verbose/true";
        boolean verboseBefore = ManagementFactory.getMemoryMXBean().isVerbose();
        assertThat(verboseBefore).isFalse();

        List<String[]> crossOrigin = List.of(
                new String[] {"Cookie", cookie, "Origin", "http://evil.example"},
                new String[] {"Cookie", cookie, "Referer", "http://evil.example/page.html"},
                new String[] {"Cookie", cookie, "Sec-Fetch-Site", "cross-site"},
                new String[] {"Cookie", cookie, "Origin", "http://127.0.0.1:" + (port + 1)},
                new String[] {"Cookie", cookie, "Origin", "null"},
                new String[] {"Cookie", cookie},
                new String[] {"Authorization", basic("hub", TOKEN), "Referer", "http://evil.example/"},
                new String[] {"Authorization", basic("hub", TOKEN), "Sec-Fetch-Site", "same-site"});
        for (String[] headers : crossOrigin) {
            HttpResponse<String> r = call(write, headers);
            assertThat(r.statusCode()).as("GET write with %s", List.of(headers)).isEqualTo(403);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            HttpResponse<String> exec = call("/actuator/jolokia/exec/java.lang:type=Memory/gc", headers);
            assertThat(exec.statusCode()).as("GET exec with %s", List.of(headers)).isEqualTo(403);
        }
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(url("/actuator/jolokia/")))
                .header("Cookie", cookie).header("Origin", "http://evil.example").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"exec\",\"mbean\":\"java.lang:type=Memory\",\"operation\":\"gc\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(403);
        assertThat(ManagementFactory.getMemoryMXBean().isVerbose()).as("nothing was written").isFalse();

        // the same exec from the hub's own page works; so does Bearer from anywhere (no browser sends it by itself)
        assertThat(call("/actuator/jolokia/exec/java.lang:type=Memory/gc", "Cookie", cookie, "Origin", "http://127.0.0.1:" + port)
                .statusCode()).isEqualTo(200);
        assertThat(call("/actuator/jolokia/exec/java.lang:type=Memory/gc", "Authorization", "Bearer " + TOKEN,
                "Origin", "http://evil.example").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> login(String user, String password) throws Exception {
        String body = mapper.writeValueAsString(Map.of("username", user, "password", password));
        return http.send(HttpRequest.newBuilder(URI.create(url("/actuator/hawtio/auth/login")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
