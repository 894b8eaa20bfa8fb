package com.altus.hub.export;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.PropertySource;

/**
 * Defaults of maidcentral-export that Camel's YAML routes read: {@code hub.export.cron}, the
 * schedule of routes/maidcentral-export.yaml, is HUB_SCHEDULE_MAIDCENTRAL_EXPORT when set, else
 * every {@code hub.export.interval-minutes} (15) minutes.
 */
@Configuration(proxyBeanMethods = false)
@PropertySource("classpath:export/maidcentral-export.properties")
public class ExportConfiguration {
}
