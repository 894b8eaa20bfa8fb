package com.altus.hub.legal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The markup-run and size guard, read the way parsers read: in reads of any length, and byte by byte. */
class GuardedXmlStreamTest {

    /** Reads the stream to its end in reads of random lengths (1 to maxRead bytes), some of them single-byte read()s. */
    private static long drain(InputStream in, int maxRead, long seed) throws IOException {
        Random r = new Random(seed);
        byte[] buf = new byte[maxRead];
        long total = 0;
        while (true) {
            if (r.nextInt(10) == 0) {
                if (in.read() < 0) {
                    return total;
                }
                total++;
                continue;
            }
            int n = in.read(buf, 0, 1 + r.nextInt(maxRead));
            if (n < 0) {
                return total;
            }
            total += n;
        }
    }

    private static InputStream guarded(String xml, long maxBytes, int maxRun) {
        return new GuardedXmlStream(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "p", maxBytes, maxRun);
    }

    @Test
    void runsUpToTheLimitPassHoweverTheyAreRead() throws IOException {
        StringBuilder xml = new StringBuilder("<a>");
        for (int i = 0; i < 200; i++) {
            xml.append("<c r=\"A").append(i).append("\">").append("x".repeat(i % 40)).append("</c>");
        }
        xml.append("<t>").append("y".repeat(63)).append("</t></a>");
        for (int maxRead : new int[]{1, 7, 64, 65, 4096}) {
            for (long seed = 0; seed < 5; seed++) {
                assertThat(drain(guarded(xml.toString(), 1 << 20, 63), maxRead, seed)).isEqualTo(xml.length());
            }
        }
    }

    @Test
    void aLongerRunIsRefusedWhereverTheReadsSplitIt() {
        String xml = "<a><t>" + "z".repeat(64) + "</t></a>";
        for (int maxRead : new int[]{1, 5, 63, 64, 65, 100, 4096}) {
            for (long seed = 0; seed < 5; seed++) {
                int m = maxRead;
                long s = seed;
                assertThatThrownBy(() -> drain(guarded(xml, 1 << 20, 63), m, s))
                        .isInstanceOf(WorkbookRefusedException.class).hasMessageContaining("more than 63 bytes");
            }
        }
        // a run at the very start and one left open at the end count too
        assertThatThrownBy(() -> drain(guarded("q".repeat(70) + "<a/>", 1 << 20, 63), 16, 1))
                .isInstanceOf(WorkbookRefusedException.class);
        assertThatThrownBy(() -> drain(guarded("<a/>" + "q".repeat(70), 1 << 20, 63), 16, 1))
                .isInstanceOf(WorkbookRefusedException.class);
    }

    @Test
    void aPartLargerThanItsLimitIsRefused() {
        String xml = "<a>" + "<b/>".repeat(1000) + "</a>";
        assertThatThrownBy(() -> drain(guarded(xml, 1000, 63), 256, 3))
                .isInstanceOf(WorkbookRefusedException.class).hasMessageContaining("larger than 1000 bytes");
    }
}
