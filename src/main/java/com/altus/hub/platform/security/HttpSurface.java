package com.altus.hub.platform.security;

import java.util.Set;

/**
 * Which part of the HTTP surface a routed path belongs to, and so what it needs: the REST API
 * (Bearer token), public health probes, the console (actuator, Hawtio, Jolokia: the token as
 * Bearer, Basic or a Hawtio login session), the public pages Hawtio's login form is made of,
 * or anything else (left to the handlers, which answer 404).
 */
public enum HttpSurface {
    API, PUBLIC_HEALTH, CONSOLE, CONSOLE_LOGIN_PAGE, OTHER;

    public static final String ACTUATOR = "/actuator";
    public static final String HAWTIO = "/actuator/hawtio";

    /** Liveness and readiness answer UP/DOWN only; every other health path shows components. */
    private static final Set<String> HEALTH = Set.of("/actuator/health", "/actuator/health/liveness",
            "/actuator/health/readiness");

    /**
     * Hawtio paths that carry no data: the login page (a client-side route served as index.html),
     * its static assets, the login/logout servlets and the metadata the page reads before anyone
     * has logged in. Hawtio itself treats the same paths as unsecured
     * ({@code io.hawt.web.auth.AuthenticationConfiguration.UNSECURED_PATHS}), except Jolokia and
     * the proxy, which stay behind the token here.
     */
    private static final Set<String> LOGIN_PAGE_EXACT = Set.of("/index.html", "/favicon.ico", "/hawtconfig.json",
            "/robots.txt", "/json.worker.js", "/editor.worker.js", "/html.worker.js", "/auth/login", "/auth/logout",
            "/auth/config", "/user", "/plugin", "/preset-connections", "/proxy/enabled", "/keycloak/enabled",
            "/login");
    private static final String[] LOGIN_PAGE_TREES = {"/css/", "/fonts/", "/img/", "/js/", "/static/",
            "/auth/config/", "/keycloak/", "/login/"};

    public static HttpSurface of(String routedPath) {
        if (routedPath.equals("/api") || routedPath.startsWith("/api/")) {
            return API;
        }
        if (HEALTH.contains(routedPath)) {
            return PUBLIC_HEALTH;
        }
        if (routedPath.startsWith(HAWTIO + "/")) {
            String rest = routedPath.substring(HAWTIO.length());
            if (LOGIN_PAGE_EXACT.contains(rest)) {
                return CONSOLE_LOGIN_PAGE;
            }
            for (String tree : LOGIN_PAGE_TREES) {
                if (rest.startsWith(tree)) {
                    return CONSOLE_LOGIN_PAGE;
                }
            }
            return CONSOLE;
        }
        if (routedPath.equals(ACTUATOR) || routedPath.startsWith(ACTUATOR + "/")) {
            return CONSOLE;
        }
        return OTHER;
    }

    /** Paths a Hawtio login session may use: Hawtio itself and the Jolokia agent its UI talks to. */
    public static boolean hawtioOrJolokia(String routedPath) {
        return routedPath.equals(HAWTIO) || routedPath.startsWith(HAWTIO + "/")
                || routedPath.equals("/actuator/jolokia") || routedPath.startsWith("/actuator/jolokia/");
    }

    /** Console paths that act on the JVM (Jolokia, directly or through Hawtio, and Hawtio's proxy). */
    public static boolean actsOnJvm(String routedPath) {
        return routedPath.equals("/actuator/jolokia") || routedPath.startsWith("/actuator/jolokia/")
                || routedPath.equals(HAWTIO + "/jolokia") || routedPath.startsWith(HAWTIO + "/jolokia/")
                || routedPath.equals(HAWTIO + "/proxy") || (routedPath.startsWith(HAWTIO + "/proxy/")
                && !routedPath.equals(HAWTIO + "/proxy/enabled"));
    }
}
