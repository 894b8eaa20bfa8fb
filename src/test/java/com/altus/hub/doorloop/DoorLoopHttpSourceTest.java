package com.altus.hub.doorloop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.altus.hub.platform.http.PermanentFailure;
import com.altus.hub.platform.http.Retrier;
import com.altus.hub.platform.http.TransientFailure;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DoorLoopHttpSourceTest {
    private static final String TOKEN = "dl-test-token-7f3a9c";
    private static final FakeDoorLoop FAKE = new FakeDoorLoop(TOKEN);

    private final VirtualPacer clock = new VirtualPacer();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void seed() throws Exception {
        FAKE.reset(TOKEN);
        FAKE.load(Path.of("samples/doorloop"));
    }

    @AfterAll
    static void stop() {
        FAKE.close();
    }

    private DoorLoopHttpSource source(String token, int pageSize, int maxAttempts) {
        RateLimiter limiter = new RateLimiter(List.of(new RateLimiter.Window(50, Duration.ofMinutes(1))), clock);
        return new DoorLoopHttpSource(URI.create(FAKE.apiUrl() + "/"), token, pageSize, limiter,
                new Retrier.Policy(maxAttempts, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMinutes(5)),
                clock, Duration.ofSeconds(5), Duration.ofSeconds(10), json);
    }

    @Test
    void pagesWithTheBearerTokenAndTheRequestedPageSize() throws Exception {
        DoorLoopSource source = source(TOKEN, 5, 3);
        DoorLoopSource.Page first = source.fetch(DoorLoopResource.LEASE_TENANTS, 1, DoorLoopSource.Meter.NONE);
        DoorLoopSource.Page last = source.fetch(DoorLoopResource.LEASE_TENANTS, 4, DoorLoopSource.Meter.NONE);
        DoorLoopSource.Page past = source.fetch(DoorLoopResource.LEASE_TENANTS, 5, DoorLoopSource.Meter.NONE);

        assertThat(first.total()).isEqualTo(20);
        assertThat(first.data()).hasSize(5);
        assertThat(first.data().get(0).get("id").asText()).isEqualTo(FAKE.records(DoorLoopResource.LEASE_TENANTS).get(0).get("id").asText());
        assertThat(last.data()).hasSize(5);
        assertThat(past.total()).isEqualTo(20);
        assertThat(past.data()).isEmpty();
        List<FakeDoorLoop.Recorded> requests = FAKE.requestsFor(DoorLoopResource.LEASE_TENANTS);
        assertThat(requests).hasSize(3);
        assertThat(requests.get(0).query()).isEqualTo("page_number=1&page_size=5");
        assertThat(requests.get(0).headers().getFirst("Authorization")).isEqualTo("bearer " + TOKEN);
    }

    @Test
    void a429IsRetriedAfterItsRetryAfter() throws Exception {
        FAKE.throttleEvery(1, "7");
        CountingMeter firstMeter = new CountingMeter();
        CountingMeter secondMeter = new CountingMeter();
        DoorLoopSource.Page first = source(TOKEN, 1000, 3).fetch(DoorLoopResource.UNITS, 1, firstMeter);
        DoorLoopSource.Page second = source(TOKEN, 1000, 3).fetch(DoorLoopResource.OWNERS, 1, secondMeter);

        assertThat(first.data()).hasSize(17);
        assertThat(firstMeter.retries).isZero();
        assertThat(second.data()).hasSize(3);
        assertThat(secondMeter.requests).isEqualTo(2);
        assertThat(secondMeter.retries).isEqualTo(1);
        assertThat(FAKE.throttled()).isEqualTo(1);
        assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(7));
    }

    @Test
    void serverErrorsAreRetriedWithBackoffThenGiveUp() throws Exception {
        FAKE.failNext(r -> r.path().endsWith("/vendors"), 2, 500, "{\"error\":\"boom\"}", null);
        CountingMeter meter = new CountingMeter();
        DoorLoopSource.Page page = source(TOKEN, 1000, 3).fetch(DoorLoopResource.VENDORS, 1, meter);
        assertThat(page.data()).hasSize(2);
        assertThat(meter.retries).isEqualTo(2);
        assertThat(meter.requests).isEqualTo(3);
        assertThat(clock.sleeps()).hasSize(2);
        assertThat(clock.sleeps().get(1)).isGreaterThan(clock.sleeps().get(0));

        FAKE.failNext(r -> r.path().endsWith("/vendors"), 10, 503, "{\"error\":\"down\"}", null);
        CountingMeter failing = new CountingMeter();
        assertThatThrownBy(() -> source(TOKEN, 1000, 3).fetch(DoorLoopResource.VENDORS, 1, failing))
                .isInstanceOf(TransientFailure.class).hasMessageContaining("HTTP 503");
        assertThat(failing.requests).as("failed attempts are counted too").isEqualTo(3);
    }

    @Test
    void aRejectedTokenIsPermanentAndNeverEchoed() {
        String wrong = "wrong-token-should-not-appear";
        assertThatThrownBy(() -> source(wrong, 1000, 5).fetch(DoorLoopResource.PROPERTIES, 1, DoorLoopSource.Meter.NONE))
                .isInstanceOfSatisfying(PermanentFailure.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.getMessage()).contains("DOORLOOP_API_TOKEN").doesNotContain(wrong);
                });
        assertThat(FAKE.requestsFor(DoorLoopResource.PROPERTIES)).as("a 401 is not retried").hasSize(1);
    }

    @Test
    void aBodyThatIsNotTheEnvelopeFailsClearly() {
        FAKE.failNext(r -> r.path().endsWith("/users"), 1, 200, "[1, 2, 3]", null);
        assertThatThrownBy(() -> source(TOKEN, 1000, 3).fetch(DoorLoopResource.USERS, 1, DoorLoopSource.Meter.NONE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("envelope");
    }

    @Test
    void recordedPagesServeTheSamplesLikeTheApi() throws Exception {
        DoorLoopFixtureSource fixtures = new DoorLoopFixtureSource(Path.of("samples/doorloop"), json);
        DoorLoopSource.Page first = fixtures.fetch(DoorLoopResource.LEASE_PAYMENTS, 1, DoorLoopSource.Meter.NONE);
        DoorLoopSource.Page past = fixtures.fetch(DoorLoopResource.LEASE_PAYMENTS, 6, DoorLoopSource.Meter.NONE);
        assertThat(first.total()).isEqualTo(24);
        assertThat(first.data()).hasSize(5);
        assertThat(past.total()).isEqualTo(24);
        assertThat(past.data()).isEmpty();
        assertThatThrownBy(() -> new DoorLoopFixtureSource(Path.of("target/no-such-dir"), json).fetch(DoorLoopResource.UNITS, 1, DoorLoopSource.Meter.NONE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no recorded DoorLoop pages for units");
    }

    /** Counts what a fetch reports. */
    private static final class CountingMeter implements DoorLoopSource.Meter {
        int requests;
        int retries;

        @Override
        public void requestSent() {
            requests++;
        }

        @Override
        public void retried() {
            retries++;
        }

        @Override
        public void waitedForRateLimit(long millis) {
            // the limiter's own test covers its waits
        }
    }
}
