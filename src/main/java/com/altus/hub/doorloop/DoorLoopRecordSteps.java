package com.altus.hub.doorloop;

import java.util.List;

import com.altus.hub.platform.run.RunContext;
import com.altus.hub.platform.run.Units;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The step of the {@code doorloop-record} route, which replays the dead letter of a record that
 * could not be stored: stores the letter's record if it has become storable (an operator
 * corrected it), else fails again with the reason.
 */
@Component
public class DoorLoopRecordSteps {
    private final DoorLoopApi api;
    private final DoorLoopRawStore store;
    private final ObjectMapper json;

    public DoorLoopRecordSteps(DoorLoopApi api, DoorLoopRawStore store, ObjectMapper json) {
        this.api = api;
        this.store = store;
        this.json = json;
    }

    public void store(Exchange ex) throws Exception {
        RecordUnit unit = Units.body(ex, RecordUnit.class);
        DoorLoopResource resource = DoorLoopResource.byName(unit.resource()).orElseThrow(() ->
                new IllegalArgumentException("no DoorLoop resource is named '" + unit.resource() + "'"));
        Units.entity(ex, resource.table().entity(), ResourcePull.key(unit.record(), json.writeValueAsString(unit.record())));
        DoorLoopRawStore.RawRecord record = ResourcePull.toRecord(resource, unit.record(), json);
        DoorLoopRawStore.Stored stored = store.store(resource, api.endpoint(resource) + " (dead letter replay)", List.of(record));
        RunContext.of(ex).progress("{} {} stored from its dead letter ({} new, {} changed)", resource.table().entity(), record.id(),
                stored.records().inserted(), stored.records().updated());
    }
}
