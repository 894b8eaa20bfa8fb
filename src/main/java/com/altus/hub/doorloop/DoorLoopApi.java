package com.altus.hub.doorloop;

import java.time.Duration;
import java.util.List;

import com.altus.hub.platform.config.HubSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Where doorloop-sync takes its pages from (CONTRACT section 3): the DoorLoop API through Camel's
 * {@code http} component when {@code DOORLOOP_API_TOKEN} is set, else the recorded pages in
 * {@code HUB_DOORLOOP_FIXTURES}. Holds what every request shares: the http endpoint (timeouts
 * from {@code hub.http.read-timeout}), the page size, the JVM's one {@link RateLimiter} (so the
 * hourly budget spans runs and replays), the retry policy and the pacer that waits.
 */
@Component
public class DoorLoopApi {
    private final HubSettings settings;
    private final DoorLoopPacer pacer;
    private final RateLimiter limiter;
    private final DoorLoopRetryPolicy retry;
    private final int pageSize;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final DoorLoopFixtureSource fixtures;

    public DoorLoopApi(HubSettings settings, ObjectMapper json, ObjectProvider<DoorLoopPacer> pacer,
                       @Value("${hub.doorloop.page-size:1000}") int pageSize,
                       @Value("${hub.doorloop.rate.per-minute:50}") int perMinute,
                       @Value("${hub.doorloop.rate.per-hour:500}") int perHour,
                       @Value("${hub.doorloop.retry.max-attempts:6}") int maxAttempts,
                       @Value("${hub.doorloop.retry.initial-delay:PT1S}") Duration initialDelay,
                       @Value("${hub.doorloop.retry.max-delay:PT60S}") Duration maxDelay,
                       @Value("${hub.doorloop.retry.max-retry-after:PT5M}") Duration maxRetryAfter,
                       @Value("${hub.http.read-timeout:PT60S}") Duration readTimeout,
                       @Value("${hub.http.connect-timeout:${hub.http.read-timeout:PT60S}}") Duration connectTimeout) {
        if (pageSize < 1 || pageSize > 1000) {
            throw new IllegalArgumentException("hub.doorloop.page-size must be between 1 and 1000, got " + pageSize);
        }
        if (readTimeout.isNegative() || readTimeout.isZero() || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("hub.http.read-timeout and hub.http.connect-timeout must be positive");
        }
        this.settings = settings;
        this.pacer = pacer.getIfUnique(() -> DoorLoopPacer.SYSTEM);
        this.limiter = new RateLimiter(List.of(new RateLimiter.Window(perMinute, Duration.ofMinutes(1)),
                new RateLimiter.Window(perHour, Duration.ofHours(1))), this.pacer);
        this.retry = new DoorLoopRetryPolicy(maxAttempts, initialDelay, maxDelay, maxRetryAfter);
        this.pageSize = pageSize;
        this.readTimeout = readTimeout;
        this.connectTimeout = connectTimeout;
        this.fixtures = new DoorLoopFixtureSource(settings.doorloopFixtures, json);
    }

    /** True when pages come from the API (a token is set), false for the recorded pages. */
    public boolean http() {
        return settings.doorloopToken.isPresent();
    }

    /**
     * The http component endpoint every page request goes to; the resource and page come as the
     * headers {@code CamelHttpPath} and {@code CamelHttpQuery}. Any status is answered to the
     * route (which judges it); connect, read (between bytes, so also a body that stops halfway)
     * and pool waits are bounded; the client does not retry on its own and adds the bearer token
     * ({@link DoorLoopHttpClient}): the token is in no URI, header of the exchange or log.
     */
    public String endpointUri() {
        long read = readTimeout.toMillis();
        return baseUrl() + "?httpMethod=GET&throwExceptionOnFailure=false&followRedirects=false"
                + "&connectTimeout=" + connectTimeout.toMillis() + "&responseTimeout=" + read + "&soTimeout=" + read
                + "&connectionRequestTimeout=" + read + "&httpClientConfigurer=#" + DoorLoopHttpClient.BEAN;
    }

    /** The query of a page request: {@code page_number=N&page_size=S}. */
    public String query(int page) {
        return "page_number=" + page + "&page_size=" + pageSize;
    }

    private String baseUrl() {
        String b = settings.doorloopBaseUrl.toString();
        return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    }

    /** What is recorded as a row's source_endpoint: the resource's URL, or its recorded-pages directory. */
    public String endpoint(DoorLoopResource resource) {
        return http() ? baseUrl() + "/" + resource.path() : settings.doorloopFixtures.resolve(resource.fixtureDir()).toString();
    }

    /** For logs and stats: where the records come from (never a secret). */
    public String describe() {
        return http() ? "DoorLoop API " + baseUrl() : fixtures.describe();
    }

    public DoorLoopFixtureSource fixtures() {
        return fixtures;
    }

    public RateLimiter limiter() {
        return limiter;
    }

    public DoorLoopRetryPolicy retry() {
        return retry;
    }

    public DoorLoopPacer pacer() {
        return pacer;
    }

    public int pageSize() {
        return pageSize;
    }

    public Duration readTimeout() {
        return readTimeout;
    }
}
