package com.altus.hub.platform.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL of the default run: real PostgreSQL binaries (zonky) whose data
 * directory survives restarts. A server left behind by a hub that was killed (kill -9) still
 * holds the data directory; it is stopped before a new one starts, so a restart always works.
 */
public final class EmbeddedDatabase {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
    private static final Map<Path, EmbeddedDatabase> RUNNING = new ConcurrentHashMap<>();

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    /** Starts (once per JVM and directory) the server that keeps its data in {@code dataDirectory}. */
    public static EmbeddedDatabase start(Path dataDirectory) {
        return RUNNING.computeIfAbsent(dataDirectory.toAbsolutePath().normalize(), dir -> {
            try {
                Files.createDirectories(dir);
                stopOrphan(dir);
                long t0 = System.nanoTime();
                EmbeddedPostgres pg = EmbeddedPostgres.builder()
                        .setDataDirectory(dir)
                        .setCleanDataDirectory(false)
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .setServerConfig("max_connections", "200")
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("shared_buffers", "256MB")
                        .setServerConfig("max_wal_size", "2GB")
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .start();
                log.info("embedded PostgreSQL started on 127.0.0.1:{} with data in {} ({} ms)", pg.getPort(), dir,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                return new EmbeddedDatabase(pg, dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
            }
        });
    }

    public String jdbcUrl(String database) {
        return postgres.getJdbcUrl("postgres", database);
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * A postmaster.pid in the data directory whose process is alive means a previous hub died
     * without stopping its server. Ask it to shut down (SIGTERM = smart shutdown; its clients
     * died with the old hub) and wait, forcing it only as a last resort.
     */
    static void stopOrphan(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
        if (lines.isEmpty()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()
                || !handle.get().info().command().map(c -> c.contains("postgres")).orElse(false)) {
            return; // stale pid file: PostgreSQL itself handles that on start
        }
        log.warn("found a PostgreSQL server (pid {}) left running on {} by a previous hub; stopping it", pid, dir);
        ProcessHandle ph = handle.get();
        ph.destroy();
        try {
            ph.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception timeout) {
            log.warn("PostgreSQL pid {} did not stop within 30 s; killing it (crash recovery will run)", pid);
            ph.destroyForcibly();
            try {
                ph.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException("cannot stop the PostgreSQL server (pid " + pid + ") that holds " + dir, e);
            }
        }
    }

    /** Stops every embedded server this JVM started (the one-shot CLI, before printing its records). */
    public static void stopAll() {
        for (EmbeddedDatabase db : List.copyOf(RUNNING.values())) {
            try {
                db.close();
            } catch (IOException e) {
                log.warn("could not stop embedded PostgreSQL in {}: {}", db.dataDirectory, e.getMessage());
            }
        }
    }

    public void close() throws IOException {
        RUNNING.remove(dataDirectory);
        postgres.close();
    }
}
