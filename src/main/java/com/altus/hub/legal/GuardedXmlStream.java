package com.altus.hub.legal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An XML part's bytes as the parser reads them, refused (a {@link WorkbookRefusedException}) once
 * the part grows past its size limit or once a run of bytes without markup ('&lt;' or '&gt;') grows
 * past {@code maxRun}: one start tag with all its attributes, or one text node. The XML parser
 * would otherwise hold such a run whole in memory, and no JAXP limit covers an attribute's length.
 */
final class GuardedXmlStream extends FilterInputStream {
    private final String part;
    private final long maxBytes;
    private final int maxRun;
    private long total;
    private int run;

    GuardedXmlStream(InputStream in, String part, long maxBytes, int maxRun) {
        super(in);
        this.part = part;
        this.maxBytes = maxBytes;
        this.maxRun = maxRun;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            check(b);
            total++;
            if (total > maxBytes) {
                throw tooBig();
            }
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
            total += n;
            if (total > maxBytes) {
                throw tooBig();
            }
            for (int i = off, end = off + n; i < end; i++) {
                check(buf[i]);
            }
        }
        return n;
    }

    private void check(int b) {
        if (b == '<' || b == '>') {
            run = 0;
        } else if (++run > maxRun) {
            throw new WorkbookRefusedException("part " + part + " has a tag or text of more than " + maxRun
                    + " bytes (no cell holds that much)");
        }
    }

    private WorkbookRefusedException tooBig() {
        return new WorkbookRefusedException("part " + part + " is larger than " + maxBytes + " bytes uncompressed");
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(8192, Math.max(1, n))];
        long skipped = 0;
        while (skipped < n) {
            int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
