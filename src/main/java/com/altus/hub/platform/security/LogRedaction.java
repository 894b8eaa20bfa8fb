package com.altus.hub.platform.security;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.altus.hub.platform.ops.Redactor;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The redaction the log converters apply ({@link RedactingMessageConverter},
 * {@link RedactingThrowableConverter}). Logback is configured before any bean exists and is
 * shared by the whole JVM, so the configured secrets reach it through this holder: each running
 * hub context installs its {@link Redactor} at startup and removes it when it closes; until then
 * (and after), the secret shapes are still redacted.
 */
@Component
public class LogRedaction implements DisposableBean {
    private static final Redactor SHAPES = new Redactor(List.of());
    private static final List<Redactor> INSTALLED = new CopyOnWriteArrayList<>();

    private final Redactor redactor;

    public LogRedaction(Redactor redactor) {
        this.redactor = redactor;
        INSTALLED.add(redactor);
    }

    @Override
    public void destroy() {
        INSTALLED.remove(redactor);
    }

    /** The text with every installed hub's secrets and all secret shapes replaced by {@code ***}. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (Redactor r : INSTALLED) {
            out = r.redact(out);
        }
        return INSTALLED.isEmpty() ? SHAPES.redact(out) : out;
    }
}
