package com.altus.hub.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import com.altus.hub.test.TestDatabase;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The server the suite runs on: 17 by default, 15 in the build's pg15 execution (CONTRACT section 1:
 * PostgreSQL 15, 16 and 17 as the external database). Every migration applies on it.
 */
class PostgresVersionTest {

    @Test
    void theSuiteRunsOnTheRequestedServerVersion() {
        String requested = System.getProperty("hub.test.postgres", "17");
        JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.dataSource(TestDatabase.createDatabase("postgres")));
        String version = jdbc.queryForObject("SHOW server_version", String.class);
        System.out.println("PostgresVersionTest: server_version " + version + " (hub.test.postgres=" + requested + ")");
        assertThat(version).startsWith(requested + ".");
        assertThat(TestDatabase.serverVersion()).isEqualTo(version);
    }

    @Test
    void everyMigrationAppliesOnThisServer() throws IOException {
        String db = TestDatabase.createDatabase("migrations_" + System.getProperty("hub.test.postgres", "17"));
        MigrateResult result = Flyway.configure().dataSource(TestDatabase.dataSource(db))
                .locations("classpath:db/migration").cleanDisabled(false).load().migrate();
        long files;
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("hub.test.basedir", "."), "db", "migration"))) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".sql")).count();
        }
        JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.dataSource(db));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM flyway_schema_history WHERE success", Long.class)).isEqualTo(files);
        assertThat(result.success).isTrue();
    }
}
