package com.altus.hub.export;

import com.altus.hub.platform.run.FlowRouteBuilder;
import com.altus.hub.platform.run.FlowRouteConfiguration;
import com.altus.hub.schedule.BlobContainer;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The {@code maidcentral-export} flow (CONTRACT sections 4a and 12), read top to bottom:
 * <ol>
 * <li>route {@value #NAME}: refuse when MAIDCENTRAL_BASE_URL is unset; list the target container
 * (hashes in the blobs' metadata); fetch MaidCentral's companies list ({@value #COMPANIES_ROUTE},
 * transient failures redelivered, then the run fails); split one company per exchange into
 * {@value #COMPANY_ROUTE} ({@code hub.export.concurrency}, 4, at a time); then {@value #USERS_ROUTE};</li>
 * <li>route {@value #COMPANY_ROUTE} (dead-letter channel): the company's window (its local today
 * + 6 days, the Windows zone mapped to IANA), its schedule from MaidCentral, the file in the seed's
 * shape, uploaded only when its content apart from GeneratedAt changed. A company that fails (5xx,
 * a stalled answer, bad JSON) is dead-lettered with the company as the message and the others go on;</li>
 * <li>route {@value #USERS_ROUTE} (dead-letter channel): users.json streamed from MaidCentral's answer
 * into a temporary file, hashed on the way, uploaded from the file when changed;</li>
 * <li>routes {@value #CALL_ROUTE} and {@value #TOKEN_ROUTE}: one MaidCentral request through Camel's
 * {@code http} component, with the password-grant token (fetched when missing or expiring, fetched
 * again once on a 401). They have no error handler of their own: the caller's redelivers the whole
 * call, so a retry is a new request.</li>
 * </ol>
 */
@Component
public class MaidCentralExportRoutes extends FlowRouteBuilder {
    public static final String NAME = "maidcentral-export";
    public static final String COMPANY_ROUTE = "maidcentral-export-company";
    public static final String USERS_ROUTE = "maidcentral-export-users";
    public static final String COMPANIES_ROUTE = "maidcentral-export-companies";
    public static final String CALL_ROUTE = "maidcentral-export-call";
    public static final String TOKEN_ROUTE = "maidcentral-export-token";

    private final ExportSettings settings;
    private final ExportSteps steps;
    private final MaidCentralClient client;
    private final int redeliveries;
    private final long initialDelayMs;
    private final int concurrency;

    public MaidCentralExportRoutes(ExportSettings settings, ExportSteps steps, MaidCentralClient client,
                                   @Value("${hub.dlq.channel.redeliveries:3}") int redeliveries,
                                   @Value("${hub.dlq.channel.initial-delay-ms:500}") long initialDelayMs,
                                   @Value("${hub.export.concurrency:4}") int concurrency) {
        this.settings = settings;
        this.steps = steps;
        this.client = client;
        this.redeliveries = redeliveries;
        this.initialDelayMs = initialDelayMs;
        this.concurrency = Math.max(1, concurrency);
    }

    @Override
    public void configure() {
        BlobContainer target = settings.target();

        RouteDefinition run = flow(NAME)
                .bean(steps, "begin").id("maidcentral-export-check");
        target.list(run, "maidcentral-export-list-container")
                .bean(steps, "stored").id("maidcentral-export-stored-hashes")
                .to("direct:" + COMPANIES_ROUTE).id("maidcentral-export-companies-list")
                // companies in parallel (hub.export.concurrency): MaidCentral's answer time of one company
                // overlaps the rendering and hashing of another
                .split(body()).parallelProcessing().executorService(companyPool()).id("maidcentral-export-split")
                    .to("direct:" + COMPANY_ROUTE).id("maidcentral-export-each")
                .end()
                .bean(steps, "usersUnit").id("maidcentral-export-users-unit")
                .to("direct:" + USERS_ROUTE).id("maidcentral-export-users-export")
                .bean(steps, "finish").id("maidcentral-export-finish");

        // the list step of the flow: redelivered like a unit's step, then the run fails
        from("direct:" + COMPANIES_ROUTE).routeId(COMPANIES_ROUTE)
                .errorHandler(defaultErrorHandler()
                        .maximumRedeliveries(redeliveries)
                        .redeliveryDelay(initialDelayMs)
                        .useExponentialBackOff()
                        .backOffMultiplier(2)
                        .maximumRedeliveryDelay(60_000)
                        // the dead-letter channel's rule: transient failures, as often as it redelivers
                        .retryWhile(method("deadLetterChannel", "shouldRedeliver"))
                        .logRetryAttempted(true)
                        .logExhausted(false))
                .bean(steps, "companiesRequest").id("maidcentral-export-companies-request")
                .to("direct:" + CALL_ROUTE).id("maidcentral-export-companies-fetch")
                .bean(steps, "companyUnits").id("maidcentral-export-companies-units");

        RouteDefinition company = unit(COMPANY_ROUTE)
                .bean(steps, "companyBegin").id("maidcentral-export-company-window")
                .to("direct:" + CALL_ROUTE).id("maidcentral-export-company-fetch")
                .bean(steps, "companyRender").id("maidcentral-export-company-render");
        upload(company, target, "maidcentral-export-company")
                .bean(steps, "companyDone").id("maidcentral-export-company-done");

        // users.json may be 100,000 users: the answer is a stream, never cached
        RouteDefinition users = unit(USERS_ROUTE).noStreamCaching()
                .bean(steps, "usersBegin").id("maidcentral-export-users-request")
                .to("direct:" + CALL_ROUTE).id("maidcentral-export-users-fetch")
                .bean(steps, "usersRender").id("maidcentral-export-users-render");
        upload(users, target, "maidcentral-export-users");

        if (settings.enabled()) {
            callRoutes();
        }
    }

    private java.util.concurrent.ExecutorService companyPool() {
        return getContext().getExecutorServiceManager().newFixedThreadPool(this, "maidcentral-export-company", concurrency);
    }

    /** The put, when the content changed, then the hash recorded. */
    private ProcessorDefinition<?> upload(RouteDefinition route, BlobContainer target, String prefix) {
        ProcessorDefinition<?> changed = route.filter(method(steps, "changed")).id(prefix + "-changed");
        return target.put(changed, prefix + "-upload")
                    .bean(steps, "uploaded").id(prefix + "-recorded")
                .end();
    }

    private void callRoutes() {
        String api = client.endpoint();
        from("direct:" + CALL_ROUTE).routeId(CALL_ROUTE)
                .routeConfigurationId(FlowRouteConfiguration.ID)
                .noStreamCaching()
                .choice().id("maidcentral-export-call-token-check")
                    .when(method(client, "needsToken")).id("maidcentral-export-call-no-token")
                        .to("direct:" + TOKEN_ROUTE).id("maidcentral-export-call-token")
                .end()
                .bean(client, "prepare").id("maidcentral-export-call-prepare")
                .to(api).id("maidcentral-export-call-http")
                .choice().id("maidcentral-export-call-401-check")
                    .when(method(client, "unauthorized")).id("maidcentral-export-call-401")
                        .bean(client, "forgetToken").id("maidcentral-export-call-forget-token")
                        // another company may have fetched the new token meanwhile: then that one is used
                        .filter(method(client, "needsToken")).id("maidcentral-export-call-still-no-token")
                            .to("direct:" + TOKEN_ROUTE).id("maidcentral-export-call-new-token")
                        .end()
                        .bean(client, "prepare").id("maidcentral-export-call-prepare-again")
                        .to(api).id("maidcentral-export-call-http-again")
                .end()
                .bean(client, "answer").id("maidcentral-export-call-answer");

        from("direct:" + TOKEN_ROUTE).routeId(TOKEN_ROUTE)
                .routeConfigurationId(FlowRouteConfiguration.ID)
                .noStreamCaching()
                // one token request at a time; who waited uses the token fetched meanwhile
                .bean(client, "beginTokenTurn").id("maidcentral-export-token-turn")
                .doTry().id("maidcentral-export-token-try")
                    .filter(method(client, "needsToken")).id("maidcentral-export-token-still-needed")
                        .bean(client, "tokenRequest").id("maidcentral-export-token-request")
                        .to(api).id("maidcentral-export-token-http")
                        .bean(client, "tokenAnswer").id("maidcentral-export-token-answer")
                    .endDoTry()
                .doFinally().id("maidcentral-export-token-finally")
                    .bean(client, "endTokenTurn").id("maidcentral-export-token-turn-end")
                .end();
    }
}
