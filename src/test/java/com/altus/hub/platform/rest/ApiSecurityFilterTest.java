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

/** The filter's decisions: which paths need the token, in which form, and the body limits. */
class ApiSecurityFilterTest {
    private static final String TOKEN = "unit-test-token-0123456789";

    private static ApiSecurityFilter filter(boolean loopback) {
        return new ApiSecurityFilter(TOKEN, loopback, new ObjectMapper(), DataSize.ofMegabytes(1),
                DataSize.ofMegabytes(210), DataSize.ofMegabytes(150), DataSize.ofMegabytes(50));
    }

    private static MockHttpServletResponse call(ApiSecurityFilter f, String path, String auth) throws Exception {
        MockHttpServletRequest req = new MockHttpServletRequest("GET", path);
        if (auth != null) {
            req.addHeader("Authorization", auth);
        }
        MockHttpServletResponse res = new MockHttpServletResponse();
        f.doFilter(req, res, new MockFilterChain());
        return res;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void consoleIsOpenOnLoopbackAndGuardedElsewhere() throws Exception {
        assertThat(call(filter(true), "/actuator/hawtio/", null).getStatus()).isEqualTo(200);
        assertThat(call(filter(true), "/actuator/prometheus", null).getStatus()).isEqualTo(200);

        ApiSecurityFilter remote = filter(false);
        MockHttpServletResponse denied = call(remote, "/actuator/hawtio/", null);
        assertThat(denied.getStatus()).isEqualTo(401);
        assertThat(denied.getHeader("WWW-Authenticate")).startsWith("Basic");
        assertThat(call(remote, "/actuator/jolokia/read", basic("ops", "wrong")).getStatus()).isEqualTo(401);
        assertThat(call(remote, "/actuator/hawtio/", basic("ops", TOKEN)).getStatus()).isEqualTo(200);
        assertThat(call(remote, "/actuator/prometheus", "Bearer " + TOKEN).getStatus()).isEqualTo(200);
        assertThat(call(remote, "/actuator/health", null).getStatus()).as("health needs no token").isEqualTo(200);
    }

    @Test
    void apiTakesOnlyTheBearerToken() throws Exception {
        ApiSecurityFilter f = filter(true);
        assertThat(call(f, "/api/flows", null).getStatus()).isEqualTo(401);
        assertThat(call(f, "/api/flows", basic("x", TOKEN)).getStatus()).isEqualTo(401);
        assertThat(call(f, "/api/flows", "Bearer " + TOKEN.substring(1)).getStatus()).isEqualTo(401);
        assertThat(call(f, "/api/flows", "bearer " + TOKEN).getStatus()).isEqualTo(200);
        MockHttpServletResponse res = call(f, "/api/flows", null);
        assertThat(res.getContentType()).startsWith("application/problem+json");
        assertThat(res.getContentAsString()).contains("\"status\":401").doesNotContain(TOKEN);
    }

    @Test
    void limitsFollowTheEndpoint() {
        ApiSecurityFilter f = filter(true);
        assertThat(f.limitFor("/api/flows/x/run", "application/json")).isEqualTo(DataSize.ofMegabytes(1).toBytes());
        assertThat(f.limitFor("/api/dlq/replay", null)).isEqualTo(DataSize.ofMegabytes(1).toBytes());
        assertThat(f.limitFor("/api/dropbox_upload", "application/json")).isEqualTo(DataSize.ofMegabytes(210).toBytes());
        assertThat(f.limitFor("/api/upload_session/append", "application/json")).isEqualTo(DataSize.ofMegabytes(210).toBytes());
        assertThat(f.limitFor("/api/upload_session/append", "application/octet-stream")).isEqualTo(DataSize.ofMegabytes(150).toBytes());
        assertThat(f.limitFor("/api/legal/import", "multipart/form-data; boundary=x")).isEqualTo(DataSize.ofMegabytes(50).toBytes());
    }

    @Test
    void declaredOversizedBodiesStopAtTheFilter() throws Exception {
        MockHttpServletRequest req = new MockHttpServletRequest("POST", "/api/flows/x/run");
        req.addHeader("Authorization", "Bearer " + TOKEN);
        req.setContent(new byte[(int) DataSize.ofMegabytes(1).toBytes() + 1]);
        MockHttpServletResponse res = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain();
        filter(true).doFilter(req, res, chain);
        assertThat(res.getStatus()).isEqualTo(413);
        assertThat(chain.getRequest()).as("the request never reached a handler").isNull();
    }
}
