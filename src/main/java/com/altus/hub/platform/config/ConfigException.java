package com.altus.hub.platform.config;

/** A missing or malformed setting: stops startup with one line naming the variable. */
public class ConfigException extends RuntimeException {
    private final String variable;

    public ConfigException(String variable, String problem) {
        super(variable + ": " + problem);
        this.variable = variable;
    }

    public String variable() {
        return variable;
    }
}
