package com.altus.hub.platform.rest;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.altus.hub.platform.ops.Redactor;
import com.altus.hub.platform.run.FlowBusyException;
import com.altus.hub.platform.run.UnknownFlowException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Error handling of the REST routes (route configuration {@value #ID}): every failure becomes
 * an application/problem+json answer with the right status; unexpected ones are logged with
 * an id that the answer carries, never with a stack trace in the answer. Areas add their own
 * exceptions through {@link ProblemMapper} beans (a 503 also gets Retry-After).
 */
@Component
public class RestErrors extends RouteConfigurationBuilder {
    public static final String ID = "hub-rest";
    private static final Logger log = LoggerFactory.getLogger(RestErrors.class);
    private final ObjectMapper json;
    private final Redactor redactor;
    private final List<ProblemMapper> mappers;

    public RestErrors(ObjectMapper json, Redactor redactor, List<ProblemMapper> mappers) {
        this.json = json;
        this.redactor = redactor;
        this.mappers = List.copyOf(mappers);
    }

    @Override
    public void configuration() {
        routeConfiguration(ID)
                .onException(Exception.class).handled(true).process(this::toProblem);
    }

    void toProblem(Exchange ex) throws JsonProcessingException {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Problem p = problemFor(e);
        String method = ex.getMessage().getHeader(Exchange.HTTP_METHOD, String.class);
        String instance = ex.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        if (p == null) {
            String id = UUID.randomUUID().toString();
            log.error("request {} {} failed (problem id {})", method, instance, id, e);
            p = new Problem(500, "internal error").with("problem_id", id);
        } else if (p.status() >= 500) {
            log.warn("request {} {}: {} {}", method, instance, p.status(), redactor.redact(p.getMessage()));
        }
        ex.getMessage().removeHeaders("*");
        ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, p.status());
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (p.status() == 503) {
            ex.getMessage().setHeader("Retry-After", "30");
        }
        ex.getMessage().setBody(json.writeValueAsString(p.body(instance)));
    }

    /** The problem for a failure, or null for an unexpected one (answered 500 with a problem id). */
    Problem problemFor(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Problem p) {
                return new Problem(p.status(), redactor.redact(p.getMessage())).withAll(p);
            }
            for (ProblemMapper m : mappers) {
                Optional<Problem> mapped = m.problemFor(t);
                if (mapped.isPresent()) {
                    Problem p = mapped.get();
                    return new Problem(p.status(), redactor.redact(p.getMessage())).withAll(p);
                }
            }
            if (t instanceof UnknownFlowException) {
                return Problem.notFound(t.getMessage());
            }
            if (t instanceof FlowBusyException busy) {
                return new Problem(409, t.getMessage()).with("flow", busy.flow());
            }
            if (t instanceof PayloadTooLargeException) {
                return new Problem(413, t.getMessage()).with("field", "body");
            }
            if (t instanceof JsonMappingException jm && !jm.getPath().isEmpty()) {
                String field = JsonBodies.pathOf(jm);
                return Problem.badRequest(field, "invalid value for '" + field + "': " + jm.getOriginalMessage());
            }
            if (t instanceof JsonProcessingException jp) {
                return Problem.badRequest("body", "malformed JSON: " + jp.getOriginalMessage()
                        + (jp.getLocation() == null ? "" : " at line " + jp.getLocation().getLineNr()
                        + ", column " + jp.getLocation().getColumnNr()));
            }
        }
        return null;
    }
}
