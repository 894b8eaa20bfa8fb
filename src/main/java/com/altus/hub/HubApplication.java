package com.altus.hub;

import com.altus.hub.platform.cli.RunOnce;
import com.altus.hub.platform.config.ConfigException;
import com.altus.hub.platform.config.HubSettings;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Altus Integration Hub: Camel flows between the business's SaaS systems and PostgreSQL.
 * Without arguments it serves REST, schedules and monitoring; with
 * {@code --hub.run-once=flow[,flow]} it runs those flows once and exits (CONTRACT section 4).
 */
@SpringBootApplication
public class HubApplication {

    public static void main(String[] args) {
        String runOnce = RunOnce.requestedFlows(args);
        try {
            HubSettings.fromSystem();
            for (String unknown : HubSettings.unknownScheduleVariables(System.getenv())) {
                throw new ConfigException(unknown, "names no flow (flows: " + String.join(", ", HubSettings.KNOWN_FLOWS) + ")");
            }
        } catch (ConfigException e) {
            System.err.println("altus-hub: configuration error: " + e.getMessage());
            System.exit(RunOnce.EXIT_CONFIG);
        }
        if (runOnce != null) {
            System.exit(RunOnce.execute(args, runOnce));
        }
        try {
            SpringApplication.run(HubApplication.class, args);
        } catch (RuntimeException e) {
            ConfigException config = RunOnce.findConfigError(e);
            System.err.println("altus-hub: " + (config != null ? "configuration error: " + config.getMessage()
                    : "failed to start: " + RunOnce.rootMessage(e)));
            System.exit(config != null ? RunOnce.EXIT_CONFIG : RunOnce.EXIT_FAILED);
        }
    }
}
