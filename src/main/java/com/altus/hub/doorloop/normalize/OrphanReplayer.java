package com.altus.hub.doorloop.normalize;

import java.util.List;

import com.altus.hub.doorloop.normalize.NormalizeRepository.EntityResult;
import com.altus.hub.platform.dlq.DeadLetterReplayer;
import com.altus.hub.platform.dlq.StoredDeadLetter;
import org.springframework.stereotype.Component;

/**
 * Replays dead letters of doorloop-normalize: normalizes that one record again from its raw row
 * (the latest DoorLoop data, not the letter's copy) with the same SQL as a full run. Succeeds
 * once its parents exist; throws while they still do not.
 */
@Component
public class OrphanReplayer implements DeadLetterReplayer {
    private final NormalizeRepository repository;

    public OrphanReplayer(NormalizeRepository repository) {
        this.repository = repository;
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
        EntityResult r = repository.normalize(spec, List.of(letter.entityKey()));
        if (!r.rejected().isEmpty()) {
            throw new UnresolvedRecordException(spec.entityType() + " " + letter.entityKey() + " still not normalized: "
                    + r.rejected().get(0).reason());
        }
        if (r.candidates() == 0) {
            throw new UnresolvedRecordException(spec.entityType() + " " + letter.entityKey()
                    + " has no raw record any more (doorloop_raw_* holds no row with that id)");
        }
    }

    /** A replayed record that still cannot be normalized. */
    public static class UnresolvedRecordException extends RuntimeException {
        public UnresolvedRecordException(String message) {
            super(message);
        }
    }
}
