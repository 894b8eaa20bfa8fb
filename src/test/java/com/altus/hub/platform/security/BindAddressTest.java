package com.altus.hub.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import com.altus.hub.platform.config.ConfigException;
import com.altus.hub.test.TestEnvironments;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.StandardEnvironment;

/** HUB_BIND is the one source of the listening address, whatever else tries to set it. */
class BindAddressTest {

    private static StandardEnvironment process(Map<String, Object> vars) {
        return TestEnvironments.processed(vars);
    }

    @Test
    void serverAddressWithoutHubBindDoesNotOpenTheHub() {
        assertThatThrownBy(() -> process(Map.of("server.address", "0.0.0.0")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("server.address: is '0.0.0.0' but the hub listens on HUB_BIND ('127.0.0.1'); set HUB_BIND=0.0.0.0 instead");
        assertThatThrownBy(() -> process(Map.of("server.address", "0.0.0.0", "HUB_BIND", "127.0.0.1")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("server.address: ");
    }

    @Test
    void hubBindDecidesAndAnAgreeingServerAddressIsFine() {
        assertThat(process(Map.of()).getProperty("server.address")).isEqualTo("127.0.0.1");
        assertThat(process(Map.of("HUB_BIND", "0.0.0.0")).getProperty("server.address")).isEqualTo("0.0.0.0");
        assertThat(process(Map.of("HUB_BIND", "0.0.0.0", "server.address", "0.0.0.0")).getProperty("server.address"))
                .isEqualTo("0.0.0.0");
        assertThat(process(Map.of("server.address", "127.0.0.1")).getProperty("server.address")).isEqualTo("127.0.0.1");
    }

    @Test
    void aSeparateManagementServerIsRefused() {
        assertThatThrownBy(() -> process(Map.of("management.server.port", "9090")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("management.server.port: ");
        assertThatThrownBy(() -> process(Map.of("management.server.address", "0.0.0.0")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("management.server.address: ");
    }
}
