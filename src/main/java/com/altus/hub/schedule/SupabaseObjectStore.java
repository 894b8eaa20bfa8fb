package com.altus.hub.schedule;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import com.altus.hub.platform.http.PermanentFailure;
import com.altus.hub.platform.http.Retrier;

/**
 * Object store on Supabase Storage: {@code POST /storage/v1/object/{bucket}/{path}} with
 * {@code x-upsert: true}. Storage answers a duplicate as HTTP 400 whose body says statusCode
 * "409"; should that ever come back (a gateway dropping x-upsert), the object is replaced with
 * {@code PUT}. 429 and 5xx are retried with backoff by the {@link Retrier}.
 */
public final class SupabaseObjectStore implements ObjectStore {
    private final SupabaseHttp http;
    private final URI base;
    private final String bucket;
    private final String serviceKey;
    private final Retrier retrier;

    SupabaseObjectStore(SupabaseHttp http, URI supabaseUrl, String bucket, String serviceKey, Retrier retrier) {
        this.http = http;
        this.base = URI.create(supabaseUrl.toString().replaceAll("/+$", "") + "/storage/v1/object/");
        this.bucket = bucket;
        this.serviceKey = serviceKey;
        this.retrier = retrier;
    }

    @Override
    public String describe() {
        return "supabase storage bucket " + bucket;
    }

    @Override
    public void put(String path, byte[] content, String contentType) throws Exception {
        URI uri = base.resolve(encode(bucket) + "/" + encodePath(path));
        Map<String, String> headers = new HashMap<>(Map.of("Authorization", "Bearer " + serviceKey, "apikey", serviceKey,
                "cache-control", "max-age=60"));
        Map<String, String> upsert = new HashMap<>(headers);
        upsert.put("x-upsert", "true");
        retrier.call("supabase storage upload " + path, () -> {
            SupabaseHttp.Answer r = http.send("POST", uri, upsert, content, contentType);
            if (r.status() == 400 && isDuplicate(r.body())) {
                r = http.send("PUT", uri, headers, content, contentType);
            }
            RuntimeException failure = Retrier.failureFor("supabase storage upload of " + path, r.status(), r.headers(), r.body());
            if (failure != null) {
                throw failure;
            }
            return null;
        });
    }

    /** Storage's duplicate answer: HTTP 400 with {"statusCode":"409","error":"Duplicate",...}. */
    static boolean isDuplicate(String body) {
        return body != null && body.replace(" ", "").contains("\"statusCode\":\"409\"");
    }

    private static String encodePath(String path) {
        StringBuilder sb = new StringBuilder();
        for (String seg : path.split("/")) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                throw new PermanentFailure("invalid object path " + path, 0, null);
            }
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(encode(seg));
        }
        return sb.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
