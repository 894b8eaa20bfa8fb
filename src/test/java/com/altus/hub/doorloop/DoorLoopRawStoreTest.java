package com.altus.hub.doorloop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.altus.hub.test.TestDatabase;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** The raw store on its own database: both write paths, work orders, deletions and restores, escaping. */
class DoorLoopRawStoreTest {
    private static DataSource ds;
    private static JdbcTemplate jdbc;
    private final ObjectMapper json = new ObjectMapper();
    private DoorLoopRawStore store;

    @BeforeAll
    static void database() {
        ds = TestDatabase.dataSource(TestDatabase.createDatabase("doorloop_raw_store_test"));
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        jdbc = new JdbcTemplate(ds);
    }

    @BeforeEach
    void clean() {
        store = new DoorLoopRawStore(ds);
        for (RawTable t : RawTable.values()) {
            jdbc.update("TRUNCATE " + t.table());
        }
    }

    private DoorLoopRawStore.RawRecord task(String id, String type, String subject) throws Exception {
        String text = json.writeValueAsString(Map.of("id", id, "type", type, "subject", subject));
        return new DoorLoopRawStore.RawRecord(id, text, "WORK_ORDER".equals(type));
    }

    @Test
    void theFastAndTheConflictSafePathsCountAndStoreAlike() throws Exception {
        DoorLoopRawStore.Stored first = store.store(DoorLoopResource.TASKS, "e1",
                List.of(task("a", "WORK_ORDER", "fix"), task("b", "TODO", "call"), task("c", "WORK_ORDER", "paint")));
        assertThat(first.records()).isEqualTo(new DoorLoopRawStore.Counts(3, 3, 0));
        assertThat(first.workOrders()).isEqualTo(new DoorLoopRawStore.Counts(2, 2, 0));

        List<DoorLoopRawStore.RawRecord> next = List.of(task("a", "WORK_ORDER", "fix"), task("b", "TODO", "call back"),
                task("c", "WORK_ORDER", "paint twice"), task("d", "TODO", "new"));
        DoorLoopRawStore.Stored staged = store.storeStaged(DoorLoopResource.TASKS, "e2", next);
        assertThat(staged.records()).isEqualTo(new DoorLoopRawStore.Counts(4, 1, 2));
        assertThat(staged.records().unchanged()).isEqualTo(1);
        assertThat(staged.workOrders()).isEqualTo(new DoorLoopRawStore.Counts(2, 0, 1));

        String versionsBefore = jdbc.queryForObject("SELECT string_agg(id || xmin::text, ',' ORDER BY id) FROM doorloop_raw_tasks", String.class);
        DoorLoopRawStore.Stored again = store.store(DoorLoopResource.TASKS, "e3", next);
        assertThat(again.records()).isEqualTo(new DoorLoopRawStore.Counts(4, 0, 0));
        assertThat(again.workOrders()).isEqualTo(new DoorLoopRawStore.Counts(2, 0, 0));
        assertThat(jdbc.queryForObject("SELECT string_agg(id || xmin::text, ',' ORDER BY id) FROM doorloop_raw_tasks", String.class))
                .isEqualTo(versionsBefore);

        assertThat(jdbc.queryForList("SELECT id, data->>'subject' AS subject, source_endpoint FROM doorloop_raw_tasks ORDER BY id"))
                .containsExactly(Map.of("id", "a", "subject", "fix", "source_endpoint", "e1"),
                        Map.of("id", "b", "subject", "call back", "source_endpoint", "e2"),
                        Map.of("id", "c", "subject", "paint twice", "source_endpoint", "e2"),
                        Map.of("id", "d", "subject", "new", "source_endpoint", "e2"));
        assertThat(jdbc.queryForList("SELECT id FROM doorloop_raw_work_orders ORDER BY id", String.class)).containsExactly("a", "c");
    }

    @Test
    void deletionsNeedTheSnapshotAndARecordThatReturnsIsRestoredOnEitherPath() throws Exception {
        store.store(DoorLoopResource.TASKS, "e", List.of(task("a", "TODO", "x"), task("b", "TODO", "y"), task("c", "TODO", "z")));

        DoorLoopRawStore.Deletion d = store.markMissingDeleted(RawTable.TASKS, List.of("a"), 0.5, 10);
        assertThat(d).isEqualTo(new DoorLoopRawStore.Deletion(3, 2, true));
        assertThat(jdbc.queryForList("SELECT id FROM doorloop_raw_tasks WHERE deleted_at IS NOT NULL ORDER BY id", String.class))
                .containsExactly("b", "c");
        // already deleted rows are not deleted again
        assertThat(store.markMissingDeleted(RawTable.TASKS, List.of("a"), 0.5, 10)).isEqualTo(new DoorLoopRawStore.Deletion(1, 0, true));
        // the guard: 1 of 1 live rows missing is over the fraction, but not over the minimum
        assertThat(store.markMissingDeleted(RawTable.TASKS, List.of(), 0.5, 0)).isEqualTo(new DoorLoopRawStore.Deletion(1, 1, false));
        assertThat(jdbc.queryForObject("SELECT deleted_at FROM doorloop_raw_tasks WHERE id = 'a'", Object.class)).isNull();

        assertThat(store.store(DoorLoopResource.TASKS, "e", List.of(task("b", "TODO", "y"))).records())
                .isEqualTo(new DoorLoopRawStore.Counts(1, 0, 1));
        assertThat(store.storeStaged(DoorLoopResource.TASKS, "e", List.of(task("c", "TODO", "z"))).records())
                .isEqualTo(new DoorLoopRawStore.Counts(1, 0, 1));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM doorloop_raw_tasks WHERE deleted_at IS NOT NULL", Integer.class)).isZero();
    }

    @Test
    void textSurvivesCopyEscaping() throws Exception {
        String nasty = "tab\there, new\nline, back\\slash, quote \", Zoë 🏠, \\N";
        String text = json.writeValueAsString(Map.of("id", "q\\1", "note", nasty));
        store.store(DoorLoopResource.UNITS, "e", List.of(new DoorLoopRawStore.RawRecord("q\\1", text, false)));
        store.storeStaged(DoorLoopResource.OWNERS, "e", List.of(new DoorLoopRawStore.RawRecord("q\\1", text, false)));
        assertThat(jdbc.queryForObject("SELECT data->>'note' FROM doorloop_raw_units WHERE id = ?", String.class, "q\\1")).isEqualTo(nasty);
        assertThat(jdbc.queryForObject("SELECT data->>'note' FROM doorloop_raw_owners WHERE id = ?", String.class, "q\\1")).isEqualTo(nasty);
    }
}
