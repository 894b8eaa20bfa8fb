package com.altus.hub.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import com.altus.hub.test.HubTestBase;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A logged exception carrying the API token and secret shapes shows {@code ***} in the formatted
 * log output. The capturing appender uses the CONSOLE appender's pattern from logback-spring.xml,
 * so this checks the configuration the hub runs with.
 */
class LogRedactionTest extends HubTestBase {

    @Test
    void loggedExceptionsAndMessagesAreRedacted() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> console = root.getAppender("CONSOLE");
        String pattern = ((PatternLayoutEncoder) ((LayoutWrappingEncoder<ILoggingEvent>) ((OutputStreamAppender<ILoggingEvent>) console)
                .getEncoder())).getPattern();
        assertThat(pattern).contains("%redactedMsg").contains("%redactedEx");

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName("capture");
        appender.setEncoder(encoder);
        appender.setOutputStream(captured);
        appender.start();
        Logger log = context.getLogger("com.altus.hub.test.redaction");
        log.addAppender(appender);
        try {
            IllegalStateException cause = new IllegalStateException("upstream said 401 for {\"client_secret\":\"cs-998877\"}");
            RuntimeException e = new RuntimeException("GET https://api.example.com/x?access_token=at-123456&page=2 with "
                    + "Authorization: Bearer " + TOKEN + " failed", cause);
            log.error("call failed, token was {} and proxy said Proxy-Authorization: Basic dXNlcjpwYXNz", TOKEN, e);
        } finally {
            log.detachAppender(appender);
            appender.stop();
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("call failed").contains("java.lang.RuntimeException").contains("Caused by: java.lang.IllegalStateException")
                .contains("at com.altus.hub.platform.security.LogRedactionTest");
        assertThat(out).doesNotContain(TOKEN).doesNotContain("at-123456").doesNotContain("cs-998877").doesNotContain("dXNlcjpwYXNz");
        assertThat(out).contains("token was ***").contains("access_token=***&page=2").contains("\"client_secret\":\"***\"")
                .contains("Proxy-Authorization: ***");
    }
}
