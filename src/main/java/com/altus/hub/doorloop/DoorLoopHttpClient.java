package com.altus.hub.doorloop;

import com.altus.hub.platform.config.HubSettings;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.springframework.stereotype.Component;

/**
 * Configures the Apache HttpClient behind the DoorLoop http endpoint ({@link DoorLoopApi#endpointUri()}):
 * no automatic retries (HttpClient 5 would retry 429/503 and lost responses on its own, past the
 * rate limiter and the route's retry policy), and the {@code Authorization: bearer TOKEN} header
 * added to each request inside the client, so that the token never sits on an exchange (whose
 * headers dead letters and tracers may keep) or in an endpoint URI.
 */
@Component(DoorLoopHttpClient.BEAN)
public class DoorLoopHttpClient implements HttpClientConfigurer {
    public static final String BEAN = "doorLoopHttpClient";
    private final HubSettings settings;

    public DoorLoopHttpClient(HubSettings settings) {
        this.settings = settings;
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.disableAutomaticRetries();
        builder.addRequestInterceptorFirst(this::authorize);
    }

    private void authorize(HttpRequest request, EntityDetails entity, HttpContext context) {
        String token = settings.doorloopToken.orElseThrow(() ->
                new IllegalStateException("DOORLOOP_API_TOKEN is not set: DoorLoop requests need it"));
        request.setHeader("Authorization", "bearer " + token);
        request.setHeader("Accept", "application/json");
    }
}
