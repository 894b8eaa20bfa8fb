package com.altus.hub.schedule;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * A file as an upload body whose mark and reset are a seek: the Azure SDK marks an upload's stream
 * so that a retried request can send it again, and a {@code BufferedInputStream} (what the
 * component makes of a {@code File} body) would keep every byte since the mark in memory, the
 * whole file. This keeps none.
 */
final class FileUploadStream extends InputStream {
    private final FileChannel channel;
    private final ByteBuffer one = ByteBuffer.allocate(1);
    private long mark;

    FileUploadStream(File file) throws IOException {
        this.channel = FileChannel.open(file.toPath(), StandardOpenOption.READ);
    }

    @Override
    public int read() throws IOException {
        one.clear();
        int n = channel.read(one);
        return n <= 0 ? -1 : one.get(0) & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        return channel.read(ByteBuffer.wrap(b, off, len));
    }

    @Override
    public long skip(long n) throws IOException {
        long from = channel.position();
        long to = Math.min(channel.size(), from + Math.max(0, n));
        channel.position(to);
        return to - from;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(Integer.MAX_VALUE, channel.size() - channel.position());
    }

    @Override
    public boolean markSupported() {
        return true;
    }

    @Override
    public synchronized void mark(int readLimit) {
        try {
            mark = channel.position();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot mark the upload's position", e);
        }
    }

    @Override
    public synchronized void reset() throws IOException {
        channel.position(mark);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
