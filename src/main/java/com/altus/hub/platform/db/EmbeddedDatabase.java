package com.altus.hub.platform.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.altus.hub.platform.config.ConfigException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL of the default run: real PostgreSQL binaries (zonky) whose data
 * directory survives restarts.
 * <ul>
 * <li>Ownership: the hub that starts the server holds a lock on {@code <dir>.owner} (beside the data
 * directory, which initdb needs empty) for its whole life, with its pid inside. A second hub on the
 * same directory is refused with a one-line configuration error and never touches the first one's
 * server; sharing one database is what DATABASE_URL is for, and a reused server would die with the
 * hub that started it. A server whose owner is dead (kill -9) is an orphan: it is stopped and the
 * directory reused.</li>
 * <li>Password: the superuser {@code postgres} has a password generated per data directory, kept in
 * {@code <dir>.password} (mode 0600); every connection, TCP or socket, authenticates with SCRAM. A new
 * directory gets it from initdb; a directory of an older hub (which trusted every local connection)
 * gets it once, at its first start by this version. The password is never logged.</li>
 * </ul>
 */
public final class EmbeddedDatabase {
    public static final String USER = "postgres";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
    private static final Map<Path, EmbeddedDatabase> RUNNING = new ConcurrentHashMap<>();
    /** First line of the pg_hba.conf this class writes: a directory without it still trusts local connections. */
    private static final String HBA_MARKER = "# altus-hub: every connection authenticates with the generated password";
    private static final String HBA = HBA_MARKER + " (see EmbeddedDatabase)\n"
            + "local   all          all                  scram-sha-256\n"
            + "host    all          all   127.0.0.1/32   scram-sha-256\n"
            + "host    all          all   ::1/128        scram-sha-256\n"
            + "local   replication  all                  scram-sha-256\n"
            + "host    replication  all   127.0.0.1/32   scram-sha-256\n"
            + "host    replication  all   ::1/128        scram-sha-256\n";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final String password;
    private final Owner owner;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory, String password, Owner owner) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.password = password;
        this.owner = owner;
    }

    /**
     * Starts (once per JVM and directory) the server that keeps its data in {@code dataDirectory}.
     *
     * @throws ConfigException when another running hub owns the directory, or its password file is lost
     */
    public static EmbeddedDatabase start(Path dataDirectory) {
        return RUNNING.computeIfAbsent(dataDirectory.toAbsolutePath().normalize(), dir -> {
            Owner owner = null;
            try {
                Files.createDirectories(dir.getParent());
                owner = Owner.acquire(ownerFile(dir), dir);
                EmbeddedDatabase db = startOwned(dir, owner);
                owner = null;
                return db;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
            } finally {
                if (owner != null) {
                    owner.release();
                }
            }
        });
    }

    private static EmbeddedDatabase startOwned(Path dir, Owner owner) throws IOException {
        boolean fresh = !Files.exists(dir.resolve("postgresql.conf"));
        boolean secured = !fresh && hbaIsOurs(dir);
        Path passwordFile = passwordFile(dir);
        if (secured && !Files.exists(passwordFile)) {
            throw new ConfigException("HUB_DATA_DIR", "the password file " + passwordFile + " of the embedded PostgreSQL in " + dir
                    + " is missing; restore it, or move " + dir + " away to start with an empty database");
        }
        String password = readOrCreatePassword(passwordFile);
        stopOrphan(dir);

        long t0 = System.nanoTime();
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "200")
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("max_wal_size", "2GB")
                .setServerConfig("listen_addresses", "127.0.0.1")
                // zonky's own readiness check and data sources log in with it
                .setConnectConfig("password", password);
        if (fresh) {
            // zonky hands its "locale" settings to initdb as --key=value: the only way to add options.
            // The later --auth wins over zonky's -A trust; initdb reads the password from the file.
            builder.setLocaleConfig("auth", "scram-sha-256").setLocaleConfig("pwfile", passwordFile.toString());
        }
        if (fresh || secured) {
            builder.setDataDirectoryCustomizer(d -> writeHba(d.toPath()));
        }
        EmbeddedPostgres pg = builder.start();
        try {
            if (!fresh && !secured) {
                secureOlderDirectory(pg, dir, password);
            }
        } catch (IOException | RuntimeException e) {
            pg.close();
            throw e;
        }
        log.info("embedded PostgreSQL started on 127.0.0.1:{} with data in {} ({} ms; user {}, password in {})", pg.getPort(), dir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), USER, passwordFile);
        return new EmbeddedDatabase(pg, dir, password, owner);
    }

    /** The owner lock file: beside the data directory, which must be empty for initdb. */
    static Path ownerFile(Path dir) {
        return dir.resolveSibling(dir.getFileName() + ".owner");
    }

    /** The generated superuser password: beside the data directory, mode 0600. */
    public static Path passwordFile(Path dir) {
        return dir.toAbsolutePath().normalize().resolveSibling(dir.getFileName() + ".password");
    }

    public String jdbcUrl(String database) {
        return postgres.getJdbcUrl(USER, database);
    }

    /** The superuser's password, for the hub's own data source. Never log it. */
    public String password() {
        return password;
    }

    public DataSource dataSource(String database) {
        return postgres.getDatabase(USER, database);
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * A data directory of a hub before this version: pg_hba.conf trusts every local connection and the
     * superuser has no password. Set the generated one (as a SCRAM verifier computed here, so not even
     * the server's log could show it), then require it. The password file exists already, so a crash
     * in between just repeats this at the next start.
     */
    private static void secureOlderDirectory(EmbeddedPostgres pg, Path dir, String password) throws IOException {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            c.unwrap(PGConnection.class).alterUserPassword(USER, password.toCharArray(), "scram-sha-256");
            writeHba(dir);
            st.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IOException("cannot set the generated password on the embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
        }
        log.warn("embedded PostgreSQL in {} trusted every local connection (a data directory of an older hub); "
                + "its superuser now has a generated password, kept in {}", dir, passwordFile(dir));
    }

    private static boolean hbaIsOurs(Path dir) throws IOException {
        Path hba = dir.resolve("pg_hba.conf");
        return Files.exists(hba) && Files.readString(hba, StandardCharsets.UTF_8).startsWith(HBA_MARKER);
    }

    private static void writeHba(Path dir) {
        try {
            Path tmp = dir.resolve("pg_hba.conf.tmp");
            Files.writeString(tmp, HBA, StandardCharsets.UTF_8);
            ownerOnly(tmp);
            Files.move(tmp, dir.resolve("pg_hba.conf"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pg_hba.conf in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The password of this data directory: created once (32 random bytes, base64url), then reused. */
    static String readOrCreatePassword(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, generated + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException raced) {
                Files.delete(tmp);
            }
        }
        ownerOnly(file);
        String pw = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (!pw.matches("[A-Za-z0-9_-]{16,}")) {
            // the content is a secret: say what is wrong with it, never what it is
            throw new ConfigException("HUB_DATA_DIR", "the password file " + file
                    + " of the embedded PostgreSQL is damaged (expected one line of 16+ letters, digits, '-' or '_')");
        }
        return pw;
    }

    private static void ownerOnly(Path file) throws IOException {
        try {
            if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
        } catch (UnsupportedOperationException notPosix) {
            // no POSIX permissions on this file system: the data directory's own access rules apply
        }
    }

    /**
     * A postmaster.pid whose process is alive while this hub holds the owner lock: a previous hub died
     * without stopping its server (an orphan). Ask it to shut down (SIGTERM = smart shutdown; its
     * clients died with the old hub) and wait, forcing it only as a last resort. A server still locked
     * by a live zonky instance belongs to a running hub of an older version (which took no owner lock):
     * refuse rather than stop it.
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
        if (lockedByAnotherProcess(dir.resolve("epg-lock"))) {
            throw new ConfigException("HUB_DATA_DIR", "the embedded PostgreSQL in " + dir + " (pid " + pid
                    + ") is in use by another running hub; give each hub its own HUB_DATA_DIR, or share one server through DATABASE_URL");
        }
        log.warn("found a PostgreSQL server (pid {}) left running on {} by a hub that died; stopping it", pid, dir);
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

    /** Whether another process holds a lock on {@code file} (zonky locks epg-lock while its server runs). */
    private static boolean lockedByAnotherProcess(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (NoSuchFileException none) {
            return false;
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
        try {
            postgres.close();
        } finally {
            owner.release();
        }
    }

    /**
     * The lock that says "a live hub uses this data directory": held from before the server starts
     * until it is stopped, released by the operating system when the JVM dies, whatever the death.
     */
    private static final class Owner {
        private final FileChannel channel;
        private final FileLock lock;

        private Owner(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        static Owner acquire(Path file, Path dir) throws IOException {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                // this JVM holds it under another path to the same directory; closing the channel would release it
                throw new IllegalStateException("the embedded PostgreSQL in " + dir + " is already started by this process");
            }
            if (lock == null) {
                String pid;
                try {
                    pid = Files.readString(file, StandardCharsets.US_ASCII).strip();
                } finally {
                    ch.close();
                }
                throw new ConfigException("HUB_DATA_DIR", "the embedded PostgreSQL in " + dir + " belongs to another running hub (pid "
                        + (pid.isEmpty() ? "unknown" : pid) + "); give each hub its own HUB_DATA_DIR, or share one server through DATABASE_URL");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
            return new Owner(ch, lock);
        }

        void release() {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                // the lock goes with the process anyway; nothing else holds it
                log.warn("could not release the owner lock of the embedded PostgreSQL: {}", e.getMessage());
            }
        }
    }
}
