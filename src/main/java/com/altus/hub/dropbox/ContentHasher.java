package com.altus.hub.dropbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Dropbox's content_hash computed while bytes stream past: SHA-256 of the concatenated
 * SHA-256 digests of each 4 MiB block, in lowercase hex. The finished block digests can be
 * saved and restored (upload sessions keep them in PostgreSQL to survive a restart).
 */
public final class ContentHasher {
    public static final int BLOCK = 4 * 1024 * 1024;

    private final MessageDigest block = sha256();
    private final ByteArrayOutputStream digests = new ByteArrayOutputStream();
    private final boolean hashing;
    private int inBlock;
    private long total;

    public ContentHasher() {
        this(true);
    }

    /** Without {@code hashing} it only counts bytes (for streams whose hash nobody needs). */
    public ContentHasher(boolean hashing) {
        this.hashing = hashing;
    }

    /** Continues from saved block digests (32 bytes per finished 4 MiB block). */
    public static ContentHasher resume(byte[] blockDigests) {
        if (blockDigests.length % 32 != 0) {
            throw new IllegalArgumentException("block digests must be a multiple of 32 bytes");
        }
        ContentHasher h = new ContentHasher();
        h.digests.writeBytes(blockDigests);
        h.total = (long) (blockDigests.length / 32) * BLOCK;
        return h;
    }

    public void update(byte[] b, int off, int len) {
        if (!hashing) {
            total += len;
            return;
        }
        while (len > 0) {
            int n = Math.min(len, BLOCK - inBlock);
            block.update(b, off, n);
            inBlock += n;
            total += n;
            off += n;
            len -= n;
            if (inBlock == BLOCK) {
                digests.writeBytes(block.digest());
                inBlock = 0;
            }
        }
    }

    /** Digests of the finished 4 MiB blocks so far. */
    public byte[] blockDigests() {
        return digests.toByteArray();
    }

    public long total() {
        return total;
    }

    /** The content_hash of everything seen (the hasher must not be used afterwards). */
    public String finish() {
        MessageDigest outer = sha256();
        outer.update(digests.toByteArray());
        if (inBlock > 0) {
            outer.update(block.digest());
            inBlock = 0;
        }
        return HexFormat.of().formatHex(outer.digest());
    }

    public static String of(InputStream in) throws IOException {
        ContentHasher h = new ContentHasher();
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            h.update(buf, 0, n);
        }
        return h.finish();
    }

    public static String of(byte[] data) {
        ContentHasher h = new ContentHasher();
        h.update(data, 0, data.length);
        return h.finish();
    }

    /** An output stream that hashes what is written and passes it on. */
    public OutputStream tee(OutputStream out) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                update(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
