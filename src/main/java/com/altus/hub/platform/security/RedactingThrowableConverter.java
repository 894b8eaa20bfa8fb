package com.altus.hub.platform.security;

import ch.qos.logback.classic.spi.IThrowableProxy;
import org.springframework.boot.logging.logback.ExtendedWhitespaceThrowableProxyConverter;

/**
 * Logback {@code %redactedEx}: Spring Boot's {@code %wEx} stack trace with secrets redacted from
 * every message in it (causes and suppressed exceptions too), since exceptions carry remote
 * response bodies and URLs.
 */
public class RedactingThrowableConverter extends ExtendedWhitespaceThrowableProxyConverter {
    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return LogRedaction.redact(super.throwableProxyToString(proxy));
    }
}
