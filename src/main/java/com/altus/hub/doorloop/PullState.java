package com.altus.hub.doorloop;

import org.apache.camel.Exchange;

/**
 * The state of one {@code doorloop-resource} exchange as it loops over pages and attempts (an
 * exchange property): the pull's bookkeeping, the page being fetched, the attempt, a transport
 * failure of the last request, and the page's own retry and wait counts for its progress line.
 */
final class PullState {
    static final String PROPERTY = "HubDoorLoopPull";

    final DoorLoopResource resource;
    final ResourcePull pull;
    final String endpoint;
    /** The fetched page, until it is stored. */
    DoorLoopPage page;
    /** What the fetched page gives to store, once worked out (a redelivered store step reuses it). */
    ResourcePull.PageRecords records;
    int attempt;
    Throwable transportFailure;
    long requestStartNanos;
    int pageRetries;
    long pageWaitedMillis;

    PullState(DoorLoopResource resource, ResourcePull pull, String endpoint) {
        this.resource = resource;
        this.pull = pull;
        this.endpoint = endpoint;
    }

    static PullState of(Exchange exchange) {
        PullState st = exchange.getProperty(PROPERTY, PullState.class);
        if (st == null) {
            throw new IllegalStateException("route " + exchange.getFromRouteId() + " has no DoorLoop pull in progress");
        }
        return st;
    }

    void startPage() {
        page = null;
        records = null;
        attempt = 0;
        transportFailure = null;
        pageRetries = 0;
        pageWaitedMillis = 0;
    }

    String what() {
        return "DoorLoop GET /" + resource.path() + " page " + pull.page();
    }
}
