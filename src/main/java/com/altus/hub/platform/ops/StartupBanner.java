package com.altus.hub.platform.ops;

import java.io.PrintStream;

import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.platform.run.FlowRunner;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Tells the operator where everything is once the hub is up and how to log in to each part:
 * URLs, database, flows, and where the API token came from. A generated token is printed here,
 * once, on stdout (never logged).
 */
@Component
public class StartupBanner {
    private final HubSettings settings;
    private final FlowRunner runner;
    private final String token;
    private final String tokenSource;
    private final boolean embeddedDb;
    private final String datasourceUrl;

    public StartupBanner(HubSettings settings, FlowRunner runner, @Value("${hub.api.token}") String token,
                         @Value("${hub.api.token-source:configuration}") String tokenSource,
                         @Value("${hub.database.embedded:false}") boolean embeddedDb,
                         @Value("${spring.datasource.url}") String datasourceUrl) {
        this.settings = settings;
        this.runner = runner;
        this.token = token;
        this.tokenSource = tokenSource;
        this.embeddedDb = embeddedDb;
        // a JDBC URL may carry ?password=...; the banner shows the rest of it
        this.datasourceUrl = new Redactor(java.util.List.of()).redact(datasourceUrl);
    }

    @EventListener(ApplicationReadyEvent.class)
    public void print(ApplicationReadyEvent event) {
        if (!(event.getApplicationContext() instanceof WebServerApplicationContext web)) {
            return; // the one-shot CLI prints run records, not a banner
        }
        int port = web.getWebServer().getPort();
        String host = settings.bind.contains(":") ? "[" + settings.bind + "]" : settings.bind;
        String base = "http://" + host + ":" + port;
        PrintStream out = System.out;
        out.println();
        out.println("  Altus Integration Hub is up (instance " + runner.instanceId() + ")");
        out.println("  API        " + base + "/api   (header Authorization: Bearer <API token>; OpenAPI: "
                + base + "/api/openapi.json)");
        out.println("  Health     " + base + "/actuator/health   (no token; details with the token)");
        out.println("  Metrics    " + base + "/actuator/prometheus   (Bearer token, or Basic user hub + API token)");
        out.println("  Hawtio     " + base + "/actuator/hawtio/   (log in as user hub, password = the API token)");
        out.println("  Database   " + (embeddedDb ? "embedded PostgreSQL, data in " + settings.dataDir.resolve("postgres")
                + " (" + datasourceUrl + ")" : datasourceUrl));
        out.println("  Flows      " + String.join(", ", runner.flowNames()));
        if ("generated".equals(tokenSource)) {
            out.println("  API token  " + token + "   (generated for this run; set HUB_API_TOKEN to fix it)");
        } else {
            out.println("  API token  from HUB_API_TOKEN");
        }
        out.println();
        out.flush();
    }
}
