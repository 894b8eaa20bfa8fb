package com.altus.hub.platform.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class RedactorTest {
    private final Redactor r = new Redactor(List.of("super-secret-token", "abc"));

    @Test
    void removesConfiguredSecretsAndSecretShapes() {
        assertThat(r.redact("token super-secret-token leaked")).isEqualTo("token *** leaked");
        assertThat(r.redact("abc is too short to be a secret")).contains("abc");
        assertThat(r.redact("GET https://a.blob.core.windows.net/c/x?sv=2022&se=2025-01-01&sig=AbC%2F123 failed"))
                .contains("sig=***").doesNotContain("AbC%2F123").contains("se=2025-01-01");
        assertThat(r.redact("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9vYmFy==;EndpointSuffix=x"))
                .contains("AccountKey=***").doesNotContain("Zm9vYmFy");
        assertThat(r.redact("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload")).contains("Authorization: ***").doesNotContain("eyJ");
        assertThat(r.redact("jdbc:postgresql://user:pass123@host/db")).contains("://user:***@host").doesNotContain("pass123");
        assertThat(r.redact(null)).isNull();
    }

    @Test
    void headers() {
        assertThat(r.redact("Proxy-Authorization: Basic dXNlcjpwYXNz\nHost: x")).isEqualTo("Proxy-Authorization: ***\nHost: x");
        assertThat(r.redact("authorization: Basic dXNlcjpwYXNz")).isEqualTo("authorization: ***");
        assertThat(r.redact("request headers {authorization=[Bearer sl.AbCdEf123456], accept=[*/*]}"))
                .isEqualTo("request headers {authorization=[***], accept=[*/*]}");
        assertThat(r.redact("{\"Authorization\":\"Basic dXNlcjpwYXNz\",\"x\":1}")).isEqualTo("{\"Authorization\":\"***\",\"x\":1}");
        assertThat(r.redact("X-Api-Key: k-123456789")).isEqualTo("X-Api-Key: ***");
        assertThat(r.redact("Cookie: JSESSIONID=abcdef0123")).isEqualTo("Cookie: ***");
        assertThat(r.redact("sent with bearer abcdefgh12345678")).isEqualTo("sent with bearer ***");
    }

    @Test
    void apiKeysTokensAndPasswordsInQueriesFormsAndJson() {
        for (String key : List.of("apikey", "api_key", "api-key", "x-api-key", "access_token", "refresh_token",
                "client_secret", "password", "token", "sig", "id_token")) {
            assertThat(r.redact("https://api.example.com/v1/x?page=2&" + key + "=S3cr3tValue&limit=5"))
                    .as(key).isEqualTo("https://api.example.com/v1/x?page=2&" + key + "=***&limit=5");
            assertThat(r.redact("grant_type=refresh_token&" + key + "=S3cr3tValue"))
                    .as(key).isEqualTo("grant_type=refresh_token&" + key + "=***");
            assertThat(r.redact("{\"" + key + "\": \"S3cr3t \\\"quoted\\\" value\", \"user\": \"ann\"}"))
                    .as(key).isEqualTo("{\"" + key + "\": \"***\", \"user\": \"ann\"}");
            assertThat(r.redact("{" + key + "=S3cr3tValue, user=ann}")).as(key).isEqualTo("{" + key + "=***, user=ann}");
        }
        assertThat(r.redact("{\"password\": 123456, \"token\": null, \"token_type\": \"bearer\"}"))
                .isEqualTo("{\"password\": \"***\", \"token\": null, \"token_type\": \"bearer\"}");
        assertThat(r.redact("apikey: k123456")).isEqualTo("apikey: ***");
        assertThat(r.redact("{\"error\":\"echo {\\\"password\\\":\\\"pw-1\\\",\\\"u\\\":1}\"}"))
                .isEqualTo("{\"error\":\"echo {\\\"password\\\":\\\"***\\\",\\\"u\\\":1}\"}");
        // names that merely contain a key word are left alone
        assertThat(r.redact("design=flat&tokens_used=5&mysig=1")).isEqualTo("design=flat&tokens_used=5&mysig=1");
    }

    @Test
    void tokensInUrlsAndJwts() {
        assertThat(r.redact("clone https://ghp_abcdefghijklmnop1234@github.com/x.git"))
                .isEqualTo("clone https://***@github.com/x.git");
        assertThat(r.redact("https://ann@example.com/x")).isEqualTo("https://ann@example.com/x");
        assertThat(r.redact("POST https://x.supabase.co/auth/v1/admin/users?access_token=abc.def.ghi failed: 401"))
                .isEqualTo("POST https://x.supabase.co/auth/v1/admin/users?access_token=*** failed: 401");
        String jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl";
        assertThat(r.redact("key " + jwt + " rejected")).isEqualTo("key *** rejected");
        // redacting twice changes nothing more
        String once = r.redact("?token=abc&password=x y");
        assertThat(r.redact(once)).isEqualTo(once);
    }

    @Test
    void headerMapsAndJsonPayloads() throws Exception {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer abcdefgh12345678");
        headers.put("Proxy-Authorization", List.of("Basic dXNlcjpwYXNz"));
        headers.put("CamelHttpUri", "https://api.example.com/x?api_key=K123456&page=1");
        headers.put("DropboxAccessToken", "sl.ABCDEF");
        headers.put("CamelHttpResponseCode", 502);
        headers.put("Accept", List.of("application/json"));
        Map<String, Object> out = r.redactHeaders(headers);
        assertThat(out).containsExactly(Map.entry("Authorization", "***"), Map.entry("Proxy-Authorization", "***"),
                Map.entry("CamelHttpUri", "https://api.example.com/x?api_key=***&page=1"),
                Map.entry("DropboxAccessToken", "***"), Map.entry("CamelHttpResponseCode", 502),
                Map.entry("Accept", List.of("application/json")));

        ObjectMapper json = new ObjectMapper();
        JsonNode payload = json.readTree("{\"user\":\"ann\",\"password\":\"pw-123456\",\"nested\":{\"client_secret\":\"cs\","
                + "\"url\":\"https://x/?sig=abc\"},\"list\":[{\"refresh_token\":\"rt\"}],\"note\":\"super-secret-token\"}");
        JsonNode clean = r.redactJson(payload);
        assertThat(clean.toString()).isEqualTo("{\"user\":\"ann\",\"password\":\"***\",\"nested\":{\"client_secret\":\"***\","
                + "\"url\":\"https://x/?sig=***\"},\"list\":[{\"refresh_token\":\"***\"}],\"note\":\"***\"}");
        assertThat(payload.get("password").asText()).as("the original is untouched").isEqualTo("pw-123456");
    }
}
