package com.altus.hub.doorloop;

import java.time.Duration;
import java.util.List;

import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.platform.http.Retrier;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Chooses the {@link DoorLoopSource} from the settings (CONTRACT section 3): the HTTP API when
 * {@code DOORLOOP_API_TOKEN} is set, else the recorded pages in {@code HUB_DOORLOOP_FIXTURES}.
 * Holds the one {@link RateLimiter} of this JVM, so the hourly budget spans runs and replays.
 */
@Component
public class DoorLoopSources {
    private final HubSettings settings;
    private final ObjectMapper json;
    private final DoorLoopPacer pacer;
    private final RateLimiter limiter;
    private final int pageSize;
    private final Retrier.Policy retryPolicy;
    private final Duration connectTimeout;
    private final Duration requestTimeout;

    public DoorLoopSources(HubSettings settings, ObjectMapper json, ObjectProvider<DoorLoopPacer> pacer,
                           @Value("${hub.doorloop.page-size:1000}") int pageSize,
                           @Value("${hub.doorloop.rate.per-minute:50}") int perMinute,
                           @Value("${hub.doorloop.rate.per-hour:500}") int perHour,
                           @Value("${hub.doorloop.retry.max-attempts:6}") int maxAttempts,
                           @Value("${hub.doorloop.retry.initial-delay:PT1S}") Duration initialDelay,
                           @Value("${hub.doorloop.retry.max-delay:PT60S}") Duration maxDelay,
                           @Value("${hub.doorloop.retry.max-retry-after:PT5M}") Duration maxRetryAfter,
                           @Value("${hub.doorloop.http.connect-timeout:PT10S}") Duration connectTimeout,
                           @Value("${hub.doorloop.http.request-timeout:PT60S}") Duration requestTimeout) {
        if (pageSize < 1 || pageSize > 1000) {
            throw new IllegalArgumentException("hub.doorloop.page-size must be between 1 and 1000, got " + pageSize);
        }
        this.settings = settings;
        this.json = json;
        this.pacer = pacer.getIfAvailable(() -> DoorLoopPacer.SYSTEM);
        this.pageSize = pageSize;
        this.limiter = new RateLimiter(List.of(new RateLimiter.Window(perMinute, Duration.ofMinutes(1)),
                new RateLimiter.Window(perHour, Duration.ofHours(1))), this.pacer);
        this.retryPolicy = new Retrier.Policy(maxAttempts, initialDelay, maxDelay, maxRetryAfter);
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
    }

    /** The source the settings select. */
    public DoorLoopSource source() {
        if (settings.doorloopToken.isPresent()) {
            return new DoorLoopHttpSource(settings.doorloopBaseUrl, settings.doorloopToken.get(), pageSize, limiter,
                    retryPolicy, pacer, connectTimeout, requestTimeout, json);
        }
        return new DoorLoopFixtureSource(settings.doorloopFixtures, json);
    }

    /** What is recorded as a row's source_endpoint: the resource's URL, or its recorded-pages directory. */
    public String endpoint(DoorLoopResource resource) {
        if (settings.doorloopToken.isPresent()) {
            String base = settings.doorloopBaseUrl.toString();
            return (base.endsWith("/") ? base : base + "/") + resource.path();
        }
        return settings.doorloopFixtures.resolve(resource.fixtureDir()).toString();
    }
}
