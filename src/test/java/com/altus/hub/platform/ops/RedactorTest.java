package com.altus.hub.platform.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class RedactorTest {

    @Test
    void removesConfiguredSecretsAndSecretShapes() {
        Redactor r = new Redactor(List.of("super-secret-token", "abc"));
        assertThat(r.redact("token super-secret-token leaked")).isEqualTo("token *** leaked");
        assertThat(r.redact("abc is too short to be a secret")).contains("abc");
        assertThat(r.redact("GET https://a.blob.core.windows.net/c/x?sv=2022&se=2025-01-01&sig=AbC%2F123 failed"))
                .contains("sig=***").doesNotContain("AbC%2F123").contains("se=2025-01-01");
        assertThat(r.redact("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9vYmFy==;EndpointSuffix=x"))
                .contains("AccountKey=***").doesNotContain("Zm9vYmFy");
        assertThat(r.redact("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload")).contains("Bearer ***").doesNotContain("eyJ");
        assertThat(r.redact("jdbc:postgresql://user:pass123@host/db")).contains("://user:***@host").doesNotContain("pass123");
        assertThat(r.redact(null)).isNull();
    }
}
