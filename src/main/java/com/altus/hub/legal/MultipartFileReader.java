package com.altus.hub.legal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.altus.hub.platform.rest.PayloadTooLargeException;

/**
 * A streaming reader of multipart/form-data bodies (RFC 7578, RFC 2046 section 5.1): the one file
 * part is written to a spool file as it arrives, so the body is never held in memory whatever the
 * transport (a raw servlet stream or a cached one). Bounded everywhere a client could make it
 * grow: the preamble, the number of parts, each part's headers, each non-file field, the file.
 * Malformed bodies throw {@link Malformed} (answered 400).
 */
public final class MultipartFileReader {
    /** A body that is not the multipart/form-data it claims to be. */
    public static final class Malformed extends RuntimeException {
        public Malformed(String message) {
            super(message);
        }
    }

    /**
     * @param maxParts       parts in the body (the file and any other fields)
     * @param maxHeaderBytes bytes of one part's header block, and of the preamble
     * @param maxFieldBytes  bytes of a part that is not the file (read and dropped)
     * @param maxFileBytes   bytes of the file
     */
    public record Limits(int maxParts, int maxHeaderBytes, int maxFieldBytes, long maxFileBytes) {
    }

    /** The file part as received: its file name as the client gave it (may be null) and its size. */
    public record Received(String filename, long size) {
    }

    private static final int BUFFER = 64 * 1024;

    private final InputStream in;
    private final byte[] delimiter;
    private final Limits limits;
    private final byte[] buf;
    private int pos;
    private int lim;

    private MultipartFileReader(InputStream in, String boundary, Limits limits) {
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        this.limits = limits;
        this.buf = new byte[Math.max(BUFFER, 4 * (limits.maxHeaderBytes() + delimiter.length))];
        // the opening delimiter may be the body's first bytes: read the body as if a CRLF came first
        buf[0] = '\r';
        buf[1] = '\n';
        lim = 2;
    }

