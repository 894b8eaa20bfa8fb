package com.altus.hub.doorloop;

import java.io.IOException;

import com.altus.hub.platform.run.FlowParam;
import com.altus.hub.platform.run.FlowRouteBuilder;
import org.apache.camel.model.LoopDefinition;
import org.springframework.stereotype.Component;

/**
 * The {@code doorloop-sync} flow (CONTRACT sections 4a and 8): DoorLoop resources into
 * {@code doorloop_raw_*}. The flow route picks the resources and splits them into
 * {@code doorloop-resource}, one exchange per resource, which requests the pages through Camel's
 * {@code http} component: page after page until the records reach the total (page_size 1000:
 * the fewest requests), each request after the rate limiter, judged by a step that retries
 * 429 (Retry-After), 408, 5xx and timeouts with backoff, each page stored as it arrives. A
 * resource that cannot be pulled goes to the dead-letter channel with its unit
 * ({@code {"resource": "units"}}), and a replay pulls it again; after a 401 the later resources
 * are dead-lettered without a request. The run fails only when no resource could be pulled.
 * A record that cannot be stored is dead-lettered for {@code doorloop-record}, which stores it
 * once corrected. Without a token the recorded pages take the place of the requests.
 */
@Component
public class DoorLoopSyncRoutes extends FlowRouteBuilder {
    public static final String NAME = "doorloop-sync";
    public static final String RESOURCE_ROUTE = "doorloop-resource";
    public static final String RECORD_ROUTE = "doorloop-record";
    /** Entity type of the dead letter of a resource that could not be pulled. */
    public static final String RESOURCE_ENTITY = "resource";
    public static final String RESOURCES_PARAM = "resources";

    private final DoorLoopApi api;
    private final DoorLoopSyncSteps sync;
    private final DoorLoopResourceSteps pages;
    private final DoorLoopRecordSteps records;

    public DoorLoopSyncRoutes(DoorLoopApi api, DoorLoopSyncSteps sync, DoorLoopResourceSteps pages, DoorLoopRecordSteps records) {
        this.api = api;
        this.sync = sync;
        this.pages = pages;
        this.records = records;
    }

    @Override
    public void configure() {
        flow(NAME, FlowParam.names(RESOURCES_PARAM, "a subset of the resources (paths or entity names), e.g. units,tasks"))
                .process(sync::plan).id("doorloop-sync-plan")
                .split(body()).id("doorloop-sync-resources")
                    .to("direct:" + RESOURCE_ROUTE).id("doorloop-sync-each")
                .end()
                .process(sync::finish).id("doorloop-sync-finish");

        LoopDefinition eachPage = unit(RESOURCE_ROUTE)
                .process(pages::begin).id("doorloop-resource-begin")
                .loopDoWhile(pages::morePages);
        eachPage.id("doorloop-resource-pages")
                .process(pages::nextPage).id("doorloop-resource-next-page");
        if (api.http()) {
            eachPage.loopDoWhile(pages::needsAttempt).id("doorloop-resource-attempts")
                        .process(pages::acquire).id("doorloop-resource-acquire")
                        .doTry().id("doorloop-resource-try")
                            .to(api.endpointUri()).id("doorloop-resource-get")
                        .doCatch(IOException.class)
                            .process(pages::transportFailed).id("doorloop-resource-transport-failed")
                        .end()
                        .process(pages::response).id("doorloop-resource-response")
                    .end();
        } else {
            eachPage.process(pages::readRecorded).id("doorloop-resource-read-recorded");
        }
        eachPage.process(pages::store).id("doorloop-resource-store")
                .end()
                .process(pages::finish).id("doorloop-resource-finish");

        unit(RECORD_ROUTE)
                .process(records::store).id("doorloop-record-store");
    }
}
