package com.altus.hub.schedule;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

/**
 * The HTTP client of the Supabase adapters (GoTrue and Storage): Apache HttpClient 5 with the
 * connect timeout and a socket read timeout of {@code hub.http.read-timeout} on every read, so a
 * response whose body stops arriving halfway fails with a {@code SocketTimeoutException} (an I/O
 * error the {@link com.altus.hub.platform.http.Retrier} retries) instead of hanging the run
 * (java.net.http's request timeout stops at the response headers).
 */
final class SupabaseHttp implements AutoCloseable {

    /** A response read whole: status, body and headers (as java.net.http headers, for Retrier). */
    record Answer(int status, String body, java.net.http.HttpHeaders headers) {
    }

    private final CloseableHttpClient client;

    SupabaseHttp(Duration readTimeout, int maxConnections) {
        Timeout t = Timeout.of(readTimeout);
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(t).build())
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(t).setSocketTimeout(t).build())
                        .setMaxConnTotal(maxConnections)
                        .setMaxConnPerRoute(maxConnections)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(t).setConnectionRequestTimeout(t).build())
                // the Retrier decides about retries (with backoff and Retry-After), not the client
                .disableAutomaticRetries()
                .disableCookieManagement()
                .build();
    }

    /** Sends a request (body may be null) and reads the whole answer. */
    Answer send(String method, URI uri, Map<String, String> headers, byte[] body, String contentType) throws IOException {
        HttpUriRequestBase request = new HttpUriRequestBase(method, uri);
        headers.forEach(request::setHeader);
        if (body != null) {
            request.setEntity(new ByteArrayEntity(body, ContentType.parse(contentType)));
        }
        return client.execute(request, response -> {
            String text = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
            Map<String, List<String>> h = new LinkedHashMap<>();
            for (Header header : response.getHeaders()) {
                h.computeIfAbsent(header.getName(), k -> new ArrayList<>()).add(header.getValue());
            }
            return new Answer(response.getCode(), text, java.net.http.HttpHeaders.of(h, (k, v) -> true));
        });
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
