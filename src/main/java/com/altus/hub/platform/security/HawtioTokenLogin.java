package com.altus.hub.platform.security;

import java.util.Map;

import javax.security.auth.Subject;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;

import io.hawt.system.ConfigManager;
import io.hawt.web.auth.AuthenticationConfiguration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.web.servlet.ServletListenerRegistrationBean;
import org.springframework.boot.web.servlet.server.CookieSameSiteSupplier;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

/**
 * Makes Hawtio's login form accept user {@code hub} with the API token as password. Hawtio
 * (5.2) authenticates through JAAS and merges the JAAS configurations added to its
 * {@link AuthenticationConfiguration} before its context listener completes it; this listener
 * runs first (highest order) and adds the {@link TokenLoginModule}, with the token passed in the
 * module options, so there is no JVM-wide JAAS configuration and no static state.
 * After a login, Hawtio keeps the JAAS subject in the HTTP session; its UI then reaches Jolokia
 * with that session, which {@code ApiSecurityFilter} accepts from the hub's own origin only.
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
@ConditionalOnClass(AuthenticationConfiguration.class)
public class HawtioTokenLogin {
    /** Session attribute in which Hawtio keeps the logged-in subject (io.hawt.web.auth.AuthSessionHelpers). */
    static final String SESSION_SUBJECT = "subject";

    @Bean
    public ServletListenerRegistrationBean<ServletContextListener> hawtioTokenLoginListener(
            @Value("${hub.api.token}") String token, ObjectProvider<ConfigManager> hawtioConfig) {
        ApiToken apiToken = new ApiToken(token);
        ServletContextListener listener = new ServletContextListener() {
            @Override
            public void contextInitialized(ServletContextEvent event) {
                ConfigManager config = hawtioConfig.getIfAvailable();
                if (config == null) {
                    return; // Hawtio is switched off
                }
                install(event.getServletContext(), config, apiToken);
            }
        };
        ServletListenerRegistrationBean<ServletContextListener> registration = new ServletListenerRegistrationBean<>(listener);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /** The session cookie is never sent along with a request that another site starts. */
    @Bean
    public CookieSameSiteSupplier sessionCookieSameSite() {
        return CookieSameSiteSupplier.ofStrict().whenHasName("JSESSIONID");
    }

    static void install(ServletContext context, ConfigManager config, ApiToken token) {
        context.setAttribute(ConfigManager.CONFIG_MANAGER, config);
        AuthenticationConfiguration auth = AuthenticationConfiguration.getConfiguration(context);
        if (!auth.isEnabled()) {
            return; // hawtio.authenticationEnabled=false: no form login; Bearer and Basic still work
        }
        if (auth.getConfiguration() != null) {
            throw new IllegalStateException("Hawtio completed its login configuration before the hub added its "
                    + "token login module; the listener order changed");
        }
        auth.addConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return new AppConfigurationEntry[] {new AppConfigurationEntry(TokenLoginModule.class.getName(),
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of(TokenLoginModule.TOKEN_OPTION, token))};
            }
        });
    }

    /** True if the request belongs to a Hawtio session that logged in with the token. */
    public static boolean loggedIn(HttpServletRequest req) {
        HttpSession session = req.getSession(false);
        if (session == null) {
            return false;
        }
        Object subject;
        try {
            subject = session.getAttribute(SESSION_SUBJECT);
        } catch (IllegalStateException invalidated) {
            return false;
        }
        return subject instanceof Subject s && !s.getPrincipals(ConsolePrincipal.class).isEmpty();
    }
}
