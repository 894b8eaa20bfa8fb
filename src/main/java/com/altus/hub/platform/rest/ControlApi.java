package com.altus.hub.platform.rest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.altus.hub.platform.dlq.DeadLetterService;
import com.altus.hub.platform.dlq.DlqReplayRoutes;
import com.altus.hub.platform.run.FlowParameterException;
import com.altus.hub.platform.run.FlowRunner;
import com.altus.hub.platform.run.RunLedger;
import com.altus.hub.platform.run.RunRecord;
import com.altus.hub.platform.run.UnknownFlowException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/** The control endpoints: run flows, list runs, inspect and replay dead letters. */
@Component("controlApi")
public class ControlApi {
    /** Exchange property: the flow a control request triggers (the route sends to direct:<it>). */
    public static final String TARGET_FLOW = "HubTargetFlow";
    private static final Set<String> DLQ_STATUSES = Set.of("pending", "replayed", "parked");
    private final FlowRunner runner;
    private final RunLedger ledger;
    private final DeadLetterService letters;
    private final ObjectMapper json;

    public ControlApi(FlowRunner runner, RunLedger ledger, DeadLetterService letters, ObjectMapper json) {
        this.runner = runner;
        this.ledger = ledger;
        this.letters = letters;
        this.json = json;
    }

    /**
     * POST /api/flows/{flow}/run, first step: the flow must exist and the body's fields must be
     * its run parameters (checked before anything runs: 404, 400); the exchange then carries the
     * trigger for {@code direct:<flow>} (the route's next step sends it there).
     */
    public void runRequest(Exchange ex) throws Exception {
        String flow = ex.getMessage().getHeader("flow", String.class);
        if (!runner.exists(flow)) {
            throw new UnknownFlowException(flow);
        }
        ObjectNode body = JsonBodies.object(json, ex.getMessage().getBody(String.class));
        trigger(ex, flow, JsonBodies.toMap(json, body));
    }

    /** POST /api/flows/{flow}/run, last step: the run record (also of a failed run); 409 when the flow ran elsewhere. */
    public void runAnswer(Exchange ex) throws Exception {
        respond(ex, 200, FlowRunner.outcome(ex.getProperty(TARGET_FLOW, String.class), ex));
    }

    private void trigger(Exchange ex, String flow, Map<String, Object> params) {
        Map<String, Object> validated;
        try {
            validated = runner.definition(flow).validate(params);
        } catch (FlowParameterException e) {
            throw Problem.badRequest(e.parameter(), e.getMessage());
        }
        ex.setProperty(TARGET_FLOW, flow);
        ex.getMessage().setHeader(FlowRunner.TRIGGER_HEADER, "rest");
        ex.getMessage().setHeader(FlowRunner.PARAMS_HEADER, validated);
    }

    /** GET /api/flows/runs?flow=&limit= : newest first. */
    public void runs(Exchange ex) throws Exception {
        String flow = ex.getMessage().getHeader("flow", String.class);
        if (flow != null && !flow.isBlank() && !runner.exists(flow)) {
            throw new UnknownFlowException(flow);
        }
        int limit = limit(ex, 50, 1000);
        respond(ex, 200, ledger.recent(flow, limit));
    }

    /** GET /api/flows: the registered flows. */
    public void flows(Exchange ex) throws Exception {
        respond(ex, 200, Map.of("flows", List.copyOf(runner.flowNames()), "instance", runner.instanceId()));
    }

    /** GET /api/dlq?status=&flow=&limit= */
    public void deadLetters(Exchange ex) throws Exception {
        String status = ex.getMessage().getHeader("status", String.class);
        if (status != null && !status.isBlank() && !DLQ_STATUSES.contains(status)) {
            throw Problem.badRequest("status", "'status' must be one of pending, replayed, parked");
        }
        String flow = ex.getMessage().getHeader("flow", String.class);
        respond(ex, 200, letters.list(status, flow, limit(ex, 100, 1000)));
    }

    /** POST /api/dlq/replay {ids?, flow?}, first step: the selection becomes the parameters of a dlq-replay run. */
    public void replayRequest(Exchange ex) throws Exception {
        ObjectNode body = JsonBodies.object(json, ex.getMessage().getBody(String.class));
        List<Long> ids = JsonBodies.optionalLongs(body, "ids");
        String flow = JsonBodies.optionalText(body, "flow");
        Map<String, Object> params = new LinkedHashMap<>();
        if (!ids.isEmpty()) {
            params.put("ids", ids);
        }
        if (flow != null) {
            params.put("flow", flow);
        }
        trigger(ex, DlqReplayRoutes.NAME, params);
    }

    /** POST /api/dlq/replay, last step: {selected, succeeded, failed, parked, run_id, status}. */
    public void replayAnswer(Exchange ex) throws Exception {
        RunRecord record = FlowRunner.outcome(DlqReplayRoutes.NAME, ex);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("selected", record.stats().getOrDefault("selected", 0));
        out.put("succeeded", record.stats().getOrDefault("succeeded", 0));
        out.put("failed", record.stats().getOrDefault("failed", 0));
        out.put("parked", record.stats().getOrDefault("parked", 0));
        out.put("run_id", record.id());
        out.put("status", record.status());
        respond(ex, 200, out);
    }

    private static int limit(Exchange ex, int def, int max) {
        String v = ex.getMessage().getHeader("limit", String.class);
        if (v == null || v.isBlank()) {
            return def;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1 || n > max) {
                throw Problem.badRequest("limit", "'limit' must be between 1 and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw Problem.badRequest("limit", "'limit' must be an integer");
        }
    }

    void respond(Exchange ex, int status, Object body) throws Exception {
        ex.getMessage().removeHeaders("*");
        ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        ex.getMessage().setBody(json.writeValueAsString(body));
    }
}
