package com.altus.hub.platform.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

/**
 * The filter's decisions on requests as the container hands them over (routed servlet path and
 * raw URI): which paths need the token and in which form, and the body limits. The same paths
 * over real HTTP: security/PathTricksTest and security/ConsoleAccessTest.
 */
class ApiSecurityFilterTest {
    private static final String TOKEN = "unit-test-token-0123456789";

    private static ApiSecurityFilter filter() {
        return new ApiSecurityFilter(TOKEN, new ObjectMapper(), DataSize.ofMegabytes(1),
                DataSize.ofMegabytes(210), DataSize.ofMegabytes(150), DataSize.ofMegabytes(50));
    }

    /** A request as Tomcat maps it: raw URI as sent, servlet path decoded and normalised. */
    private static MockHttpServletRequest request(String method, String rawUri, String routed) {
        MockHttpServletRequest req = new MockHttpServletRequest(method, rawUri);
        req.setServletPath(routed);
        return req;
    }

    private static MockHttpServletResponse call(String rawUri, String routed, String auth) throws Exception {
        MockHttpServletRequest req = request("GET", rawUri, routed);
        if (auth != null) {
            req.addHeader("Authorization", auth);
        }
        MockHttpServletResponse res = new MockHttpServletResponse();
        filter().doFilter(req, res, new MockFilterChain());
        return res;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void consoleNeedsTheTokenOnLoopbackToo() throws Exception {
        MockHttpServletResponse denied = call("/actuator/hawtio/", "/actuator/hawtio/", null);
        assertThat(denied.getStatus()).isEqualTo(401);
        assertThat(denied.getHeaders("WWW-Authenticate")).anySatisfy(h -> assertThat(h).startsWith("Basic realm="));
        assertThat(denied.getContentType()).startsWith("application/problem+json");
        assertThat(call("/actuator/prometheus", "/actuator/prometheus", null).getStatus()).isEqualTo(401);
        assertThat(call("/actuator", "/actuator", null).getStatus()).isEqualTo(401);
        assertThat(call("/actuator/jolokia/read", "/actuator/jolokia/read", basic("hub", "wrong")).getStatus()).isEqualTo(401);
        assertThat(call("/actuator/jolokia/read", "/actuator/jolokia/read", basic("ops", TOKEN)).getStatus())
                .as("the user is hub").isEqualTo(401);
        assertThat(call("/actuator/hawtio/", "/actuator/hawtio/", basic("hub", TOKEN)).getStatus()).isEqualTo(200);
        assertThat(call("/actuator/prometheus", "/actuator/prometheus", "Bearer " + TOKEN).getStatus()).isEqualTo(200);
        assertThat(call("/actuator/health", "/actuator/health", null).getStatus()).as("health needs no token").isEqualTo(200);
        assertThat(call("/actuator/health/db", "/actuator/health/db", null).getStatus()).as("component health does").isEqualTo(401);
        assertThat(call("/actuator/hawtio/static/js/main.js", "/actuator/hawtio/static/js/main.js", null).getStatus())
                .as("the login page's assets are public").isEqualTo(200);
    }

    @Test
    void apiTakesOnlyTheBearerToken() throws Exception {
        assertThat(call("/api/flows", "/api/flows", null).getStatus()).isEqualTo(401);
        assertThat(call("/api/flows", "/api/flows", basic("hub", TOKEN)).getStatus()).isEqualTo(401);
        assertThat(call("/api/flows", "/api/flows", "Bearer " + TOKEN.substring(1)).getStatus()).isEqualTo(401);
        assertThat(call("/api/flows", "/api/flows", "bearer " + TOKEN).getStatus()).isEqualTo(200);
        MockHttpServletResponse res = call("/api/flows", "/api/flows", null);
        assertThat(res.getContentType()).startsWith("application/problem+json");
        assertThat(res.getHeader("WWW-Authenticate")).startsWith("Bearer");
        assertThat(res.getContentAsString()).contains("\"status\":401").doesNotContain(TOKEN);
    }

    @Test
    void theDecisionIsTakenOnTheRoutedPath() throws Exception {
        // as under camel-servlet mapped at /api/*: servlet path /api, path info /flows
        MockHttpServletRequest servlet = request("GET", "/api/flows", "/api");
        servlet.setPathInfo("/flows");
        MockHttpServletResponse res = new MockHttpServletResponse();
        filter().doFilter(servlet, res, new MockFilterChain());
        assertThat(res.getStatus()).isEqualTo(401);

        // a raw URI that differs from what the container routed is refused, whatever it looks like
        assertThat(call("/api;x/flows", "/api/flows", "Bearer " + TOKEN).getStatus()).isEqualTo(400);
        assertThat(call("/public/flows", "/api/flows", null).getStatus()).isEqualTo(400);
        // Jolokia's GET protocol may encode MBean names; the routed path must be their decoding
        assertThat(call("/actuator/jolokia/read/a%20b", "/actuator/jolokia/read/a b", "Bearer " + TOKEN).getStatus())
                .isEqualTo(200);
        assertThat(call("/actuator/jolokia/read/a%2Fb", "/actuator/jolokia/read/a/b", "Bearer " + TOKEN).getStatus())
                .isEqualTo(400);
    }

    @Test
    void limitsFollowTheEndpoint() {
        ApiSecurityFilter f = filter();
        assertThat(f.limitFor("/api/flows/x/run", "application/json")).isEqualTo(DataSize.ofMegabytes(1).toBytes());
        assertThat(f.limitFor("/api/dlq/replay", null)).isEqualTo(DataSize.ofMegabytes(1).toBytes());
        assertThat(f.limitFor("/api/dropbox_upload", "application/json")).isEqualTo(DataSize.ofMegabytes(210).toBytes());
        assertThat(f.limitFor("/api/upload_session/append", "application/json")).isEqualTo(DataSize.ofMegabytes(210).toBytes());
        assertThat(f.limitFor("/api/upload_session/append", "application/octet-stream")).isEqualTo(DataSize.ofMegabytes(150).toBytes());
        assertThat(f.limitFor("/api/legal/import", "multipart/form-data; boundary=x")).isEqualTo(DataSize.ofMegabytes(50).toBytes());
    }

    @Test
    void declaredOversizedBodiesStopAtTheFilter() throws Exception {
        for (String path : new String[] {"/api/flows/x/run", "/actuator/jolokia"}) {
            MockHttpServletRequest req = request("POST", path, path);
            req.addHeader("Authorization", "Bearer " + TOKEN);
            req.setContent(new byte[(int) DataSize.ofMegabytes(1).toBytes() + 1]);
            MockHttpServletResponse res = new MockHttpServletResponse();
            MockFilterChain chain = new MockFilterChain();
            filter().doFilter(req, res, chain);
            assertThat(res.getStatus()).as(path).isEqualTo(413);
            assertThat(chain.getRequest()).as("the request never reached a handler").isNull();
        }
    }
}
