package com.altus.hub.platform.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import com.altus.hub.platform.rest.ApiSecurityFilter.BufferedRequest;
import com.altus.hub.platform.rest.ApiSecurityFilter.LimitedRequest;
import com.altus.hub.platform.rest.Problem;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The request filter as it was before the routed-path check (commit 73c2fc5), kept only so that
 * {@link AuthFilterBench} can measure both in the same run (the body wrappers are today's, which the
 * routed-path check did not change). Not a bean; never use it to guard.
 * Original description: guards the HTTP surface before anything reads a request: the bearer token on every
 * {@code /api/**} call (compared in constant time), the same token for Hawtio, Jolokia and
 * metrics unless the hub listens on loopback only, and per-endpoint body limits (413).
 */
final class OldApiSecurityFilter extends OncePerRequestFilter {
    private final byte[] tokenDigest;
    private final boolean loopback;
    private final ObjectMapper json;
    private final long controlLimit;
    private final long uploadLimit;
    private final long chunkLimit;
    private final long legalLimit;

    OldApiSecurityFilter(String token,
                             boolean loopback,
                             ObjectMapper json,
                             DataSize controlLimit,
                             DataSize uploadLimit,
                             DataSize chunkLimit,
                             DataSize legalLimit) {
        this.tokenDigest = sha256(token);
        this.loopback = loopback;
        this.json = json;
        this.controlLimit = controlLimit.toBytes();
        this.uploadLimit = uploadLimit.toBytes();
        this.chunkLimit = chunkLimit.toBytes();
        this.legalLimit = legalLimit.toBytes();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws ServletException, IOException {
        String path = req.getRequestURI().substring(req.getContextPath().length());
        boolean api = path.equals("/api") || path.startsWith("/api/");
        boolean console = path.startsWith("/actuator/hawtio") || path.startsWith("/actuator/jolokia")
                || path.startsWith("/actuator/prometheus") || path.startsWith("/actuator/metrics")
                || path.startsWith("/actuator/camel");
        if (api || (console && !loopback)) {
            if (!authorized(req, console)) {
                if (console && !api) {
                    res.setHeader("WWW-Authenticate", "Basic realm=\"altus-hub\", charset=\"UTF-8\"");
                } else {
                    res.setHeader("WWW-Authenticate", "Bearer realm=\"altus-hub\"");
                }
                write(res, new Problem(401, "missing or invalid bearer token"), path);
                return;
            }
        }
        if (api) {
            long limit = limitFor(path, req.getContentType());
            long declared = req.getContentLengthLong();
            if (declared > limit) {
                write(res, new Problem(413, "request body of " + declared + " bytes exceeds the limit of "
                        + limit + " bytes for this endpoint").with("limit_bytes", limit), path);
                return;
            }
            if (declared < 0 && !streamed(path, req.getContentType())) {
                // a chunked JSON body: read it here (it would be read whole anyway) so the limit is exact
                byte[] body = req.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
                if (body.length > limit) {
                    write(res, new Problem(413, "request body exceeds the limit of " + limit
                            + " bytes for this endpoint").with("limit_bytes", limit), path);
                    return;
                }
                chain.doFilter(new BufferedRequest(req, body), res);
                return;
            }
            chain.doFilter(new LimitedRequest(req, limit), res);
            return;
        }
        chain.doFilter(req, res);
    }

    long limitFor(String path, String contentType) {
        if (path.startsWith("/api/legal/")) {
            return legalLimit;
        }
        if (path.startsWith("/api/upload_session/append") && contentType != null
                && contentType.toLowerCase().startsWith("application/octet-stream")) {
            return chunkLimit;
        }
        if (path.startsWith("/api/dropbox_upload") || path.startsWith("/api/ingest_upload")
                || path.startsWith("/api/upload_session/")) {
            return uploadLimit;
        }
        return controlLimit;
    }

    /** Endpoints whose handlers stream the body themselves (they see the counting stream). */
    static boolean streamed(String path, String contentType) {
        boolean octets = contentType != null && contentType.toLowerCase().startsWith("application/octet-stream");
        boolean multipart = contentType != null && contentType.toLowerCase().startsWith("multipart/");
        // the upload handlers parse their (up to 210 MiB) JSON bodies as streams
        boolean uploads = path.startsWith("/api/dropbox_upload") || path.startsWith("/api/ingest_upload")
                || path.startsWith("/api/upload_session/");
        return octets || multipart || uploads;
    }

    private boolean authorized(HttpServletRequest req, boolean allowBasic) {
        String h = req.getHeader("Authorization");
        if (h == null) {
            return false;
        }
        String presented = null;
        if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = h.substring(7).trim();
        } else if (allowBasic && h.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                presented = colon < 0 ? null : decoded.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        // digests have equal length, so the comparison time says nothing about the token
        return presented != null && MessageDigest.isEqual(tokenDigest, sha256(presented));
    }

    private void write(HttpServletResponse res, Problem p, String path) throws IOException {
        res.setStatus(p.status());
        res.setContentType(Problem.MEDIA_TYPE);
        res.setCharacterEncoding("UTF-8");
        json.writeValue(res.getOutputStream(), p.body(path));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
