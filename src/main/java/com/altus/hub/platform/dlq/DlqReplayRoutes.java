package com.altus.hub.platform.dlq;

import com.altus.hub.platform.run.FlowParam;
import com.altus.hub.platform.run.FlowRouteBuilder;
import com.altus.hub.platform.run.FlowRouteConfiguration;
import org.springframework.stereotype.Component;

/**
 * The {@code dlq-replay} flow: claim due dead letters (or the ones named by {@code ids} or
 * {@code flow}), replay each through the route it failed in, settle it; repeat while batches are
 * full. A replay is a route trigger: the letter's original message goes to {@code direct:<route_id>}.
 */
@Component
public class DlqReplayRoutes extends FlowRouteBuilder {
    public static final String NAME = "dlq-replay";

    @Override
    public void configure() {
        flow(NAME, FlowParam.integers("ids", "replay these letters (pending or parked), whatever their due time"),
                FlowParam.text("flow", "replay this flow's pending and parked letters"))
                .bean("dlqReplay", "claim").id("dlq-replay-claim")
                .loopDoWhile(simple("${body.size} > 0")).id("dlq-replay-batches")
                    .split(body()).id("dlq-replay-letters")
                        .to("direct:dlq-replay-letter").id("dlq-replay-each")
                    .end()
                    .bean("dlqReplay", "claimMore(${exchange}, ${body})").id("dlq-replay-claim-more")
                .end();

        // one letter; a failing replay is settled on the letter (attempts, backoff, parked), never re-lettered
        from("direct:dlq-replay-letter").routeId("dlq-replay-letter").routeConfigurationId(FlowRouteConfiguration.ID)
                .bean("dlqReplay", "replay").id("dlq-replay-send");
    }
}
