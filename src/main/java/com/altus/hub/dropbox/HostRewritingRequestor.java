package com.altus.hub.dropbox;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

import com.dropbox.core.http.HttpRequestor;

/**
 * Points the Dropbox SDK at the configured hosts (DROPBOX_API_URL, DROPBOX_CONTENT_URL,
 * DROPBOX_OAUTH_URL), which may be plain http on 127.0.0.1 for tests and proxies. The SDK
 * only knows host names and always builds https URLs; this rewrites each URL before the
 * standard requestor sends it. The token refresh (path /oauth2/token, which the SDK sends to
 * the API host) goes to the OAuth URL.
 */
final class HostRewritingRequestor extends HttpRequestor {
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

    @Override
    public Response doGet(String url, Iterable<Header> headers) throws IOException {
        return delegate.doGet(rewrite(url), headers);
    }

    @Override
    public Uploader startPost(String url, Iterable<Header> headers) throws IOException {
        return delegate.startPost(rewrite(url), headers);
    }

    @Override
    public Uploader startPostInStreamingMode(String url, Iterable<Header> headers) throws IOException {
        return delegate.startPostInStreamingMode(rewrite(url), headers);
    }

    @Override
    public Uploader startPut(String url, Iterable<Header> headers) throws IOException {
        return delegate.startPut(rewrite(url), headers);
    }
}
