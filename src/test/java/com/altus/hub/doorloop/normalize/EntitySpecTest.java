package com.altus.hub.doorloop.normalize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The mapping table and the SQL it generates, without a database. */
class EntitySpecTest {

    @Test
    void entitiesComeParentsFirstSoThatReferencesResolveInOneRun() {
        Set<String> done = new HashSet<>();
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            assertThat(done).as(spec.table() + " needs its parents first").containsAll(spec.parentTables());
            done.add(spec.table());
        }
        assertThat(DoorLoopMapping.ENTITIES).extracting(EntitySpec::statsGroup).containsExactly("properties", "owners", "tenants",
                "vendors", "users", "property_owners", "units", "leases", "lease_tenants", "lease_payments", "tasks", "work_orders");
    }

    @Test
    void jsonPathsBecomeParenthesizedJsonbAccessAndRejectAnythingElse() {
        assertThat(EntitySpec.path("workOrder.assignedToVendor")).isEqualTo("(r.data->'workOrder'->>'assignedToVendor')");
        assertThat(EntitySpec.path("name")).isEqualTo("(r.data->>'name')");
        assertThatThrownBy(() -> EntitySpec.path("name'); DROP TABLE x; --")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void moneyIsNumericFromTheJsonTextAndEnumsAreUpperCased() {
        EntitySpec leases = DoorLoopMapping.byEntityType("lease").orElseThrow();
        assertThat(column(leases, "total_recurring_rent").expression()).isEqualTo("((r.data->>'totalRecurringRent'))::numeric");
        assertThat(column(leases, "total_recurring_rent").validateAs()).isEqualTo("numeric");
        assertThat(column(leases, "term").expression()).isEqualTo("upper((r.data->>'term'))");
        assertThat(column(leases, "start_date").expression()).endsWith("::date");
        assertThat(leases.targetColumns()).endsWith("property_id", "unit_ids", "unit_id", "deleted_at");
    }

    @Test
    void theUpsertWritesOnlyWhatChangedAndTakesItsValuesAsParameters() {
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            String full = spec.upsertSql(false);
            String filtered = spec.upsertSql(true);
            assertThat(full).contains("ON CONFLICT (doorloop_id) DO UPDATE SET").contains(") IS DISTINCT FROM (")
                    .contains("INSERT INTO " + spec.table());
            // bind parameters only: the entity type, and the ids when filtered (a '?' inside a literal is jsonpath)
            assertThat(placeholders(full)).as(spec.table()).isEqualTo(1);
            assertThat(placeholders(filtered)).as(spec.table()).isEqualTo(2);
            assertThat(placeholders(spec.singleRowUpsertSql())).isEqualTo(3);
        }
        assertThatThrownBy(() -> DoorLoopMapping.ENTITIES.get(0).vanishedSql()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aColumnMappedTwiceIsRefused() {
        assertThatThrownBy(() -> new EntitySpec("x", "xs", "normalized_x", "doorloop_raw_x", false,
                List.of(DoorLoopMapping.text("name", "name"), DoorLoopMapping.text("name", "title")), List.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
    }

    private static EntitySpec.Column column(EntitySpec spec, String name) {
        return spec.columns().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static long placeholders(String sql) {
        return sql.replaceAll("'(?:[^']|'')*'", "''").chars().filter(ch -> ch == '?').count();
    }
}
