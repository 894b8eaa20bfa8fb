package com.altus.hub.dropbox;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The fake Dropbox for callers outside this package (the benchmarks), with a plain client's token. */
public final class FakeDropboxAccess implements AutoCloseable {
    private final FakeDropbox fake;

    public FakeDropboxAccess(Path dir) throws Exception {
        this.fake = new FakeDropbox(dir);
    }

    public String baseUrl() {
        return fake.baseUrl();
    }

    public Map<String, String> env() {
        return fake.env();
    }

    /** An access token from the fake's /oauth2/token, as any client would get it. */
    public String accessToken() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&refresh_token=" + FakeDropbox.REFRESH_TOKEN
                        + "&client_id=" + FakeDropbox.APP_KEY + "&client_secret=" + FakeDropbox.APP_SECRET)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(r.body()).get("access_token").asText();
    }

    @Override
    public void close() {
        fake.close();
    }
}
