package com.altus.hub.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import com.altus.hub.test.TestEnvironments;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.StandardEnvironment;

/** How the contract's variables become Spring and Camel properties. */
class HubEnvironmentTest {

    private static StandardEnvironment process(Map<String, Object> vars) {
        return TestEnvironments.processed(vars);
    }

    @Test
    void externalDatabaseAndSchedules() {
        StandardEnvironment env = process(Map.of("DATABASE_USER", "hub", "DATABASE_PASSWORD", "pw",
                "HUB_SCHEDULE_DLQ_REPLAY", "0 0/5 * * * ?", "HUB_SCHEDULE_AZURE_SYNC", "off"));
        assertThat(env.getProperty("spring.datasource.url")).isEqualTo("jdbc:postgresql://db.example.com:5432/hub");
        assertThat(env.getProperty("spring.datasource.username")).isEqualTo("hub");
        assertThat(env.getProperty("hub.database.embedded")).isEqualTo("false");
        assertThat(env.getProperty("hub.schedule.dlq-replay.enabled")).isEqualTo("true");
        assertThat(env.getProperty("hub.schedule.dlq-replay.cron")).isEqualTo("0 0/5 * * * ?");
        assertThat(env.getProperty("hub.schedule.azure-sync.enabled")).isEqualTo("false");
        assertThat(env.getProperty("hub.schedule.azure-sync.cron")).isNull();
        assertThat(env.getProperty("hub.schedule.doorloop-sync.enabled")).isEqualTo("true");
        // flows without a schedule of their own get one only when HUB_SCHEDULE_<FLOW> sets a cron
        assertThat(env.getProperty("hub.schedule.teamspace-migrate.enabled")).isEqualTo("false");
        assertThat(env.getProperty("hub.schedule.doorloop-kpis.enabled")).isEqualTo("false");
        StandardEnvironment manual = process(Map.of("HUB_SCHEDULE_TEAMSPACE_MIGRATE", "0 0 2 * * ?"));
        assertThat(manual.getProperty("hub.schedule.teamspace-migrate.enabled")).isEqualTo("true");
        assertThat(manual.getProperty("hub.schedule.teamspace-migrate.cron")).isEqualTo("0 0 2 * * ?");
        assertThat(env.getProperty("server.port")).isEqualTo("8080");
        assertThat(env.getProperty("server.address")).isEqualTo("127.0.0.1");
        assertThat(env.getProperty("hub.bind.loopback")).isEqualTo("true");
    }

    @Test
    void generatedTokenUnlessConfigured() {
        StandardEnvironment generated = process(Map.of());
        assertThat(generated.getProperty("hub.api.token")).hasSizeGreaterThanOrEqualTo(40);
        assertThat(generated.getProperty("hub.api.token-source")).isEqualTo("generated");
        assertThat(process(Map.of()).getProperty("hub.api.token")).isNotEqualTo(generated.getProperty("hub.api.token"));

        StandardEnvironment given = process(Map.of("HUB_API_TOKEN", "operator-token-0123456789"));
        assertThat(given.getProperty("hub.api.token")).isEqualTo("operator-token-0123456789");
        assertThat(given.getProperty("hub.api.token-source")).isEqualTo("HUB_API_TOKEN");
    }

    @Test
    void oneShotModeHasNoWebServerAndNoSchedules() {
        StandardEnvironment env = process(Map.of("hub.run-once", "dlq-replay"));
        assertThat(env.getProperty("spring.main.web-application-type")).isEqualTo("none");
        assertThat(env.getProperty("hub.schedule.dlq-replay.enabled")).isEqualTo("false");
        assertThat(env.getProperty("spring.quartz.auto-startup")).isEqualTo("false");
    }

    @Test
    void badSettingsStopStartup() {
        assertThatThrownBy(() -> process(Map.of("HUB_BIND", "not a host!")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HUB_BIND: ");
    }
}
