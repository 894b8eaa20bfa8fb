package com.altus.hub.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import com.altus.hub.export.StallingServer;
import com.altus.hub.platform.http.Retrier;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The Supabase adapters' HTTP client (HttpClient 5 with hub.http.read-timeout on every read): an
 * answer whose body stops halfway, and one that never comes, fail with a socket timeout, which the
 * Retrier retries and then gives up on, instead of hanging the run.
 */
class SupabaseHttpTimeoutTest {

    @Test
    void aBodyThatStopsHalfwayTimesOut() throws Exception {
        try (StallingServer server = new StallingServer(50_000, 1_000);
             SupabaseHttp http = new SupabaseHttp(Duration.ofSeconds(1), 2)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> http.send("GET", URI.create(server.baseUrl() + "/auth/v1/admin/users/x"), Map.of(), null, null))
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void aStalledGoTrueIsRetriedThenTheCallFails() throws Exception {
        AtomicInteger retries = new AtomicInteger();
        try (StallingServer server = new StallingServer(0, -1);
             SupabaseHttp http = new SupabaseHttp(Duration.ofSeconds(1), 2)) {
            Retrier retrier = new Retrier(new Retrier.Policy(3, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(1)),
                    d -> { }, n -> retries.incrementAndGet());
            SupabaseAuthDirectory auth = new SupabaseAuthDirectory(http, URI.create(server.baseUrl()), "key", retrier, new ObjectMapper());
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> auth.delete(UUID.randomUUID())).isInstanceOf(SocketTimeoutException.class);
            assertThat(retries.get()).isEqualTo(2);
            assertThat(server.requests.get()).isEqualTo(3);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        }
    }
}
