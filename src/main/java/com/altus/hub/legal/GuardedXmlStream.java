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
            checkRuns(buf, off, n);
        }
        return n;
    }

    /**
     * The runs of one read: only the run that continues from the previous read (up to the first
     * markup byte) and the one left open (after the last) can be long, when the read is no longer
     * than {@code maxRun}; runs between two markup bytes of the same read are shorter than the read.
     * So the read is scanned from both ends, not byte by byte (the parser reads many KiB at a time).
     */
    private void checkRuns(byte[] buf, int off, int n) {
        if (n > maxRun) {
            for (int i = off, end = off + n; i < end; i++) {
                check(buf[i]);
            }
            return;
        }
        int end = off + n;
        int first = off;
        while (first < end && buf[first] != '<' && buf[first] != '>') {
            first++;
        }
        if ((long) run + (first - off) > maxRun) {
            throw tooLong();
        }
        if (first == end) {
            run += n;
            return;
        }
        int last = end - 1;
        while (buf[last] != '<' && buf[last] != '>') {
            last--;
        }
        run = end - 1 - last;
    }

    private void check(int b) {
        if (b == '<' || b == '>') {
            run = 0;
        } else if (++run > maxRun) {
            throw tooLong();
        }
    }

    private WorkbookRefusedException tooLong() {
        return new WorkbookRefusedException("part " + part + " has a tag or text of more than " + maxRun
                + " bytes (no cell holds that much)");
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
