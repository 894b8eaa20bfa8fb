package com.altus.hub.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;

import com.altus.hub.platform.rest.JsonBodies;
import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Hostile JSON on a control endpoint answers 400 naming the field and the limit, never 500, and
 * the hub stays healthy. The limits sit on the Spring-managed ObjectMapper, whose factory the
 * streaming upload parser shares; a large file member still streams through it.
 */
class JsonLimitsTest extends HubTestBase {
    @Autowired
    ObjectMapper springMapper;

    private void assertRefused(String body, String field, String limit) throws Exception {
        HttpResponse<String> r = post("/api/flows/test-echo/run", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode p = json(r);
        assertThat(p.get("field").asText()).isEqualTo(field);
        assertThat(p.get("limit").asText()).isEqualTo(limit);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void hostileBodiesAre400WithTheFieldAndTheHubStaysHealthy() throws Exception {
        int runsBefore = jdbc.queryForObject("SELECT count(*) FROM sync_jobs WHERE flow = 'test-echo'", Integer.class);

        assertRefused("{\"n\":1,\"deep\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}", "deep", "max_nesting_depth");
        assertRefused("{\"params\":{\"note\":\"" + "x".repeat(JsonBodies.MAX_STRING_CHARS + 1) + "\"}}", "params.note",
                "max_string_length");
        StringBuilder many = new StringBuilder("{\"params\":{");
        for (int i = 0; i < 20_000; i++) {
            many.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":").append(i);
        }
        assertRefused(many.append("}}").toString(), "params", "max_members");
        StringBuilder elements = new StringBuilder("{\"ids\":[");
        for (int i = 0; i < 200_000; i++) {
            elements.append(i == 0 ? "" : ",").append('1');
        }
        assertRefused(elements.append("]}").toString(), "ids", "max_members");
        assertRefused("{\"n\":" + "9".repeat(1_000) + "}", "n", "max_number_length");
        assertRefused("{\"" + "k".repeat(5_000) + "\":1}", "body", "max_name_length");

        assertThat(jdbc.queryForObject("SELECT count(*) FROM sync_jobs WHERE flow = 'test-echo'", Integer.class))
                .as("no run was started").isEqualTo(runsBefore);
        assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
        HttpResponse<String> fine = post("/api/flows/test-echo/run", "{\"n\": 3}");
        assertThat(fine.statusCode()).isEqualTo(200);
        assertThat(json(fine).get("status").asText()).isEqualTo("succeeded");
    }

    @Test
    void theSpringMapperCarriesTheLimitsAndAFileMemberStillStreams() throws Exception {
        assertThat(springMapper.getFactory().streamReadConstraints().getMaxNestingDepth()).isEqualTo(JsonReadLimits.MAX_NESTING_DEPTH);
        assertThatThrownBy(() -> springMapper.readTree("[".repeat(100) + "]".repeat(100)))
                .isInstanceOf(StreamConstraintsException.class);

        // 12 MB of base64 (more than the string limit) in one member, read the way uploads read files
        long chars = (JsonReadLimits.MAX_STRING_LENGTH / 4 + 1_000_000) * 4L;
        InputStream body = new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream("{\"file_base64\":\"".getBytes(StandardCharsets.US_ASCII)),
                repeated((byte) 'Q', chars),
                new ByteArrayInputStream("\"}".getBytes(StandardCharsets.US_ASCII)))));
        long[] written = {0};
        try (JsonParser p = springMapper.getFactory().createParser(body)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            assertThat(p.nextToken()).isEqualTo(JsonToken.FIELD_NAME);
            assertThat(p.nextToken()).isEqualTo(JsonToken.VALUE_STRING);
            p.readBinaryValue(new OutputStream() {
                @Override
                public void write(int b) {
                    written[0]++;
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    written[0] += len;
                }
            });
        }
        assertThat(written[0]).isEqualTo(chars / 4 * 3);
    }

    private static InputStream repeated(byte b, long count) {
        return new InputStream() {
            private long left = count;

            @Override
            public int read() {
                return left-- > 0 ? b : -1;
            }

            @Override
            public int read(byte[] buf, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(buf, off, off + n, b);
                left -= n;
                return n;
            }
        };
    }
}
