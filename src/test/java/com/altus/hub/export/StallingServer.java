package com.altus.hub.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server that answers every request with a status line, headers announcing a body of
 * {@code declared} bytes, then only the first {@code sent} bytes of it, and then holds the
 * connection open without a byte more until it is closed: a response that stops arriving halfway.
 * With {@code sent} = -1 it sends nothing at all (a server that never answers).
 */
public final class StallingServer implements AutoCloseable {
    private final ServerSocket server;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    public final AtomicInteger requests = new AtomicInteger();

    public StallingServer(int declared, int sent) throws IOException {
        server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> acceptLoop(declared, sent), "stalling-server");
        t.setDaemon(true);
        t.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void acceptLoop(int declared, int sent) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread h = new Thread(() -> answer(s, declared, sent), "stalling-server-conn");
                h.setDaemon(true);
                h.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void answer(Socket socket, int declared, int sent) {
        try (Socket s = socket) {
            InputStream in = s.getInputStream();
            // read the request head (up to the blank line); bodies are not expected
            int matched = 0;
            byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            int b;
            while (matched < 4 && (b = in.read()) >= 0) {
                matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
            }
            requests.incrementAndGet();
            if (sent >= 0) {
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + declared + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] body = new byte[sent];
                java.util.Arrays.fill(body, (byte) ' ');
                if (sent > 0) {
                    body[0] = '[';
                }
                out.write(body);
                out.flush();
            }
            closed.await(5, TimeUnit.MINUTES);
        } catch (IOException clientGone) {
            // the client gave up (its read timeout) and closed: this connection is done
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
