package com.altus.hub.test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Azurite (the Azure Blob emulator, pinned 3.35.0, installed by the build into
 * tools/azurite through npm), one per test JVM. If it cannot start, tests that need it fail:
 * they are never skipped.
 */
public final class AzuriteServer {
    public static final String ACCOUNT = "devstoreaccount1";
    /** Azurite's published development key (not a secret). */
    public static final String KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static AzuriteServer instance;
    private final Process process;
    private final int port;

    private AzuriteServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static synchronized AzuriteServer get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    private static AzuriteServer start() {
        Path base = Path.of(System.getProperty("hub.test.basedir", ".")).toAbsolutePath();
        Path bin = base.resolve("tools/azurite/node_modules/.bin/azurite-blob");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("Azurite is not installed at " + bin
                    + ": run the build (mvn test) which installs it with tools/azurite/install.sh");
        }
        try {
            int port = freePort();
            Path location = Files.createTempDirectory("hub-azurite");
            Path logFile = location.resolve("azurite.log");
            Process p = new ProcessBuilder(List.of(bin.toString(), "--blobHost", "127.0.0.1", "--blobPort", String.valueOf(port),
                    "--location", location.toString(), "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl"))
                    .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
            }));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("Azurite exited with " + p.exitValue() + ": " + Files.readString(logFile));
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return new AzuriteServer(p, port);
                } catch (IOException notYet) {
                    sleepQuietly(100); // polling a child process's port, not waiting on a test condition
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("Azurite did not listen on port " + port + " within 60 s: " + Files.readString(logFile));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start Azurite: " + e.getMessage(), e);
        }
    }

    public int port() {
        return port;
    }

    public String blobEndpoint() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY
                + ";BlobEndpoint=" + blobEndpoint() + ";";
    }

    public boolean alive() {
        return process.isAlive();
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Azurite", e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

}
