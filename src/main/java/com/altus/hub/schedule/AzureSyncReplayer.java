package com.altus.hub.schedule;

import java.util.UUID;

import com.altus.hub.platform.dlq.DeadLetterReplayer;
import com.altus.hub.platform.dlq.StoredDeadLetter;
import com.altus.hub.platform.run.RunStats;
import org.springframework.stereotype.Component;

/**
 * Replays azure-sync's dead letters: a blob is fetched again by name and synced (the current
 * content, which an operator may have fixed); an auth user is brought in line with its profile;
 * a queued auth deletion is sent again.
 */
@Component
public class AzureSyncReplayer implements DeadLetterReplayer {
    private final ScheduleFileSync schedules;
    private final UsersFileSync users;
    private final AuthReconciler auth;

    public AzureSyncReplayer(ScheduleFileSync schedules, UsersFileSync users, AuthReconciler auth) {
        this.schedules = schedules;
        this.users = users;
        this.auth = auth;
    }

    @Override
    public String flow() {
        return AzureSyncFlow.NAME;
    }

    @Override
    public void replay(StoredDeadLetter letter) throws Exception {
        switch (letter.entityType()) {
            case AzureSyncFlow.ENTITY_BLOB -> {
                BlobSource.BlobRef blob = new BlobSource.BlobRef(letter.entityKey(), null, -1);
                if (AzureSyncFlow.kind(blob.name()) == AzureSyncFlow.Kind.USERS) {
                    UsersFileSync.Result r = users.sync(blob, () -> { });
                    if (r.guardReason() != null) {
                        throw new IllegalStateException(r.guardReason());
                    }
                } else {
                    schedules.sync(blob, new RunStats());
                }
            }
            case AuthReconciler.ENTITY_USER -> auth.reconcileOne(UUID.fromString(letter.entityKey()));
            case AuthReconciler.ENTITY_DELETION -> auth.deleteOne(UUID.fromString(letter.entityKey()));
            default -> throw new IllegalArgumentException("azure-sync has no replay for entity type " + letter.entityType());
        }
    }
}
