package com.altus.hub.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.altus.hub.test.HubProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The embedded default's PostgreSQL: a password generated per data directory (postgres/postgres
 * is refused), a directory of an older hub secured once, and a second hub on the same directory
 * refused without touching the first one's server. The kill -9 orphan is CrashRecoveryTest's.
 */
class EmbeddedDatabaseTest {

    @Test
    void aNewDataDirectoryGetsAGeneratedPasswordInAnOwnerOnlyFileAndRefusesPostgresPostgres() throws Exception {
        Path dir = Files.createTempDirectory("hub-pg-password").resolve("postgres");
        ListAppender<ILoggingEvent> logs = captureLogs();
        EmbeddedDatabase db = EmbeddedDatabase.start(dir);
        String password;
        try {
            Path file = EmbeddedDatabase.passwordFile(dir);
            assertThat(file).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            password = Files.readString(file).strip();
            assertThat(password).hasSizeGreaterThanOrEqualTo(40).isEqualTo(db.password()).isNotEqualTo("postgres");

            assertRefused(db.port(), "postgres");
            assertRefused(db.port(), "");
            try (Connection c = connect(db.port(), password)) {
                c.createStatement().execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before restart')");
            }
            assertThat(Files.readString(dir.resolve("pg_hba.conf"))).doesNotContain("trust").contains("scram-sha-256");
        } finally {
            db.close();
            detach(logs);
        }
        assertThat(logs.list).isNotEmpty().noneMatch(e -> e.getFormattedMessage().contains(password));

        // a restart reuses the file's password and keeps the data
        EmbeddedDatabase again = EmbeddedDatabase.start(dir);
        try {
            assertThat(again.password()).isEqualTo(password);
            assertThat(new JdbcTemplate(again.dataSource("postgres")).queryForObject("SELECT v FROM kept", String.class))
                    .isEqualTo("before restart");
            assertRefused(again.port(), "postgres");
        } finally {
            again.close();
        }
    }

    @Test
    void aDataDirectoryOfAnOlderHubThatTrustedEveryoneGetsItsPasswordOnce() throws Exception {
        Path dir = Files.createTempDirectory("hub-pg-older").resolve("postgres");
        // what the hub before this version left: initdb -A trust, no password, no password file
        try (EmbeddedPostgres older = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).start();
             Connection c = older.getPostgresDatabase().getConnection()) {
            c.createStatement().execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('from the older hub')");
        }
        assertThat(Files.readString(dir.resolve("pg_hba.conf"))).contains("trust");
        assertThat(EmbeddedDatabase.passwordFile(dir)).doesNotExist();

        EmbeddedDatabase db = EmbeddedDatabase.start(dir);
        try {
            String password = Files.readString(EmbeddedDatabase.passwordFile(dir)).strip();
            assertThat(password).isEqualTo(db.password());
            assertRefused(db.port(), "postgres");
            try (Connection c = connect(db.port(), password)) {
                assertThat(new JdbcTemplate(new org.springframework.jdbc.datasource.SingleConnectionDataSource(c, true))
                        .queryForObject("SELECT v FROM kept", String.class)).isEqualTo("from the older hub");
            }
        } finally {
            db.close();
        }
        assertThat(Files.readString(dir.resolve("pg_hba.conf"))).doesNotContain("trust");

        EmbeddedDatabase again = EmbeddedDatabase.start(dir);
        try {
            assertThat(again.password()).isEqualTo(Files.readString(EmbeddedDatabase.passwordFile(dir)).strip());
            assertRefused(again.port(), "postgres");
        } finally {
            again.close();
        }
    }

    @Test
    void aSecondHubOnTheSameDataDirectoryIsRefusedAndTheFirstOnesServerKeepsRunning() throws Exception {
        Path dataDir = Files.createTempDirectory("hub-pg-shared");
        // this JVM is the first hub: it owns the embedded server in $HUB_DATA_DIR/postgres
        EmbeddedDatabase first = EmbeddedDatabase.start(dataDir.resolve("postgres"));
        try {
            JdbcTemplate jdbc = new JdbcTemplate(first.dataSource("postgres"));
            String startedAt = jdbc.queryForObject("SELECT pg_postmaster_start_time()::text", String.class);
            String postmaster = Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0);
            long me = ProcessHandle.current().pid();
            Map<String, String> env = Map.of("HUB_DATA_DIR", dataDir.toString());

            HubProcess.Result oneShot = HubProcess.runToExit(env, "--hub.run-once=dlq-replay");
            assertThat(oneShot.exitCode()).as(oneShot.stderr()).isEqualTo(2);
            assertThat(oneShot.stdout()).isEmpty();
            assertThat(oneShot.stderr().strip().lines().toList()).as(oneShot.stderr()).hasSize(1).first().asString()
                    .contains("configuration error: HUB_DATA_DIR").contains("another running hub (pid " + me + ")");

            HubProcess.Result server = HubProcess.runToExit(env);
            assertThat(server.exitCode()).as(server.stderr()).isEqualTo(2);
            assertThat(server.stderr()).contains("another running hub (pid " + me + ")");

            // the first hub's server was never touched
            assertThat(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0)).isEqualTo(postmaster);
            assertThat(jdbc.queryForObject("SELECT pg_postmaster_start_time()::text", String.class)).isEqualTo(startedAt);
        } finally {
            first.close();
        }
    }

    @Test
    void aLostPasswordFileOfASecuredDirectoryIsAOneLineConfigurationError() throws Exception {
        Path dir = Files.createTempDirectory("hub-pg-lost").resolve("postgres");
        EmbeddedDatabase.start(dir).close();
        Files.delete(EmbeddedDatabase.passwordFile(dir));
        assertThatThrownBy(() -> EmbeddedDatabase.start(dir))
                .isInstanceOf(com.altus.hub.platform.config.ConfigException.class)
                .hasMessageContaining("HUB_DATA_DIR").hasMessageContaining("postgres.password").hasMessageContaining("is missing");
        assertThat(dir.resolve("postmaster.pid")).as("refused before the server started").doesNotExist();
    }

    private static Connection connect(int port, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", password);
        p.setProperty("connectTimeout", String.valueOf(Duration.ofSeconds(10).toSeconds()));
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
    }

    private static void assertRefused(int port, String password) {
        assertThatThrownBy(() -> connect(port, password).close()).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isIn("28P01", "08004"));
    }

    private static ListAppender<ILoggingEvent> captureLogs() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(appender);
        return appender;
    }

    private static void detach(ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(appender);
        appender.stop();
    }
}
