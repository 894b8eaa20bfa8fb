package com.altus.hub.legal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import com.altus.hub.platform.rest.PayloadTooLargeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming multipart reader on raw bodies (as the servlet transport hands them over), split at every odd place. */
class MultipartFileReaderTest {
    private static final MultipartFileReader.Limits LIMITS = new MultipartFileReader.Limits(8, 8192, 64 * 1024, 1 << 20);

    @TempDir
    Path tmp;

    static byte[] body(String boundary, byte[] file, String... extraParts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String p : extraParts) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p + "\"\r\n\r\nvalue of " + p + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cases ü.xlsx\"\r\n"
                + "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(("\r\n--" + boundary + "--\r\nepilogue").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Hands the body over in reads of random small sizes, so every boundary straddles a buffer edge somewhere. */
    static InputStream trickle(byte[] body, long seed) {
        Random r = new Random(seed);
        return new FilterInputStream(new ByteArrayInputStream(body)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1 + r.nextInt(97)));
            }
        };
    }

    @Test
    void theFilePartLandsInTheSpoolByteForByte() throws Exception {
        byte[] file = new byte[300_000];
        new Random(1).nextBytes(file);
        // the file's bytes contain the boundary's first characters and CRLFs in many places
        byte[] near = "\r\n--abc\r\n--ab".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + near.length < file.length; i += 7919) {
            System.arraycopy(near, 0, file, i, near.length);
        }
        String boundary = "abcd-1234";
        for (long seed = 0; seed < 5; seed++) {
            Path spool = tmp.resolve("spool-" + seed);
            MultipartFileReader.Received r = MultipartFileReader.read(trickle(body(boundary, file, "note", "other"), seed), boundary,
                    "file", spool, LIMITS);
            assertThat(r.filename()).isEqualTo("cases ü.xlsx");
            assertThat(r.size()).isEqualTo(file.length);
            assertThat(Files.readAllBytes(spool)).isEqualTo(file);
        }
        // an empty file and a body with a preamble
        Path spool = tmp.resolve("empty");
        byte[] b = ("preamble\r\n" + new String(body("b", new byte[0]), StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
        assertThat(MultipartFileReader.read(new ByteArrayInputStream(b), "b", "file", spool, LIMITS).size()).isZero();
    }

    @Test
    void theBoundaryComesFromAMultipartFormDataContentType() {
        assertThat(MultipartFileReader.boundary("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"))
                .isEqualTo("----WebKitFormBoundary7MA4YWxkTrZu0gW");
        assertThat(MultipartFileReader.boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\"")).isEqualTo("a b:c");
        assertThatThrownBy(() -> MultipartFileReader.boundary(null)).isInstanceOf(MultipartFileReader.Malformed.class);
        assertThatThrownBy(() -> MultipartFileReader.boundary("application/json"))
                .isInstanceOf(MultipartFileReader.Malformed.class).hasMessageContaining("must be multipart/form-data");
        assertThatThrownBy(() -> MultipartFileReader.boundary("multipart/mixed; boundary=x"))
                .isInstanceOf(MultipartFileReader.Malformed.class);
        assertThatThrownBy(() -> MultipartFileReader.boundary("multipart/form-data"))
                .isInstanceOf(MultipartFileReader.Malformed.class).hasMessageContaining("needs a boundary");
        assertThatThrownBy(() -> MultipartFileReader.boundary("multipart/form-data; boundary=" + "x".repeat(71)))
                .isInstanceOf(MultipartFileReader.Malformed.class);
        assertThatThrownBy(() -> MultipartFileReader.boundary("multipart/form-data; boundary=a\u0000b"))
                .isInstanceOf(MultipartFileReader.Malformed.class);
    }

    @Test
    void malformedBodiesAreRefusedWithAReason() {
        byte[] file = "PK-data".getBytes(StandardCharsets.US_ASCII);
        assertMalformed(body("other", file), "b", "holds no multipart boundary");
        byte[] cut = body("b", file);
        assertMalformed(java.util.Arrays.copyOf(cut, cut.length - 20), "b", "ends before its closing boundary");
        assertMalformed("--b--\r\n".getBytes(StandardCharsets.US_ASCII), "b", "no part named 'file'");
        assertMalformed(("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--").getBytes(StandardCharsets.US_ASCII), "b",
                "no part named 'file'");
        assertMalformed(("--b\r\nContent-Type: text/plain\r\n\r\n1\r\n--b--").getBytes(StandardCharsets.US_ASCII), "b",
                "no Content-Disposition");
        assertMalformed(("--b\r\nX-Long: " + "h".repeat(9000) + "\r\n\r\n1\r\n--b--").getBytes(StandardCharsets.US_ASCII), "b",
                "longer than 8192 bytes");
        assertMalformed(body("b", file, "1", "2", "3", "4", "5", "6", "7", "8"), "b", "more than 8 parts");
        byte[] twoFiles = ("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nA\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b\"\r\n\r\nB\r\n--b--").getBytes(StandardCharsets.US_ASCII);
        assertMalformed(twoFiles, "b", "more than one part named 'file'");
        assertMalformed(("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n" + "v".repeat(70_000) + "\r\n--b--")
                .getBytes(StandardCharsets.US_ASCII), "b", "longer than 65536 bytes");
    }

    @Test
    void aFileOverTheLimitIsTooLarge() {
        byte[] big = new byte[(1 << 20) + 1];
        assertThatThrownBy(() -> MultipartFileReader.read(new ByteArrayInputStream(body("b", big)), "b", "file", tmp.resolve("big"), LIMITS))
                .isInstanceOf(PayloadTooLargeException.class);
    }

    private void assertMalformed(byte[] body, String boundary, String reason) {
        assertThatThrownBy(() -> MultipartFileReader.read(trickle(body, 3), boundary, "file", tmp.resolve("x"), LIMITS))
                .isInstanceOf(MultipartFileReader.Malformed.class).hasMessageContaining(reason);
    }
}
