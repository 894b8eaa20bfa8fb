package com.altus.hub.test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.altus.hub.HubApplication;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Base of flow and API tests: the whole hub on a random port, on the suite's embedded
 * PostgreSQL, with schedules off (tests trigger flows themselves) and the test flows on.
 */
@AutoConfigureObservability
@SpringBootTest(classes = HubApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "hub.api.token=" + HubTestBase.TOKEN,
                "hub.scheduling.enabled=false",
                "spring.quartz.auto-startup=false",
                "camel.component.quartz.auto-start-scheduler=false",
                "hub.test.flows=true",
                "hub.dlq.channel.initial-delay-ms=20",
                "HUB_DATA_DIR=target/test-data"
        })
public abstract class HubTestBase {
    public static final String TOKEN = "test-token-0123456789abcdef";

    static {
        TestDatabase.install();
    }

    protected final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    protected final ObjectMapper mapper = new ObjectMapper();

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcTemplate jdbc;

    protected String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    protected HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", "Bearer " + TOKEN)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> post(String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", "Bearer " + TOKEN);
        if (json == null) {
            b.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    protected JsonNode json(HttpResponse<String> response) throws Exception {
        return mapper.readTree(response.body());
    }
}
