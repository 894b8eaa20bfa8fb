package com.altus.hub.platform.rest;

import com.altus.hub.platform.run.FlowRunner;
import com.altus.hub.platform.run.RunRecord;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;
import org.apache.camel.model.rest.RestParamType;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The REST configuration of the hub (camel-servlet, see {@link RestTransport}) and the control API:
 * flow runs, the run ledger, dead letters, and the generated OpenAPI document at /api/openapi.json.
 * Each verb hands over to a direct route that uses the shared REST error handling ({@link RestErrors}).
 */
@Component
public class ControlRoutes extends RouteBuilder {
    private final String version;
    private final String servletName;

    public ControlRoutes(@Value("${hub.version:0.1.0}") String version, RestTransport.ServletName servletName) {
        this.version = version;
        this.servletName = servletName.value();
    }

    @Override
    public void configure() {
        // the servlet streams request bodies: no stream cache, no form or multipart parsing by the binding
        restConfiguration()
                .component("servlet")
                .endpointProperty("servletName", servletName)
                .endpointProperty("disableStreamCache", "true")
                .endpointProperty("httpBinding", "#" + RestTransport.BINDING)
                .bindingMode(RestBindingMode.off)
                // each REST verb and the direct: route it calls are one route with the direct route's
                // id (dropbox-upload, api-flow-run, ...): one exchange per request, one diagram in Hawtio
                .inlineRoutes(true)
                .apiContextPath("/api/openapi.json")
                .apiContextRouteId("api-openapi")
                // servers[0] is the caller's origin (X-Forwarded-Proto/-Host behind a proxy), not 0.0.0.0
                .useXForwardHeaders(true)
                .apiProperty("api.title", "Altus Integration Hub")
                .apiProperty("api.version", version)
                .apiProperty("api.description", "Runs the hub's flows and serves its upload endpoints. "
                        + "Every /api call needs Authorization: Bearer <HUB_API_TOKEN>; errors are application/problem+json "
                        + "(RFC 9457) with 'field' naming the bad input of a 400.")
                .apiProperty("openapi.version", "3.0.3");

        rest("/api/flows").description("Flow runs and the run ledger")
                .get().id("rest-flows-list").description("The flows this hub runs").produces("application/json")
                    .to("direct:api-flows")
                .get("/runs").id("rest-flow-runs").description("Run records, newest first").produces("application/json")
                    .param().name("flow").type(RestParamType.query).required(false).description("only this flow").endParam()
                    .param().name("limit").type(RestParamType.query).required(false).dataType("integer").description("1-1000, default 50").endParam()
                    .outType(RunRecord[].class)
                    .to("direct:api-flow-runs")
                .post("/{flow}/run").id("rest-flow-run")
                    .description("Runs the flow synchronously and answers its run record; 409 while it runs anywhere")
                    .produces("application/json")
                    .param().name("flow").type(RestParamType.path).description("flow name, e.g. azure-sync").endParam()
                    .param().name("body").type(RestParamType.body).required(false).description("optional run parameters (JSON object)").endParam()
                    .outType(RunRecord.class)
                    .responseMessage().code(404).message("unknown flow").endResponseMessage()
                    .responseMessage().code(409).message("the flow is running").endResponseMessage()
                    .to("direct:api-flow-run");

        rest("/api/dlq").description("Dead letters")
                .get().id("rest-dlq-list").description("Dead letters, newest first").produces("application/json")
                    .param().name("status").type(RestParamType.query).required(false).description("pending, replayed or parked").endParam()
                    .param().name("flow").type(RestParamType.query).required(false).endParam()
                    .param().name("limit").type(RestParamType.query).required(false).dataType("integer").endParam()
                    .to("direct:api-dlq-list")
                .post("/replay").id("rest-dlq-replay")
                    .description("Replays the named dead letters ({ids}) or a flow's ({flow}), or all due ones; answers {selected, succeeded, failed}")
                    .produces("application/json")
                    .param().name("body").type(RestParamType.body).required(false).description("{\"ids\":[1,2], \"flow\":\"doorloop-sync\"}").endParam()
                    .to("direct:api-dlq-replay");

        from("direct:api-flows").routeId("api-flows").routeConfigurationId(RestErrors.ID)
                .bean("controlApi", "flows").id("api-flows-list");
        from("direct:api-flow-runs").routeId("api-flow-runs").routeConfigurationId(RestErrors.ID)
                .bean("controlApi", "runs").id("api-flow-runs-list");
        // a REST trigger sends to direct:<flow> (a copy of the request's exchange, so a failed run is
        // answered with its record instead of failing the request)
        from("direct:api-flow-run").routeId("api-flow-run").routeConfigurationId(RestErrors.ID)
                .bean("controlApi", "runRequest").id("api-flow-run-request")
                .enrich().simple("direct:${exchangeProperty." + ControlApi.TARGET_FLOW + "}")
                    .aggregationStrategy(FlowRunner.TRIGGER_OUTCOME).aggregateOnException(true).id("api-flow-run-send")
                .bean("controlApi", "runAnswer").id("api-flow-run-answer");
        from("direct:api-dlq-list").routeId("api-dlq-list").routeConfigurationId(RestErrors.ID)
                .bean("controlApi", "deadLetters").id("api-dlq-list-letters");
        from("direct:api-dlq-replay").routeId("api-dlq-replay").routeConfigurationId(RestErrors.ID)
                .bean("controlApi", "replayRequest").id("api-dlq-replay-request")
                .enrich("direct:dlq-replay", FlowRunner.TRIGGER_OUTCOME, true, false).id("api-dlq-replay-send")
                .bean("controlApi", "replayAnswer").id("api-dlq-replay-answer");
    }
}
