package com.altus.hub.platform.config;

import com.altus.hub.platform.cli.RunOnce;
import org.springframework.boot.SpringBootExceptionReporter;

/**
 * Keeps a {@link ConfigException} that stops Spring's startup (e.g. the embedded database's data
 * directory owned by another hub) out of Spring's "Application run failed" stack trace: the hub's
 * main method prints it as the contract's one line on stderr and exits 2.
 */
public class ConfigErrorReporter implements SpringBootExceptionReporter {

    @Override
    public boolean reportException(Throwable failure) {
        return RunOnce.findConfigError(failure) != null;
    }
}
