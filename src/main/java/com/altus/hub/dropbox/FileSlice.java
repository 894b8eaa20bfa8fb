package com.altus.hub.dropbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Reads {@code length} bytes of a file from {@code from} as a stream (a chunk of a spooled upload). */
final class FileSlice extends InputStream {
    private final FileChannel ch;
    private long position;
    private long remaining;

    private FileSlice(FileChannel ch, long from, long length) {
        this.ch = ch;
        this.position = from;
        this.remaining = length;
    }

    static FileSlice open(Path file, long from, long length) throws IOException {
        return new FileSlice(FileChannel.open(file), from, length);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, remaining)), position);
        if (n < 0) {
            throw new IOException("file ended " + remaining + " bytes early");
        }
        position += n;
        remaining -= n;
        return n;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
