package com.altus.hub.platform.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Where a browser says a request comes from. Cookies and cached Basic credentials are sent by a
 * browser whichever page makes the request, so a console request authenticated that way must not
 * come from another origin: browsers name the origin in {@code Origin} (CORS and every POST),
 * {@code Referer} (Hawtio sets Referrer-Policy strict-origin) and {@code Sec-Fetch-Site}.
 * The hub's own origin is the scheme-less host and port the request was addressed to.
 */
public final class BrowserOrigin {

    /** What the request's headers say about its origin. */
    public enum Verdict {
        /** a header names the hub's own origin (or the user typed the URL) */
        SAME_ORIGIN,
        /** a header names another origin */
        CROSS_ORIGIN,
        /** no browser header at all (curl, scripts, old browsers) */
        UNKNOWN
    }

    private BrowserOrigin() {
    }

    public static Verdict of(HttpServletRequest req) {
        String origin = req.getHeader("Origin");
        String referer = req.getHeader("Referer");
        String site = req.getHeader("Sec-Fetch-Site");
        boolean same = false;
        if (origin != null) {
            if (!sameHost(origin, req)) {
                return Verdict.CROSS_ORIGIN;
            }
            same = true;
        }
        if (referer != null) {
            if (!sameHost(referer, req)) {
                return Verdict.CROSS_ORIGIN;
            }
            same = true;
        }
        if (site != null) {
            String s = site.trim().toLowerCase(Locale.ROOT);
            if (!s.equals("same-origin") && !s.equals("none")) {
                return Verdict.CROSS_ORIGIN;
            }
            same = true;
        }
        return same ? Verdict.SAME_ORIGIN : Verdict.UNKNOWN;
    }

    private static boolean sameHost(String url, HttpServletRequest req) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            return false;
        }
        if (uri.getHost() == null || uri.getScheme() == null) {
            return false; // "null" origins (sandboxed frames, file:) and relative values
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String own = req.getServerName();
        if (own != null && own.startsWith("[") && own.endsWith("]")) {
            own = own.substring(1, own.length() - 1);
        }
        return host.equalsIgnoreCase(own) && port == req.getServerPort();
    }
}
