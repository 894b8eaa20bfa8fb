package com.altus.hub.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One real PostgreSQL (embedded binaries) per test JVM. {@link #install()} points the hub at it
 * through DATABASE_URL (a system property), so every Spring context of the suite shares it and
 * Flyway migrates it once; {@link #createDatabase(String)} gives a test a database of its own.
 */
public final class TestDatabase {
    private static EmbeddedPostgres postgres;

    private TestDatabase() {
    }

    public static synchronized EmbeddedPostgres server() {
        if (postgres == null) {
            try {
                Path dir = Files.createTempDirectory("hub-test-pg");
                postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(dir)
                        .setCleanDataDirectory(true)
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting; the server's own shutdown follows the closed socket
                    }
                }));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the test PostgreSQL", e);
            }
        }
        return postgres;
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
}
