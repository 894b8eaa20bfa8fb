package com.altus.hub.doorloop.normalize;

import java.nio.file.Path;

import javax.sql.DataSource;

import com.altus.hub.test.TestDatabase;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A database of its own for repository-level tests (no Spring context): created on the suite's
 * embedded PostgreSQL, migrated with the project's Flyway scripts, DoorLoop tables emptied.
 */
public final class NormalizeTestDb {
    private NormalizeTestDb() {
    }

    public static Path basedir() {
        return Path.of(System.getProperty("hub.test.basedir", ".")).toAbsolutePath();
    }

    public static DataSource create(String name) {
        TestDatabase.createDatabase(name);
        DataSource ds = TestDatabase.dataSource(name);
        Flyway.configure().dataSource(ds).locations("filesystem:" + basedir().resolve("db/migration")).load().migrate();
        return ds;
    }

    /** Empties the raw and normalized DoorLoop tables, the KPIs and this flow's dead letters. */
    public static void truncate(JdbcTemplate jdbc) {
        jdbc.execute("TRUNCATE kpi_summary, normalized_work_orders, normalized_tasks, normalized_lease_payments,"
                + " normalized_lease_tenants, normalized_leases, normalized_units, normalized_property_owners,"
                + " normalized_users, normalized_vendors, normalized_tenants, normalized_owners, normalized_properties,"
                + " doorloop_raw_properties, doorloop_raw_units, doorloop_raw_tenants, doorloop_raw_owners, doorloop_raw_leases,"
                + " doorloop_raw_lease_tenants, doorloop_raw_lease_payments, doorloop_raw_tasks, doorloop_raw_vendors,"
                + " doorloop_raw_work_orders, doorloop_raw_users");
        jdbc.update("DELETE FROM dead_letters WHERE flow = ?", DoorLoopMapping.FLOW);
    }
}
