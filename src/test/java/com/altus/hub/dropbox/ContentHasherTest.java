package com.altus.hub.dropbox;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Dropbox's content_hash, checked against the fake's independent implementation and known values. */
class ContentHasherTest {

    @Test
    void emptyInputHashesToTheSha256OfNothing() {
        assertThat(ContentHasher.of(new byte[0])).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void knownSampleHash() throws Exception {
        // samples/ingest/expected.json: the decoded dropbox_upload.json file
        byte[] pdf = java.util.Base64.getDecoder().decode(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Path.of(System.getProperty("hub.test.basedir", "."), "samples/ingest/dropbox_upload.json").toFile())
                .get("file_base64").asText());
        assertThat(pdf).hasSize(709);
        assertThat(ContentHasher.of(pdf)).isEqualTo("51e5820d11dba308ab95364f6748b69b65f557bd0db4088be7897f2a1ceb29c2");
    }

    @Test
    void blockBoundariesAndResumeGiveTheSameHash(@TempDir Path dir) throws Exception {
        byte[] data = new byte[ContentHasher.BLOCK * 2 + 12345];
        new Random(7).nextBytes(data);
        Path f = dir.resolve("data.bin");
        Files.write(f, data);
        String expected = FakeDropbox.contentHash(f);
        assertThat(ContentHasher.of(new ByteArrayInputStream(data))).isEqualTo(expected);

        // odd-sized updates across block boundaries
        ContentHasher odd = new ContentHasher();
        for (int off = 0; off < data.length; off += 999_983) {
            odd.update(data, off, Math.min(999_983, data.length - off));
        }
        assertThat(odd.finish()).isEqualTo(expected);

        // saved block digests + the tail, as upload sessions do after a restart
        ContentHasher first = new ContentHasher();
        first.update(data, 0, ContentHasher.BLOCK * 2);
        ContentHasher resumed = ContentHasher.resume(first.blockDigests());
        resumed.update(data, ContentHasher.BLOCK * 2, 12345);
        assertThat(resumed.total()).isEqualTo(data.length);
        assertThat(resumed.finish()).isEqualTo(expected);

        // exactly one block
        byte[] one = java.util.Arrays.copyOf(data, ContentHasher.BLOCK);
        Path g = dir.resolve("one.bin");
        Files.write(g, one);
        assertThat(ContentHasher.of(one)).isEqualTo(FakeDropbox.contentHash(g));
    }
}
