package com.altus.hub.platform.security;

import java.io.IOException;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;

import io.hawt.web.auth.RolePrincipal;
import io.hawt.web.auth.UserPrincipal;
import io.hawt.web.auth.oidc.token.BearerTokenCallback;

/**
 * JAAS login module behind Hawtio's login form and its pre-emptive Basic/Bearer logins: user
 * {@code hub} with the API token as password, or the token as a Bearer token. The token comes in
 * the module options ({@link #TOKEN_OPTION}), put there by {@link HawtioTokenLogin}.
 */
public final class TokenLoginModule implements LoginModule {
    /** Option key whose value is the {@link ApiToken}. */
    public static final String TOKEN_OPTION = ApiToken.class.getName();
    /** The role Hawtio requires ({@code hawtio.roles} in application.yml). */
    public static final String ROLE = "operator";

    private Subject subject;
    private CallbackHandler handler;
    private ApiToken token;
    private boolean succeeded;
    private final List<Principal> added = new ArrayList<>();

    @Override
    public void initialize(Subject subject, CallbackHandler handler, Map<String, ?> sharedState, Map<String, ?> options) {
        this.subject = subject;
        this.handler = handler;
        this.token = (ApiToken) options.get(TOKEN_OPTION);
    }

    @Override
    public boolean login() throws LoginException {
        if (token == null || handler == null) {
            throw new LoginException("the hub's token login module is not configured");
        }
        NameCallback name = new NameCallback("user");
        PasswordCallback password = new PasswordCallback("password", false);
        BearerTokenCallback bearer = new BearerTokenCallback();
        try {
            handler.handle(new Callback[] {name, password, bearer});
        } catch (IOException | UnsupportedCallbackException e) {
            LoginException failed = new LoginException("cannot read the credentials: " + e.getClass().getSimpleName());
            failed.initCause(e);
            throw failed;
        }
        char[] secret = password.getPassword();
        password.clearPassword();
        boolean ok = bearer.getToken() != null ? token.matches(bearer.getToken())
                : ApiToken.CONSOLE_USER.equals(name.getName()) && secret != null && token.matches(new String(secret));
        if (!ok) {
            throw new FailedLoginException("log in as user " + ApiToken.CONSOLE_USER + " with the API token as password");
        }
        succeeded = true;
        return true;
    }

    @Override
    public boolean commit() {
        if (!succeeded) {
            return false;
        }
        added.add(ConsolePrincipal.OPERATOR);
        added.add(new UserPrincipal(ApiToken.CONSOLE_USER));
        added.add(new RolePrincipal(ROLE));
        subject.getPrincipals().addAll(added);
        return true;
    }

    @Override
    public boolean abort() {
        boolean wasOk = succeeded;
        logout();
        return wasOk;
    }

    @Override
    public boolean logout() {
        if (subject != null && !subject.isReadOnly()) {
            added.forEach(subject.getPrincipals()::remove);
        }
        added.clear();
        succeeded = false;
        return true;
    }
}
