package com.altus.hub.dropbox;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.Map;

import com.dropbox.core.http.HttpRequestor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Points the Dropbox SDK at the configured hosts (DROPBOX_API_URL, DROPBOX_CONTENT_URL,
 * DROPBOX_OAUTH_URL), which may be plain http on 127.0.0.1 for tests and proxies. The SDK
 * only knows host names and always builds https URLs; this rewrites each URL before the
 * standard requestor sends it. The token refresh (path /oauth2/token, which the SDK sends to
 * the API host) goes to the OAuth URL. It also keeps the error_summary of the last 409 answer
 * on this thread, because the SDK's exceptions drop it and the REST answer shows it.
 */
final class HostRewritingRequestor extends HttpRequestor {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ThreadLocal<String> LAST_ERROR_SUMMARY = new ThreadLocal<>();
    private final HttpRequestor delegate;
    private final Map<String, URI> hosts;
    private final URI oauth;

    HostRewritingRequestor(HttpRequestor delegate, URI api, URI content, URI oauth) {
        this.delegate = delegate;
        this.oauth = oauth;
        this.hosts = Map.of("api.dropboxapi.com", api, "content.dropboxapi.com", content, "api.dropbox.com", oauth);
    }

    String rewrite(String url) {
        URI u = URI.create(url);
        String rawPath = u.getRawPath() == null ? "" : u.getRawPath();
        URI base = rawPath.startsWith("/oauth2/") ? oauth : hosts.get(u.getHost());
        if (base == null) {
            return url;
        }
        String prefix = base.toString();
        if (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        return prefix + rawPath + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    /** Dropbox's error_summary of the last 409 answer on this thread (null when the last answer was another). */
    static String lastErrorSummary() {
        return LAST_ERROR_SUMMARY.get();
    }

    @Override
    public Response doGet(String url, Iterable<Header> headers) throws IOException {
        return inspect(delegate.doGet(rewrite(url), headers));
    }

    @Override
    public Uploader startPost(String url, Iterable<Header> headers) throws IOException {
        return new Inspecting(delegate.startPost(rewrite(url), headers));
    }

    @Override
    public Uploader startPostInStreamingMode(String url, Iterable<Header> headers) throws IOException {
        return new Inspecting(delegate.startPostInStreamingMode(rewrite(url), headers));
    }

    @Override
    public Uploader startPut(String url, Iterable<Header> headers) throws IOException {
        return new Inspecting(delegate.startPut(rewrite(url), headers));
    }

    private static Response inspect(Response r) throws IOException {
        LAST_ERROR_SUMMARY.remove();
        if (r.getStatusCode() != 409 || r.getBody() == null) {
            return r;
        }
        byte[] body;
        try (InputStream in = r.getBody()) {
            body = in.readNBytes(1 << 16); // route errors are small JSON documents
        }
        try {
            JsonNode summary = JSON.readTree(body).get("error_summary");
            if (summary != null && summary.isTextual()) {
                LAST_ERROR_SUMMARY.set(summary.asText());
            }
        } catch (IOException notJson) {
            // the SDK reports the unreadable body itself
        }
        return new Response(r.getStatusCode(), new ByteArrayInputStream(body), r.getHeaders());
    }

    /** Passes an upload through and inspects its answer. */
    private static final class Inspecting extends Uploader {
        private final Uploader up;

        Inspecting(Uploader up) {
            this.up = up;
        }

        @Override
        public OutputStream getBody() {
            return up.getBody();
        }

        @Override
        public void close() {
            up.close();
        }

        @Override
        public void abort() {
            up.abort();
        }

        @Override
        public Response finish() throws IOException {
            return inspect(up.finish());
        }
    }
}
