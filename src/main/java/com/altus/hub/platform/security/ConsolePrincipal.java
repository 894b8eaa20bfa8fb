package com.altus.hub.platform.security;

import java.io.Serializable;
import java.security.Principal;

/**
 * The operator, authenticated with the API token (as Bearer, as Basic user {@code hub}, or through
 * Hawtio's login form). A Hawtio session counts as logged in only if its subject holds this.
 */
public record ConsolePrincipal(String name) implements Principal, Serializable {
    public static final ConsolePrincipal OPERATOR = new ConsolePrincipal(ApiToken.CONSOLE_USER);

    @Override
    public String getName() {
        return name;
    }
}
