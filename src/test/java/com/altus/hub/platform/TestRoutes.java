package com.altus.hub.platform;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import com.altus.hub.platform.dlq.DeadLetterChannel;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/** A route that uses the shared dead-letter channel, for its tests. */
@Component
@ConditionalOnProperty("hub.test.flows")
public class TestRoutes extends RouteBuilder {
    /** How many times the next "flaky" message fails with an I/O error before it passes. */
    public static final AtomicInteger FLAKY_FAILURES = new AtomicInteger();
    public static final AtomicInteger ATTEMPTS = new AtomicInteger();

    @Override
    public void configure() {
        from("direct:test-dlc").routeId("test-dlc").routeConfigurationId(DeadLetterChannel.ID)
                .process(ex -> {
                    ATTEMPTS.incrementAndGet();
                    String body = ex.getMessage().getBody(String.class);
                    if (body.contains("flaky") && FLAKY_FAILURES.getAndDecrement() > 0) {
                        throw new IOException("connection reset");
                    }
                    if (body.contains("\"bad\"") && ex.getProperty(DeadLetterChannel.REPLAY_OF) == null) {
                        throw new IllegalArgumentException("record " + ex.getMessage().getHeader(DeadLetterChannel.ENTITY_KEY) + " is bad");
                    }
                });
    }
}
