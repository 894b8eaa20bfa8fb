package com.altus.hub.doorloop.normalize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class EntityDagTest {

    private static Map<String, Integer> layerOf(List<List<EntitySpec>> layers) {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            for (EntitySpec spec : layers.get(i)) {
                out.put(spec.table(), i);
            }
        }
        return out;
    }

    @Test
    void everyEntityRunsInALaterLayerThanTheEntitiesItReferences() {
        List<List<EntitySpec>> layers = EntityDag.layers(DoorLoopMapping.ENTITIES);
        Map<String, Integer> layer = layerOf(layers);
        assertThat(layer).hasSize(DoorLoopMapping.ENTITIES.size());
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            for (String parent : spec.parentTables()) {
                assertThat(layer.get(spec.table())).as(spec.table() + " after " + parent).isGreaterThan(layer.get(parent));
            }
            // as early as its parents allow: right after the last of them
            int expected = spec.parentTables().stream().mapToInt(p -> layer.get(p) + 1).max().orElse(0);
            assertThat(layer.get(spec.table())).as(spec.table()).isEqualTo(expected);
        }
    }

    @Test
    void theDoorLoopMappingRunsInFourLayersOfIndependentEntities() {
        List<List<EntitySpec>> layers = EntityDag.layers(DoorLoopMapping.ENTITIES);
        assertThat(layers).extracting(l -> l.stream().map(EntitySpec::statsGroup).toList()).containsExactly(
                List.of("properties", "owners", "tenants", "vendors", "users"),
                List.of("property_owners", "units"),
                List.of("leases", "tasks", "work_orders"),
                List.of("lease_tenants", "lease_payments"));
        for (List<EntitySpec> l : layers) {
            for (EntitySpec a : l) {
                for (EntitySpec b : l) {
                    assertThat(a.parentTables()).as(a.table() + " and " + b.table()).doesNotContain(b.table());
                }
            }
        }
    }

    @Test
    void aChildListedBeforeItsParentIsRefused() {
        List<EntitySpec> wrongOrder = List.of(DoorLoopMapping.byEntityType("unit").orElseThrow(),
                DoorLoopMapping.byEntityType("property").orElseThrow());
        assertThatThrownBy(() -> EntityDag.layers(wrongOrder)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("before its parent");
    }
}
