package com.altus.hub.test;

import java.util.HashMap;
import java.util.Map;

import com.altus.hub.platform.config.HubEnvironment;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** The Spring environment HubEnvironment makes of the given variables alone (the machine's own are left out). */
public final class TestEnvironments {
    private TestEnvironments() {
    }

    /** {@code vars} plus an external DATABASE_URL unless given, post-processed by {@link HubEnvironment}. */
    public static StandardEnvironment processed(Map<String, Object> vars) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        Map<String, Object> m = new HashMap<>(vars);
        m.putIfAbsent("DATABASE_URL", "jdbc:postgresql://db.example.com:5432/hub");
        env.getPropertySources().addFirst(new MapPropertySource("test", m));
        new HubEnvironment().postProcessEnvironment(env, new SpringApplication());
        return env;
    }
}
