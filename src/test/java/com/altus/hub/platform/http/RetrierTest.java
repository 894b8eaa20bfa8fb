package com.altus.hub.platform.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.altus.hub.test.FakeHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared retry policy against the fake-server base and its injected faults. */
class RetrierTest {
    private final FakeHttpServer fake = new FakeHttpServer()
            .on("GET", "/thing", r -> FakeHttpServer.Response.json(200, "{\"ok\":true}"))
            .on("GET", "/missing", r -> FakeHttpServer.Response.json(404, "{\"error\":\"nope\"}"));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Duration> waits = new ArrayList<>();
    private final Retrier retrier = new Retrier(Retrier.Policy.standard(), waits::add, n -> { });

    @AfterEach
    void close() {
        fake.close();
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        RuntimeException failure = Retrier.failureFor("fake " + path, r.statusCode(), r.headers(), r.body());
        if (failure != null) {
            throw failure;
        }
        return r.body();
    }

    @Test
    void honoursRetryAfterOn429() throws Exception {
        fake.failNext(2, 429, "{\"error\":\"rate_limited\"}", "7");
        assertThat(retrier.call("get thing", () -> get("/thing"))).contains("ok");
        assertThat(waits).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7));
        assertThat(fake.requests()).hasSize(3);
    }

    @Test
    void backsOffExponentiallyOn5xxAndDroppedConnections() throws Exception {
        fake.failNext(1, 500, "{}", null);
        fake.dropNext(r -> true, 2); // two drops: the JDK client retries a GET once by itself
        fake.failNext(1, 503, "{}", null);
        assertThat(retrier.call("get thing", () -> get("/thing"))).contains("ok");
        assertThat(waits).hasSize(3);
        assertThat(waits.get(1)).isGreaterThan(waits.get(0));
        assertThat(waits.get(2)).isGreaterThan(waits.get(1));
    }

    @Test
    void givesUpAfterMaxAttemptsAndNeverRetriesPermanentErrors() {
        fake.failNext(10, 500, "{\"error\":\"down\"}", null);
        assertThatThrownBy(() -> retrier.call("get thing", () -> get("/thing")))
                .isInstanceOf(TransientFailure.class).hasMessageContaining("HTTP 500");
        assertThat(fake.requests()).hasSize(5);

        fake.clearFaults();
        fake.clearRequests();
        assertThatThrownBy(() -> retrier.call("get missing", () -> get("/missing")))
                .isInstanceOf(PermanentFailure.class).satisfies(e -> assertThat(((PermanentFailure) e).status()).isEqualTo(404));
        assertThat(fake.requests()).hasSize(1);
    }

    @Test
    void droppedConnectionIsAnIoError() {
        fake.dropNext(r -> true, 2);
        assertThatThrownBy(() -> get("/thing")).isInstanceOf(IOException.class);
        assertThat(fake.requests()).hasSize(2);
    }

    @Test
    void parsesRetryAfterForms() {
        assertThat(Retrier.parseRetryAfter("3")).isEqualTo(Duration.ofSeconds(3));
        assertThat(Retrier.parseRetryAfter("0.5")).isEqualTo(Duration.ofMillis(500));
        assertThat(Retrier.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
        assertThat(Retrier.parseRetryAfter("soon")).isNull();
    }
}
