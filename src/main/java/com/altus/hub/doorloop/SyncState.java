package com.altus.hub.doorloop;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.altus.hub.platform.http.PermanentFailure;
import org.apache.camel.Exchange;

/**
 * What the resources of one doorloop-sync run share (an exchange property the split hands to
 * every {@code doorloop-resource} exchange): the resources selected, those pulled, and the 401
 * after which the remaining resources are not requested. Absent in a dead-letter replay.
 */
public final class SyncState {
    static final String PROPERTY = "HubDoorLoopSync";

    private final List<DoorLoopResource> selected;
    private final Set<DoorLoopResource> pulled = ConcurrentHashMap.newKeySet();
    private volatile PermanentFailure rejected;

    SyncState(List<DoorLoopResource> selected) {
        this.selected = List.copyOf(selected);
    }

    /** The run's state, or null outside a run (a replay). */
    static SyncState of(Exchange exchange) {
        return exchange.getProperty(PROPERTY, SyncState.class);
    }

    void pulled(DoorLoopResource r) {
        pulled.add(r);
    }

    /** DoorLoop refused the token: the resources after this one are not requested. */
    void rejected(PermanentFailure failure) {
        if (rejected == null) {
            rejected = failure;
        }
    }

    PermanentFailure rejected() {
        return rejected;
    }

    List<DoorLoopResource> selected() {
        return selected;
    }

    /** Paths of the selected resources that were not pulled, in order. */
    List<String> failed() {
        List<String> out = new ArrayList<>();
        for (DoorLoopResource r : selected) {
            if (!pulled.contains(r)) {
                out.add(r.path());
            }
        }
        return out;
    }
}
