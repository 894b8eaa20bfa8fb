package com.altus.hub.doorloop.normalize;

import java.util.ArrayList;
import java.util.List;

import com.altus.hub.doorloop.normalize.NormalizeRepository.EntityResult;
import com.altus.hub.platform.dlq.DeadLetterService;
import com.altus.hub.platform.run.RunContext;
import com.altus.hub.platform.run.RunStats;
import com.altus.hub.platform.run.Units;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The steps of the {@code doorloop-normalize-entity} route: one entity's set-based upsert
 * ({@link NormalizeRepository}). In a run the whole entity is normalized and the records that do
 * not (an unknown parent, a field that does not parse) become dead letters whose body is this
 * route's unit for just that record. Replaying such a letter normalizes the parents the record
 * names (they may have reached the raw layer since), then the record, from its raw row (the
 * latest DoorLoop data, not the letter's copy), and fails while it still does not normalize.
 */
@Component
public class NormalizeEntitySteps {
    static final String ROUTE = "doorloop-normalize-entity";
    /** Entity type of the dead letter of a whole entity that failed (its key: the stats group, e.g. {@code units}). */
    static final String ENTITY = "entity";
    /** lease_payment -> lease -> unit -> property is the deepest chain of parents. */
    private static final int MAX_DEPTH = 4;
    private static final String SPEC = "HubDoorLoopEntity";
    private static final String UNIT = "HubDoorLoopEntityUnit";
    private static final String RESULT = "HubDoorLoopEntityResult";

    private final NormalizeRepository repository;
    private final DeadLetterService deadLetters;

    public NormalizeEntitySteps(NormalizeRepository repository, DeadLetterService deadLetters) {
        this.repository = repository;
        this.deadLetters = deadLetters;
    }

    /**
     * Reads the unit and names it for its letter. In a run, waits until the entities it references
     * are settled, and is not run when one of them failed.
     */
    public void begin(Exchange ex) throws InterruptedException {
        EntityUnit unit = Units.body(ex, EntityUnit.class);
        EntitySpec spec = DoorLoopMapping.byName(unit.entity()).orElseThrow(() ->
                new IllegalArgumentException(DoorLoopMapping.FLOW + " has no entity '" + unit.entity() + "'"));
        if (unit.ids() == null) {
            Units.entity(ex, ENTITY, spec.statsGroup());
        } else {
            Units.entity(ex, spec.entityType(), String.join(",", unit.ids()));
        }
        NormalizeState state = NormalizeState.of(ex);
        if (state != null) {
            state.awaitParents(spec, RunContext.of(ex));
            for (String parent : spec.parentTables()) {
                if (!state.isNormalized(parent)) {
                    throw new IllegalStateException(spec.statsGroup() + " not normalized: " + parent
                            + ", which it references, failed in this run");
                }
            }
        }
        ex.setProperty(SPEC, spec);
        ex.setProperty(UNIT, unit);
    }

    /** Records named by id (a replayed letter): their raw rows must exist, and their parents are normalized first. */
    public void parents(Exchange ex) {
        EntitySpec spec = ex.getProperty(SPEC, EntitySpec.class);
        EntityUnit unit = ex.getProperty(UNIT, EntityUnit.class);
        if (unit.ids() == null) {
            return;
        }
        for (String id : unit.ids()) {
            JsonNode raw = repository.rawRecord(spec, id);
            if (raw == null) {
                throw new UnresolvedRecordException(spec.entityType() + " " + id
                        + " has no raw record any more (doorloop_raw_* holds no row with that id)");
            }
            normalizeParents(spec, raw, MAX_DEPTH);
        }
    }

    /** The entity's one statement (all of it, or the named records). */
    public void upsert(Exchange ex) {
        EntitySpec spec = ex.getProperty(SPEC, EntitySpec.class);
        EntityUnit unit = ex.getProperty(UNIT, EntityUnit.class);
        if (unit.ids() == null) {
            // rejected records become dead letters in the same statement, replayed through this route
            RunContext ctx = RunContext.of(ex);
            ex.setProperty(RESULT, repository.normalize(spec, new NormalizeRepository.Letters(DoorLoopMapping.FLOW, ROUTE,
                    ctx.runId(), deadLetters.firstBackoff())));
        } else {
            ex.setProperty(RESULT, repository.normalize(spec, unit.ids()));
        }
    }

    /**
     * Stats, then the rejected records: dead letters in a run, a failure in a record replay. Letters
     * of records that normalize now are closed; a large change is analyzed before the children plan.
     */
    public void settle(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        EntitySpec spec = ex.getProperty(SPEC, EntitySpec.class);
        EntityUnit unit = ex.getProperty(UNIT, EntityUnit.class);
        EntityResult r = ex.getProperty(RESULT, EntityResult.class);
        boolean whole = unit.ids() == null;
        long vanished = whole && spec.derived() ? repository.markVanished(spec) : 0;
        if (!r.resolved().isEmpty()) {
            deadLetters.resolve(DoorLoopMapping.FLOW, spec.entityType(), r.resolved());
        }
        if (whole) {
            deadLetters.resolve(DoorLoopMapping.FLOW, ENTITY, List.of(spec.statsGroup()));
        }
        if (!whole && !r.rejected().isEmpty()) {
            throw new UnresolvedRecordException(spec.entityType() + " " + r.rejected().get(0).id() + " still not normalized: "
                    + r.rejected().get(0).reason());
        }
        if (!whole && r.candidates() < unit.ids().size()) {
            throw new UnresolvedRecordException(spec.entityType() + " " + String.join(",", unit.ids())
                    + " is deleted in the raw layer");
        }
        long changed = r.inserted() + r.updated() + vanished;
        if (whole && changed > 0 && changed * 10 >= r.candidates()) {
            repository.analyze(spec); // before its children's statements plan against it
        }
        ctx.countDeadLetters(r.lettered());
        // counted last: a redelivered settle (after a lost connection above) redoes only idempotent writes
        RunStats s = ctx.stats().group(spec.statsGroup());
        s.add("inserted", r.inserted());
        s.add("updated", r.updated());
        s.add("unchanged", r.unchanged());
        s.add("deleted", r.deleted() + vanished);
        s.add("orphaned", r.orphaned());
        s.add("invalid", r.invalid());
        if (!r.resolved().isEmpty()) {
            s.add("resolved", r.resolved().size());
        }
        NormalizeState state = NormalizeState.of(ex);
        if (state != null) {
            state.normalized(spec, changed);
        }
        ctx.progress("{}: {} inserted, {} updated, {} unchanged, {} deleted, {} rejected", spec.statsGroup(),
                r.inserted(), r.updated(), r.unchanged(), r.deleted() + vanished, r.rejected().size());
    }

    /** Normalizes (idempotently) the parents a raw record references, theirs first. */
    private void normalizeParents(EntitySpec spec, JsonNode record, int depth) {
        if (depth == 0) {
            return;
        }
        for (EntitySpec.Ref ref : spec.refs()) {
            String id = text(at(record, ref.jsonPath()));
            if (id != null) {
                normalizeParent(ref.parentTable(), List.of(id), depth);
            }
        }
        if (spec.listRef() != null) {
            List<String> ids = new ArrayList<>();
            at(record, spec.listRef().jsonPath()).forEach(n -> {
                if (text(n) != null) {
                    ids.add(text(n));
                }
            });
            normalizeParent(spec.listRef().parentTable(), ids, depth);
        }
    }

    private void normalizeParent(String table, List<String> ids, int depth) {
        EntitySpec parent = DoorLoopMapping.byTable(table).orElseThrow();
        List<String> present = new ArrayList<>();
        for (String id : ids) {
            JsonNode raw = repository.rawRecord(parent, id);
            if (raw != null) {
                normalizeParents(parent, raw, depth - 1);
                present.add(id);
            }
        }
        if (!present.isEmpty()) {
            EntityResult r = repository.normalize(parent, present);
            // a parent normalized here may itself have been dead-lettered: its letter is done too
            if (!r.resolved().isEmpty()) {
                deadLetters.resolve(DoorLoopMapping.FLOW, parent.entityType(), r.resolved());
            }
        }
    }

    private static JsonNode at(JsonNode record, String jsonPath) {
        JsonNode n = record;
        for (String part : jsonPath.split("\\.")) {
            n = n.path(part);
        }
        return n;
    }

    private static String text(JsonNode n) {
        return n.isTextual() ? n.asText() : null;
    }

    /** A replayed record that still cannot be normalized. */
    public static class UnresolvedRecordException extends RuntimeException {
        public UnresolvedRecordException(String message) {
            super(message);
        }
    }
}
