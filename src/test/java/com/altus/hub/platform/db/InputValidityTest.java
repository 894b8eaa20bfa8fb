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
 * The normalizer's type checks without pg_input_is_valid (16+): hub_input_is_valid (V8) and its
 * portable form answer, for every value, exactly whether the server casts it, on 15 (the pg15
 * execution) as on 17, and on 16+ the same as pg_input_is_valid. Well-formed values never reach
 * the cast (its exception block costs a subtransaction per row).
 */
class InputValidityTest {
    /** type -> values: DoorLoop's shapes first, then odd and broken ones. */
    private static final Map<String, List<String>> CASES = Map.of(
            "numeric", List.of("1", "-12.50", "+3", ".5", "5.", "-.5", "-5.", "-0", "007", "1e3", "1E-3",
                    "12345678901234567890.123456789", "9e999", "1e1001", "NaN", "Infinity", "-Infinity", " 12 ", "1 2", "1_000",
                    "0x1F", "\uFF11\uFF12", "ten dollars", "", "1.2.3", "--1", "1-2", "5-", "-", "-.", ".-5", "1e", "."),
            "date", List.of("2025-01-15", "2024-02-29", "2023-02-29", "2025-02-28", "2025-02-30", "2025-04-31", "2025-04-30",
                    "2025-06-31", "2025-07-31", "2025-11-31", "2025-12-31", "2025-13-01", "2025-00-10", "2025-01-00", "2025-01-32",
                    "0000-01-01", "0001-01-01", "9999-12-31", "2025-01-15T10:00:00Z", "January 15, 2025", "20250115", "epoch",
                    "infinity", "2025-1-5", "2025-01-1x", "+025-01-15", "2025-01-15 ", "not a date", ""),
            "timestamptz", List.of("2025-01-15T10:20:30.123Z", "2025-01-15T10:20:30Z", "2025-01-15T10:20:30", "2025-01-15 10:20:30+02",
                    "2025-01-15T10:20:30+05:30", "2025-01-15T10:20:30.123+02:00", "2025-01-15T10:20:30-0800", "2025-01-15T10:20:30-08",
                    "2025-01-15T10:20:30.5", "2025-01-15T10:20:30.123", "2025-01-15T10:20", "2025-01-15T23:59:59Z",
                    "2025-01-15T23:59:60Z", "2025-01-15T24:00:00Z", "2025-01-15T10:61:00Z", "2025-01-15T10:20:61Z",
                    "2025-01-15T10:20:30+16:00", "2025-01-15T10:20:30+15:59", "2025-01-15T10:20:30.1234567Z",
                    "2025-01-15T10:20:30.123Zx", "2025-01-15T10:20:30.12aZ", "2025-01-15T1:20:30Z", "2025-01-15t10:20:30z",
                    "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2025-02-30T10:20:30Z", "0000-01-01T00:00:00Z",
                    "2025-01-15", "yesterday", "garbage", ""),
            "boolean", List.of("true", "false", "t", "yes", "off", "1", "maybe", "TRUE", " true ", ""));

    /** The shapes DoorLoop sends (samples/doorloop): these must take the fast path. */
    private static final Map<String, List<String>> WELL_FORMED = Map.of(
            "numeric", List.of("3", "2.5", "1450.0", "-312.75", "12000"),
            "date", List.of("2025-01-15", "2025-12-31", "2024-06-30"),
            "timestamptz", List.of("2025-03-04T12:34:56.789Z", "2025-03-04T12:34:56Z", "2025-03-04 12:34:56+02:00"),
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
                    String type = e.getKey();
                    boolean casts = casts(c, value, type);
                    Map<String, String> checks = new java.util.LinkedHashMap<>();
                    checks.put("hub_input_is_valid", EntitySpec.validSql("x.v", type));
                    checks.put("hub_input_is_valid_portable", "hub_input_is_valid_portable(x.v, '" + type + "')");
                    if (serverMajor >= 16) {
                        checks.put("pg_input_is_valid", "pg_input_is_valid(x.v, '" + type + "')");
                    }
                    for (var check : checks.entrySet()) {
                        boolean answer = bool(c, "SELECT " + check.getValue() + " FROM (SELECT CAST(? AS text) AS v) x", value);
                        if (answer != casts) {
                            mismatches.add(type + " '" + value + "': " + check.getKey() + " " + answer + ", cast " + casts);
                        }
                    }
                    checked++;
                }
            }
        }
        assertThat(mismatches).as("on PostgreSQL " + serverMajor).isEmpty();
        assertThat(checked).isGreaterThan(100);
    }

    @Test
    void wellFormedValuesNeverReachTheCastAndOn15ThePortableCheckIsTheOneUsed() throws SQLException {
        try (Connection c = ds.getConnection()) {
            for (var e : WELL_FORMED.entrySet()) {
                for (String value : e.getValue()) {
                    assertThat(bool(c, "SELECT hub_input_is_well_formed(CAST(? AS text), '" + e.getKey() + "')", value))
                            .as(e.getKey() + " " + value).isTrue();
                }
            }
            assertThat(bool(c, "SELECT hub_input_is_well_formed(CAST(? AS text), 'date')", "2024-02-29")).isFalse();
            assertThat(bool(c, "SELECT " + EntitySpec.validSql("x.v", "numeric") + " FROM (SELECT CAST(? AS text) AS v) x", "ten dollars"))
                    .isFalse();
            assertThatThrownBy(() -> bool(c, "SELECT hub_cast_succeeds(CAST(? AS text), 'no_such_type')", "1"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("no_such_type");
            String body = string(c, "SELECT pg_get_functiondef('hub_input_is_valid(text,text)'::regprocedure)");
            assertThat(body).contains(serverMajor >= 16 ? "pg_input_is_valid" : "hub_input_is_valid_portable");
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

    private static String string(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
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
