package com.altus.hub.doorloop;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.altus.hub.platform.http.PermanentFailure;
import com.altus.hub.platform.http.Retrier;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The DoorLoop REST API as a {@link DoorLoopSource}: {@code GET {base}/{resource}?page_number=N&page_size=S}
 * with the bearer token, every request through the shared {@link RateLimiter}, 429/408/5xx and
 * I/O errors retried with backoff that honours Retry-After. A 401 is a {@link PermanentFailure}
 * whose message names the variable to fix; the token itself never appears in a message or log.
 */
public final class DoorLoopHttpSource implements DoorLoopSource {
    private static final int MAX_ERROR_BODY = 2000;

    private final URI base;
    private final String token;
    private final int pageSize;
    private final RateLimiter limiter;
    private final Retrier.Policy retryPolicy;
    private final DoorLoopPacer pacer;
    private final Duration requestTimeout;
    private final HttpClient http;
    private final ObjectMapper json;

    public DoorLoopHttpSource(URI base, String token, int pageSize, RateLimiter limiter, Retrier.Policy retryPolicy,
                              DoorLoopPacer pacer, Duration connectTimeout, Duration requestTimeout, ObjectMapper json) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.token = token;
        this.pageSize = pageSize;
        this.limiter = limiter;
        this.retryPolicy = retryPolicy;
        this.pacer = pacer;
        this.requestTimeout = requestTimeout;
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public Page fetch(DoorLoopResource resource, int pageNumber, Meter meter) throws Exception {
        URI uri = URI.create(base + "/" + resource.path() + "?page_number=" + pageNumber + "&page_size=" + pageSize);
        String what = "DoorLoop GET /" + resource.path() + " page " + pageNumber;
        Retrier retrier = new Retrier(retryPolicy, pacer::sleep, n -> meter.retried());
        JsonNode body = retrier.call(what, () -> {
            meter.waitedForRateLimit(limiter.acquire().toMillis());
            meter.requestSent();
            return get(uri, what);
        });
        return toPage(what, body);
    }

    private JsonNode get(URI uri, String what) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Authorization", "bearer " + token)
                .header("Accept", "application/json")
                .GET().build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            int status = response.statusCode();
            if (status == 200) {
                return json.readTree(in);
            }
            String errorBody = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
            if (status == 401) {
                throw new PermanentFailure(what + " answered HTTP 401: DoorLoop rejected the API token"
                        + " (check DOORLOOP_API_TOKEN)", status, errorBody);
            }
            RuntimeException failure = Retrier.failureFor(what, status, response.headers(), errorBody);
            if (failure == null) {
                // a redirect or another 2xx/3xx is not the API's envelope; retrying would not change it
                throw new PermanentFailure(what + " answered HTTP " + status + " instead of 200", status, errorBody);
            }
            throw failure;
        }
    }

    static Page toPage(String what, JsonNode body) {
        if (body == null || !body.isObject() || !body.path("total").canConvertToLong() || !body.path("total").isNumber()
                || !body.path("data").isArray()) {
            throw new IllegalStateException(what + " did not answer the {\"total\": N, \"data\": [...]} envelope");
        }
        List<JsonNode> data = new ArrayList<>(body.get("data").size());
        body.get("data").forEach(data::add);
        return new Page(body.get("total").asLong(), data);
    }

    @Override
    public String describe() {
        return "DoorLoop API " + base;
    }
}
