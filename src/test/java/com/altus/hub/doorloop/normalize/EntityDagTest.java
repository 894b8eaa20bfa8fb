package com.altus.hub.doorloop.normalize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class EntityDagTest {

    @Test
    void everyEntityStartsAfterTheEntitiesItReferencesFinished() throws Exception {
        AtomicInteger clock = new AtomicInteger();
        Map<String, Integer> started = new ConcurrentHashMap<>();
        Map<String, Integer> finished = new ConcurrentHashMap<>();
        EntityDag.run(DoorLoopMapping.ENTITIES, 3, "dag-test", spec -> {
            started.put(spec.table(), clock.incrementAndGet());
            finished.put(spec.table(), clock.incrementAndGet());
        });
        assertThat(started).hasSize(DoorLoopMapping.ENTITIES.size());
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            for (String parent : spec.parentTables()) {
                if (finished.containsKey(parent)) {
                    assertThat(started.get(spec.table())).as(spec.table() + " after " + parent)
                            .isGreaterThan(finished.get(parent));
                }
            }
        }
    }

    @Test
    void aFailureIsRethrownAndItsChildrenDoNotRun() {
        Map<String, Boolean> ran = new ConcurrentHashMap<>();
        assertThatThrownBy(() -> EntityDag.run(DoorLoopMapping.ENTITIES, 2, "dag-test", spec -> {
            ran.put(spec.table(), true);
            if (spec.entityType().equals("lease")) {
                throw new java.sql.SQLException("lease statement failed");
            }
        })).isInstanceOf(java.sql.SQLException.class).hasMessageContaining("lease statement failed");
        List<String> leaseChildren = DoorLoopMapping.ENTITIES.stream()
                .filter(s -> s.parentTables().contains(DoorLoopMapping.byEntityType("lease").orElseThrow().table()))
                .map(EntitySpec::table).toList();
        assertThat(leaseChildren).isNotEmpty();
        assertThat(leaseChildren).noneMatch(ran::containsKey);
    }
}
