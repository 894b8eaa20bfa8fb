package com.altus.hub.dropbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A hub in its own JVM with a chosen maximum heap (HubProcess's approach, with -Xmx as a
 * parameter): a small heap proves that a file bigger than the heap streams through, and
 * kill -9 plus a second start proves that an upload session survives a restart.
 */
final class HubJvm implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final int port;

    private HubJvm(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static HubJvm start(String maxHeap, Map<String, String> env, String... args) throws IOException {
        int port = freePort();
        Path log = Files.createTempFile("hub-jvm", ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + maxHeap);
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("com.altus.hub.HubApplication");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.directory(Path.of(System.getProperty("hub.test.basedir", ".")).toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("HUB_") || k.startsWith("DATABASE_") || k.startsWith("DROPBOX_"));
        pb.environment().putAll(env);
        pb.environment().put("HUB_PORT", String.valueOf(port));
        HubJvm hub = new HubJvm(pb.start(), log, port);
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(300)).until(() -> {
            if (!hub.process.isAlive()) {
                throw new IllegalStateException("hub exited with " + hub.process.exitValue() + ":\n" + hub.output());
            }
            try {
                return http.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/actuator/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
        return hub;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    boolean alive() {
        return process.isAlive();
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