    /**
     * The boundary of a {@code multipart/form-data; boundary=...} Content-Type; anything else is
     * {@link Malformed}.
     */
    public static String boundary(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            throw new Malformed("Content-Type must be multipart/form-data with a boundary; the request has none");
        }
        String[] parts = splitParams(contentType);
        String mediaType = parts[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("multipart/form-data")) {
            throw new Malformed("Content-Type must be multipart/form-data with a boundary, not " + printable(parts[0].trim()));
        }
        String boundary = null;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("boundary")) {
                boundary = unquote(p.substring(eq + 1).trim());
            }
        }
        if (boundary == null || boundary.isEmpty()) {
            throw new Malformed("Content-Type multipart/form-data needs a boundary parameter");
        }
        if (boundary.length() > 70 || boundary.endsWith(" ")) {
            throw new Malformed("the multipart boundary must be 1 to 70 characters, not ending in a space");
        }
        for (int i = 0; i < boundary.length(); i++) {
            char ch = boundary.charAt(i);
            boolean ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || "'()+_,-./:=? ".indexOf(ch) >= 0;
            if (!ok) {
                throw new Malformed("the multipart boundary has a character RFC 2046 does not allow");
            }
        }
        return boundary;
    }

    /**
     * Reads the body: the part named {@code field} goes to {@code spool} (created or replaced),
     * every other part is read and dropped. Exactly one such part must be there.
     */
    public static Received read(InputStream in, String boundary, String field, Path spool, Limits limits) throws IOException {
        return new MultipartFileReader(in, boundary, limits).readAll(field, spool);
    }

    private Received readAll(String field, Path spool) throws IOException {
        skipPreamble();
        Received received = null;
        int parts = 0;
        while (true) {
            if (afterDelimiterIsClose()) {
                break;
            }
            if (++parts > limits.maxParts()) {
                throw new Malformed("the multipart body has more than " + limits.maxParts() + " parts");
            }
            Map<String, String> disposition = headers(parts);
            String name = disposition.get("name");
            if (field.equals(name)) {
                if (received != null) {
                    throw new Malformed("the multipart body has more than one part named '" + field + "'");
                }
                long size;
                try (OutputStream out = Files.newOutputStream(spool)) {
                    size = copyPart(out, limits.maxFileBytes(), true);
                }
                received = new Received(disposition.get("filename"), size);
            } else {
                copyPart(OutputStream.nullOutputStream(), limits.maxFieldBytes(), false);
            }
        }
        if (received == null) {
            throw new Malformed("the multipart body has no part named '" + field + "' (send the workbook as form field '"
                    + field + "')");
        }
        return received;
    }

    /** Everything up to the first delimiter is preamble (bounded); then the delimiter itself. */
    private void skipPreamble() throws IOException {
        long skipped = 0;
        while (true) {
            int idx = indexOf(delimiter, pos, lim);
            if (idx >= 0) {
                pos = idx + delimiter.length;
                return;
            }
            int keep = Math.max(pos, lim - (delimiter.length - 1));
            skipped += keep - pos;
            pos = keep;
            if (skipped > limits.maxHeaderBytes()) {
                throw new Malformed("the body does not start with the multipart boundary given in Content-Type");
            }
            if (!fillMore()) {
                throw new Malformed("the body holds no multipart boundary as given in Content-Type");
            }
        }
    }

    /** After a delimiter: "--" closes the body; else optional blanks and a CRLF open the next part. */
    private boolean afterDelimiterIsClose() throws IOException {
        need(2, "the multipart body ends right after a boundary");
        if (buf[pos] == '-' && buf[pos + 1] == '-') {
            pos += 2;
            return true;
        }
        int blanks = 0;
        while (true) {
            need(1, "the multipart body ends right after a boundary");
            if (buf[pos] == ' ' || buf[pos] == '\t') {
                pos++;
                if (++blanks > 64) {
                    throw new Malformed("a multipart boundary line is followed by too many blanks");
                }
                continue;
            }
            break;
        }
        need(2, "the multipart body ends right after a boundary");
        if (buf[pos] != '\r' || buf[pos + 1] != '\n') {
            throw new Malformed("a multipart boundary line must end with CRLF");
        }
        pos += 2;
        return false;
    }

    /** A part's header lines up to the empty line (bounded); answers Content-Disposition's form-data parameters. */
    private Map<String, String> headers(int part) throws IOException {
        int used = 0;
        Map<String, String> disposition = null;
        while (true) {
            int eol;
            while ((eol = indexOfCrlf(pos, lim)) < 0) {
                if (lim - pos > limits.maxHeaderBytes() - used) {
                    throw new Malformed("the headers of multipart part " + part + " are longer than " + limits.maxHeaderBytes() + " bytes");
                }
                if (!fillMore()) {
                    throw new Malformed("the multipart body ends inside the headers of part " + part);
                }
            }
            int len = eol - pos;
            used += len + 2;
            if (used > limits.maxHeaderBytes()) {
                throw new Malformed("the headers of multipart part " + part + " are longer than " + limits.maxHeaderBytes() + " bytes");
            }
            String line = new String(buf, pos, len, StandardCharsets.UTF_8);
            pos = eol + 2;
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new Malformed("multipart part " + part + " has a header line without a name");
            }
            if (line.substring(0, colon).trim().equalsIgnoreCase("Content-Disposition")) {
                disposition = disposition(line.substring(colon + 1), part);
            }
        }
        if (disposition == null) {
            throw new Malformed("multipart part " + part + " has no Content-Disposition: form-data header");
        }
        return disposition;
    }

    private static Map<String, String> disposition(String value, int part) {
        String[] params = splitParams(value);
        if (!params[0].trim().equalsIgnoreCase("form-data")) {
            throw new Malformed("multipart part " + part + " is not form-data");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 1; i < params.length; i++) {
            String p = params[i].trim();
            int eq = p.indexOf('=');
            if (eq > 0) {
                out.put(p.substring(0, eq).trim().toLowerCase(Locale.ROOT), unquote(p.substring(eq + 1).trim()));
            }
        }
        return out;
    }

    /** Copies a part's body up to the next delimiter (consumed); answers its size. */
    private long copyPart(OutputStream out, long max, boolean file) throws IOException {
        long size = 0;
        while (true) {
            int idx = indexOf(delimiter, pos, lim);
            int end = idx >= 0 ? idx : Math.max(pos, lim - (delimiter.length - 1));
            int n = end - pos;
            if (n > 0) {
                size += n;
                if (size > max) {
                    if (file) {
                        throw new PayloadTooLargeException(max);
                    }
                    throw new Malformed("a multipart field other than the file is longer than " + max + " bytes");
                }
                out.write(buf, pos, n);
                pos = end;
            }
            if (idx >= 0) {
                pos = idx + delimiter.length;
                return size;
            }
            if (!fillMore()) {
                throw new Malformed("the multipart body ends before its closing boundary");
            }
        }
    }

    private void need(int n, String whyMalformed) throws IOException {
        while (lim - pos < n) {
            if (!fillMore()) {
                throw new Malformed(whyMalformed);
            }
        }
    }

    /** Moves the unread bytes to the front and reads more; false at the end of the body. */
    private boolean fillMore() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) {
            throw new IllegalStateException("multipart buffer full without progress");
        }
        int r = in.read(buf, lim, buf.length - lim);
        if (r < 0) {
            return false;
        }
        lim += r;
        return true;
    }

    private int indexOf(byte[] needle, int from, int to) {
        byte first = needle[0];
        int last = to - needle.length;
        outer:
        for (int i = from; i <= last; i++) {
            if (buf[i] != first) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (buf[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private int indexOfCrlf(int from, int to) {
        for (int i = from; i + 1 < to; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Splits "a; b=1; c=\"x;y\"" on the semicolons outside quotes. */
    private static String[] splitParams(String s) {
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == '\\' && quoted && i + 1 < s.length()) {
                cur.append(ch).append(s.charAt(++i));
                continue;
            }
            if (ch == ';' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out.toArray(new String[0]);
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            StringBuilder b = new StringBuilder();
            for (int i = 1; i < v.length() - 1; i++) {
                char ch = v.charAt(i);
                if (ch == '\\' && i + 1 < v.length() - 1) {
                    ch = v.charAt(++i);
                }
                b.append(ch);
            }
            return b.toString();
        }
        return v;
    }

    private static String printable(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return "'" + t.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
