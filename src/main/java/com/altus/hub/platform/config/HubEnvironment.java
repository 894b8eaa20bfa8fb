package com.altus.hub.platform.config;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import com.altus.hub.platform.db.EmbeddedDatabase;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns the contract's environment variables into Spring and Camel properties before any bean
 * exists: the datasource (starting the embedded PostgreSQL when DATABASE_URL is unset), the
 * folder of the YAML routes (HUB_ROUTES_DIR), the HTTP binding, the API token, and per-flow
 * schedules for the YAML routes.
 */
public class HubEnvironment implements EnvironmentPostProcessor, Ordered {

    public static final String RUN_ONCE = "hub.run-once";
    private static final String SOURCE = "hub-environment";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        if (env.getPropertySources().contains(SOURCE)) {
            return;
        }
        HubSettings settings = HubSettings.from(env::getProperty);
        Map<String, Object> props = new HashMap<>();
        boolean runOnce = env.getProperty(RUN_ONCE) != null && !env.getProperty(RUN_ONCE, "").isBlank();

        if (settings.database.isPresent()) {
            HubSettings.Database db = settings.database.get();
            props.put("spring.datasource.url", db.jdbcUrl());
            if (db.user() != null) {
                props.put("spring.datasource.username", db.user());
            }
            if (db.password() != null) {
                props.put("spring.datasource.password", db.password());
            }
            props.put("hub.database.embedded", false);
        } else {
            EmbeddedDatabase pg = EmbeddedDatabase.start(settings.dataDir.resolve("postgres"));
            props.put("spring.datasource.url", pg.jdbcUrl("postgres"));
            props.put("spring.datasource.username", EmbeddedDatabase.USER);
            props.put("spring.datasource.password", pg.password());
            props.put("hub.database.embedded", true);
        }

        // routes: packaged in the jar (application.yml: classpath:routes/*.yaml) unless HUB_ROUTES_DIR names a folder
        settings.routesIncludePattern().ifPresent(p -> props.put("camel.main.routes-include-pattern", p));

        if (env.getProperty("HUB_PORT") != null || env.getProperty("server.port") == null) {
            props.put("server.port", settings.port);
        }
        bindAddress(env, settings, props);
        if (settings.apiToken.isPresent()) {
            props.put("hub.api.token", settings.apiToken.get());
            props.put("hub.api.token-source", "HUB_API_TOKEN");
        } else if (env.getProperty("hub.api.token") == null) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            props.put("hub.api.token", Base64.getUrlEncoder().withoutPadding().encodeToString(random));
            props.put("hub.api.token-source", "generated");
        }

        for (String flow : HubSettings.KNOWN_FLOWS) {
            String override = settings.scheduleOverrides.get(flow);
            boolean enabled = !runOnce && !"off".equals(override)
                    && (override != null || !HubSettings.UNSCHEDULED_FLOWS.contains(flow))
                    && env.getProperty("hub.scheduling.enabled", Boolean.class, true);
            props.put("hub.schedule." + flow + ".enabled", enabled);
            if (override != null && !"off".equals(override)) {
                props.put("hub.schedule." + flow + ".cron", override);
            }
        }
        if (runOnce) {
            props.put("spring.main.web-application-type", "none");
            props.put("spring.quartz.auto-startup", false);
            props.put("camel.component.quartz.auto-start-scheduler", false);
            props.put("spring.main.banner-mode", "off");
        }
        env.getPropertySources().addFirst(new MapPropertySource(SOURCE, props));
    }

    /**
     * HUB_BIND (default 127.0.0.1) is the one source of the listening address: another address
     * from server.address (SERVER_ADDRESS, application.yml, --server.address) would expose the
     * hub without the operator having said so in HUB_BIND, and a separate management server
     * would serve the console outside the hub's token filter. Either is a one-line config error.
     */
    static void bindAddress(ConfigurableEnvironment env, HubSettings settings, Map<String, Object> props) {
        String address = env.getProperty("server.address");
        if (address != null && !address.isBlank() && !address.trim().equalsIgnoreCase(settings.bind)) {
            throw new ConfigException("server.address", "is '" + address.trim() + "' but the hub listens on HUB_BIND ('"
                    + settings.bind + "'); set HUB_BIND=" + address.trim() + " instead");
        }
        for (String management : new String[] {"management.server.port", "management.server.address"}) {
            if (env.getProperty(management) != null) {
                throw new ConfigException(management, "is not supported: the console (actuator, Hawtio, Jolokia) is "
                        + "served on the hub's own port and address, behind its token (HUB_PORT, HUB_BIND)");
            }
        }
        props.put("server.address", settings.bind);
        props.put("hub.bind.loopback", settings.loopbackOnly());
    }

    @Override
    public int getOrder() {
        // after application.yml and command-line arguments are in the environment
        return Ordered.LOWEST_PRECEDENCE;
    }
}
