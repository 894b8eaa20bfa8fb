package com.altus.hub.dropbox.drift;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.altus.hub.dropbox.drift.DriftPlanner.Planned;

/**
 * The state of one drift-detector run that its steps and units share (exchange property
 * {@value #PROPERTY}, which split parts see): the expected entities, the listed tree, the plan,
 * and what became of each entity. A replayed unit has none and writes its audit row itself.
 */
final class DriftRun {
    static final String PROPERTY = "HubDriftRun";

    final boolean dryRun;
    final LocalDate asOf;
    List<DriftEntity> expected;
    FolderTree tree;
    DriftPlanner.Plan plan;
    private Map<String, Planned> byEntity = Map.of();
    private Set<String> failedMoveTargets;

    DriftRun(boolean dryRun, LocalDate asOf) {
        this.dryRun = dryRun;
        this.asOf = asOf;
    }

    void planned(DriftPlanner.Plan p) {
        this.plan = p;
        Map<String, Planned> m = new HashMap<>(p.entities().size() * 2);
        for (Planned e : p.entities()) {
            m.put(e.entity().entity() + "\0" + e.entity().key(), e);
        }
        this.byEntity = m;
    }

    Planned entity(String entity, String key) {
        return byEntity.get(entity + "\0" + key);
    }

    /** Lower-case targets of planned moves that did not happen (after the moves ran). */
    synchronized Set<String> failedMoveTargets() {
        if (failedMoveTargets == null) {
            Set<String> out = new HashSet<>();
            for (FolderMove m : plan.moves()) {
                Planned e = entity(m.entity(), m.key());
                if (e == null || !e.moveDone()) {
                    out.add(FolderTree.lower(m.to()));
                }
            }
            failedMoveTargets = out;
        }
        return failedMoveTargets;
    }

    /** The target of a failed move that {@code path} lies in, or null. */
    String underFailedMove(String path) {
        String p = FolderTree.lower(path);
        for (String t : failedMoveTargets()) {
            if (p.equals(t) || p.startsWith(t + "/")) {
                return t;
            }
        }
        return null;
    }
}
