package com.altus.hub.test;

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
 * A hub in its own JVM, started from the test classpath (so the test flows are there) the way
 * an operator starts it: environment variables and arguments. Used where one JVM cannot stand
 * in for a real deployment: two clustered instances, kill -9, the one-shot CLI's exit codes.
 */
public final class HubProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final int port;

    private HubProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts a hub serving HTTP on a free port; returns once /actuator/health answers UP. */
    public static HubProcess startServer(Map<String, String> env, String... args) throws IOException {
        return startServer("512m", env, args);
    }

    /**
     * The same with a chosen maximum heap: a small heap proves that a body bigger than the heap
     * streams through (the JVM exits on OutOfMemoryError rather than limping on).
     */
    public static HubProcess startServer(String maxHeap, Map<String, String> env, String... args) throws IOException {
        return startServerIn(baseDir(), maxHeap, env, args);
    }

    /**
     * The same started from {@code workingDirectory} instead of the checkout, as a service is: relative
     * defaults (./data, samples/...) then resolve there, and nothing may depend on the checkout's files.
     */
    public static HubProcess startServerIn(Path workingDirectory, String maxHeap, Map<String, String> env, String... args)
            throws IOException {
        int port = AzuriteServer.freePort();
        Map<String, String> e = new java.util.HashMap<>(env);
        e.put("HUB_PORT", String.valueOf(port));
        HubProcess p = launch(workingDirectory, maxHeap, e, args);
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!p.process.isAlive()) {
                throw new IllegalStateException("hub exited with " + p.process.exitValue() + ":\n" + p.output());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
        return new HubProcess(p.process, p.log, port);
    }

    /** Runs the hub to completion (one-shot mode) and returns its exit code, stdout and stderr. */
    public static Result runToExit(Map<String, String> env, String... args) throws Exception {
        return runToExitIn(baseDir(), env, args);
    }

    /** The same started from {@code workingDirectory}. */
    public static Result runToExitIn(Path workingDirectory, Map<String, String> env, String... args) throws Exception {
        HubProcess p = launch(workingDirectory, "512m", env, args);
        if (!p.process.waitFor(180, TimeUnit.SECONDS)) {
            p.process.destroyForcibly();
            throw new IllegalStateException("one-shot hub did not exit within 180 s:\n" + p.output());
        }
        Path err = Path.of(p.log + ".err");
        return new Result(p.process.exitValue(), Files.readString(p.log), Files.exists(err) ? Files.readString(err) : "");
    }

    /** Exit code and output of a one-shot run. */
    public record Result(int exitCode, String stdout, String stderr) {
        public List<String> stdoutLines() {
            return stdout.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    /**
     * The test JVM's class path without empty entries: surefire's ends with ':', which the JVM reads
     * as the working directory, so a child started in the checkout would also see ./routes etc.
     */
    private static String classPath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> !e.isBlank()).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    private static Path baseDir() {
        return Path.of(System.getProperty("hub.test.basedir", "."));
    }

    private static HubProcess launch(Path workingDirectory, String maxHeap, Map<String, String> env, String... args) throws IOException {
        Path log = Files.createTempFile("hub-process", ".out");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + maxHeap);
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add("com.altus.hub.HubApplication");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(log.toFile()).redirectError(Path.of(log + ".err").toFile());
        pb.directory(workingDirectory.toFile());
        for (String k : List.copyOf(pb.environment().keySet())) {
            if (k.startsWith("HUB_") || k.startsWith("DATABASE_") || k.startsWith("AZURE_") || k.startsWith("SUPABASE_")
                    || k.startsWith("DOORLOOP_") || k.startsWith("DROPBOX_") || k.startsWith("TEAM_DROPBOX_")
                    || k.startsWith("MAIDCENTRAL_")) {
                pb.environment().remove(k);
            }
        }
        pb.environment().putAll(env);
        return new HubProcess(pb.start(), log, -1);
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public String output() throws IOException {
        Path err = Path.of(log + ".err");
        return Files.readString(log) + (Files.exists(err) ? Files.readString(err) : "");
    }

    public boolean alive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** kill -9: no shutdown hook runs, child processes (the embedded PostgreSQL) are left as they are. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait: a clean shutdown. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
