package com.altus.hub.platform.config;

import java.time.Clock;

import com.altus.hub.platform.ops.Redactor;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Beans every area uses: the validated settings, the secret redactor, the clock. */
@Configuration(proxyBeanMethods = false)
public class HubConfiguration {

    @Bean
    public HubSettings hubSettings(Environment env) {
        return HubSettings.from(env::getProperty);
    }

    @Bean
    public Redactor redactor(HubSettings settings, @Value("${hub.api.token}") String token) {
        return Redactor.of(settings, token);
    }

    @Bean
    public Clock clock() {
        return Clock.systemUTC();
    }
}
