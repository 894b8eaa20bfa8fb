package com.altus.hub.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.altus.hub.doorloop.normalize.DoorLoopMapping;
import com.altus.hub.doorloop.normalize.EntitySpec;
import com.altus.hub.test.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The normalizer's type checks without pg_input_is_valid (16+): {@link EntitySpec#validSql} answers,
 * for every value, exactly whether the server casts it, on 15 (the pg15 execution) as on 17, and
 * on 16+ the same as pg_input_is_valid. Well-formed values never reach the slow path.
 */
class InputValidityTest {
    /** type -> values: DoorLoop's shapes first, then odd and broken ones. */
    private static final Map<String, List<String>> CASES = Map.of(
            "numeric", List.of("1", "-12.50", "+3", ".5", "5.", "1e3", "1E-3", "12345678901234567890.123456789", "9e999",
                    "1e1001", "NaN", "Infinity", "-Infinity", " 12 ", "1_000", "0x1F", "ten dollars", "", "1.2.3", "--1", "1e", "."),
            "date", List.of("2025-01-15", "2024-02-29", "2023-02-29", "2025-02-30", "2025-04-31", "2025-12-31", "2025-13-01",
                    "0000-01-01", "0001-01-01", "2025-01-15T10:00:00Z", "January 15, 2025", "20250115", "epoch", "infinity",
                    "2025-1-5", "not a date", ""),
            "timestamptz", List.of("2025-01-15T10:20:30.123Z", "2025-01-15 10:20:30+02", "2025-01-15T10:20:30+05:30",
                    "2025-01-15T10:20:30-0800", "2025-01-15T10:20", "2025-01-15T24:00:00Z", "2025-01-15T10:61:00Z",
                    "2025-01-15T10:20:30+16:00", "2025-01-15T10:20:30+15:59", "2025-01-15T10:20:30.1234567Z",
                    "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2025-01-15", "yesterday", "garbage", ""),
            "boolean", List.of("true", "false", "t", "yes", "off", "1", "maybe", "TRUE", " true ", ""));

    /** The shapes DoorLoop sends (samples/doorloop): these must take the regular-expression path. */
    private static final Map<String, List<String>> WELL_FORMED = Map.of(
            "numeric", List.of("3", "2.5", "1450.0", "-312.75", "12000"),
            "date", List.of("2025-01-15", "2025-12-31", "2024-06-30"),
            "timestamptz", List.of("2025-03-04T12:34:56.789Z", "2025-03-04T12:34:56Z"),
            "boolean", List.of("true", "false"));

    private static DataSource ds;
    private static int serverMajor;

    @BeforeAll
    static void migrate() throws SQLException {
        String db = TestDatabase.createDatabase("input_validity");
        ds = TestDatabase.dataSource(db);
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        try (Connection c = ds.getConnection()) {
            serverMajor = c.getMetaData().getDatabaseMajorVersion();
        }
    }

    @Test
    void theCheckAnswersWhetherTheServerCastsTheValue() throws SQLException {
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        try (Connection c = ds.getConnection()) {
            for (var e : CASES.entrySet()) {
                for (String value : e.getValue()) {
                    boolean casts = casts(c, value, e.getKey());
                    boolean valid = bool(c, "SELECT " + EntitySpec.validSql("x.v", e.getKey()) + " FROM (SELECT CAST(? AS text) AS v) x", value);
                    if (valid != casts) {
                        mismatches.add(e.getKey() + " '" + value + "': check " + valid + ", cast " + casts);
                    }
                    if (serverMajor >= 16) {
                        boolean builtin = bool(c, "SELECT pg_input_is_valid(CAST(? AS text), '" + e.getKey() + "')", value);
                        if (builtin != valid) {
                            mismatches.add(e.getKey() + " '" + value + "': check " + valid + ", pg_input_is_valid " + builtin);
                        }
                    }
                    checked++;
                }
            }
        }
        assertThat(mismatches).as("on PostgreSQL " + serverMajor).isEmpty();
        assertThat(checked).isGreaterThan(60);
    }

    @Test
    void wellFormedValuesTakeTheRegularExpressionAndBrokenOnesAreInvalid() throws SQLException {
        try (Connection c = ds.getConnection()) {
            for (var e : WELL_FORMED.entrySet()) {
                for (String value : e.getValue()) {
                    // with the slow path replaced by false, true can only come from the regular expression
                    String sql = "SELECT " + EntitySpec.validSql("x.v", e.getKey())
                            .replaceAll("hub_input_is_valid\\(x\\.v, '[a-z]+'\\)", "false") + " FROM (SELECT CAST(? AS text) AS v) x";
                    assertThat(sql).doesNotContain("hub_input_is_valid");
                    assertThat(bool(c, sql, value)).as(e.getKey() + " " + value).isTrue();
                }
            }
            assertThat(bool(c, "SELECT " + EntitySpec.validSql("x.v", "numeric") + " FROM (SELECT CAST(? AS text) AS v) x", "ten dollars"))
                    .isFalse();
            assertThat(bool(c, "SELECT " + EntitySpec.validSql("x.v", "date") + " FROM (SELECT CAST(? AS text) AS v) x", "2025-02-30"))
                    .isFalse();
            assertThatThrownBy(() -> bool(c, "SELECT hub_input_is_valid(CAST(? AS text), 'no_such_type')", "1"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("no_such_type");
        }
    }

    @Test
    void noGeneratedStatementNeedsPostgres16() {
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            assertThat(spec.upsertSql(false)).doesNotContain("pg_input_is_valid");
            assertThat(spec.upsertSql(true)).doesNotContain("pg_input_is_valid");
        }
    }

    private static boolean casts(Connection c, String value, String type) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT CAST(CAST(? AS text) AS " + type + ")")) {
            ps.setString(1, value);
            ps.executeQuery().close();
            return true;
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("22")) {
                return false; // data exception: the value does not cast
            }
            throw e;
        }
    }

    private static boolean bool(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
