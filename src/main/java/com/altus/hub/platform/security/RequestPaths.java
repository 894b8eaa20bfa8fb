package com.altus.hub.platform.security;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The path of a request as the servlet container routes it, and the raw forms of a path the hub
 * refuses. Tomcat maps the decoded, normalised path (no {@code ;} parameters, no dot segments,
 * merged slashes), so a check on the raw URI can be walked around with {@code /api;x/...} or
 * {@code /%61pi/...}. These facts come from the Servlet API alone, so they hold for Spring MVC,
 * Camel platform-http and Camel servlet alike.
 */
public final class RequestPaths {
    /** Jolokia's GET protocol puts MBean names in the path; these may carry percent-encoded characters. */
    private static final String[] JOLOKIA_PREFIXES = {"/actuator/jolokia/", "/actuator/hawtio/jolokia/"};

    private RequestPaths() {
    }

    /** The path the container mapped: servlet path + path info (decoded, normalised), without the context path. */
    public static String routed(HttpServletRequest req) {
        String servletPath = req.getServletPath();
        String pathInfo = req.getPathInfo();
        return (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    }

    /** The path as the client sent it (still percent-encoded, with any {@code ;} parameters), without the context path. */
    public static String raw(HttpServletRequest req) {
        String uri = req.getRequestURI();
        String context = req.getContextPath();
        return context != null && !context.isEmpty() && uri.startsWith(context) ? uri.substring(context.length()) : uri;
    }

    /**
     * Why a raw path is refused, or {@code null} when it is in the one form the hub accepts: starts
     * with {@code /}, printable ASCII, no percent-encoding, no {@code ;} parameters, no backslash,
     * no empty ({@code //}) and no dot ({@code .}, {@code ..}) segments. The one exception is the
     * request part of a Jolokia GET URL, where percent-encoded printable characters (not
     * {@code / \ . ; %}) may name MBeans with spaces or quotes.
     */
    public static String oddity(String raw) {
        if (raw.isEmpty() || raw.charAt(0) != '/') {
            return "the path must start with '/'";
        }
        int encodedFrom = jolokiaTailStart(raw);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return "the path contains a control, space or non-ASCII character";
            }
            if (c == ';') {
                return "the path contains ';' parameters";
            }
            if (c == '\\') {
                return "the path contains a backslash";
            }
            if (c == '%') {
                if (encodedFrom < 0 || i < encodedFrom) {
                    return "the path contains percent-encoded characters";
                }
                int decoded = i + 2 < raw.length() ? hex(raw.charAt(i + 1), raw.charAt(i + 2)) : -1;
                if (decoded < 0x20 || decoded > 0x7e || "/\\.;%".indexOf(decoded) >= 0) {
                    return "the path contains an encoded '/', '\\', '.', ';', '%' or non-printable character";
                }
                i += 2;
            }
        }
        if (raw.contains("//")) {
            return "the path contains an empty segment ('//')";
        }
        for (String segment : raw.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return "the path contains a '.' or '..' segment";
            }
        }
        return null;
    }

    /** The raw path decoded (only valid for a path {@link #oddity} accepts). */
    public static String decoded(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                out.write(hex(raw.charAt(i + 1), raw.charAt(i + 2)));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int jolokiaTailStart(String raw) {
        for (String prefix : JOLOKIA_PREFIXES) {
            if (raw.startsWith(prefix)) {
                return prefix.length();
            }
        }
        return -1;
    }

    private static int hex(char hi, char lo) {
        int h = Character.digit(hi, 16);
        int l = Character.digit(lo, 16);
        return h < 0 || l < 0 ? -1 : h * 16 + l;
    }
}
