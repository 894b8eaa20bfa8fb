package com.altus.hub.doorloop.normalize;

import java.util.ArrayList;
import java.util.List;

import com.altus.hub.doorloop.normalize.NormalizeRepository.EntityResult;
import com.altus.hub.platform.dlq.DeadLetterReplayer;
import com.altus.hub.platform.dlq.DeadLetterService;
import com.altus.hub.platform.dlq.StoredDeadLetter;
import com.fasterxml.jackson.databind.JsonNode;
import org.springframework.stereotype.Component;

/**
 * Replays dead letters of doorloop-normalize: normalizes that one record again from its raw row
 * (the latest DoorLoop data, not the letter's copy) with the same SQL as a full run, after
 * normalizing the parents it names (which may have arrived in the raw layer since). Succeeds once
 * its parents exist; throws while they still do not.
 */
@Component
public class OrphanReplayer implements DeadLetterReplayer {
    /** lease_payment -> lease -> unit -> property is the deepest chain of parents. */
    private static final int MAX_DEPTH = 4;
    private final NormalizeRepository repository;
    private final DeadLetterService deadLetters;

    public OrphanReplayer(NormalizeRepository repository, DeadLetterService deadLetters) {
        this.repository = repository;
        this.deadLetters = deadLetters;
    }

    @Override
    public String flow() {
        return DoorLoopMapping.FLOW;
    }

    @Override
    public boolean handles(String entityType) {
        return DoorLoopMapping.byEntityType(entityType).isPresent();
    }

    @Override
    public void replay(StoredDeadLetter letter) {
        EntitySpec spec = DoorLoopMapping.byEntityType(letter.entityType()).orElseThrow(
                () -> new IllegalArgumentException("doorloop-normalize has no entity type " + letter.entityType()));
        JsonNode raw = repository.rawRecord(spec, letter.entityKey());
        if (raw == null) {
            throw new UnresolvedRecordException(spec.entityType() + " " + letter.entityKey()
                    + " has no raw record any more (doorloop_raw_* holds no row with that id)");
        }
        normalizeParents(spec, raw, MAX_DEPTH);
        EntityResult r = repository.normalize(spec, List.of(letter.entityKey()));
        if (!r.rejected().isEmpty()) {
            throw new UnresolvedRecordException(spec.entityType() + " " + letter.entityKey() + " still not normalized: "
                    + r.rejected().get(0).reason());
        }
        if (r.candidates() == 0) {
            throw new UnresolvedRecordException(spec.entityType() + " " + letter.entityKey() + " is deleted in the raw layer");
        }
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
