package com.altus.hub.export;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.List;

import javax.net.ssl.SSLException;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.util.TimeValue;
import org.springframework.stereotype.Component;

/**
 * Configures the HTTP client of the MaidCentral endpoint (and only it): the client re-sends a
 * request on its own only when a pooled connection turned out to be closed before any answer (an
 * idempotent request, once); a 503 or 429 is not re-sent by it (HttpClient's default would, after a
 * second), so that those retries are the dead-letter channel's, counted and backed off like any
 * other unit's. A read timeout is never re-sent by the client either.
 */
@Component(MaidCentralHttpConfigurer.BEAN)
public class MaidCentralHttpConfigurer implements HttpClientConfigurer {
    public static final String BEAN = "maidCentralHttpClientConfigurer";

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.setRetryStrategy(new StaleConnectionsOnly()).disableCookieManagement();
    }

    /** HttpClient's default I/O retry rules (not for timeouts, refused connections, TLS), with no status code retried. */
    static final class StaleConnectionsOnly extends DefaultHttpRequestRetryStrategy {
        StaleConnectionsOnly() {
            super(1, TimeValue.ZERO_MILLISECONDS, List.of(InterruptedIOException.class, UnknownHostException.class,
                    ConnectException.class, ConnectionClosedException.class, NoRouteToHostException.class, SSLException.class),
                    List.of());
        }
    }
}
