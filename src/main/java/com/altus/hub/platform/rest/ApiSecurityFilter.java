package com.altus.hub.platform.rest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;

import com.altus.hub.platform.security.ApiToken;
import com.altus.hub.platform.security.BrowserOrigin;
import com.altus.hub.platform.security.ConsolePrincipal;
import com.altus.hub.platform.security.HawtioTokenLogin;
import com.altus.hub.platform.security.HttpSurface;
import com.altus.hub.platform.security.RequestPaths;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ReadListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards the HTTP surface before anything reads a request. In order:
 * <ol>
 * <li>A path in any form other than the one the server routes (percent-encoding, {@code ;}
 * parameters, {@code //}, dot segments, backslashes) is refused with 400, and the decisions
 * below are taken on the routed path (servlet path + path info), which must equal the raw one.</li>
 * <li>{@code /api/**} needs {@code Authorization: Bearer <token>} (compared in constant time).</li>
 * <li>{@code /actuator/health} (and its liveness/readiness groups) is public; details show only
 * to token holders.</li>
 * <li>Everything else under {@code /actuator} (metrics, Hawtio, Jolokia) needs the token, on
 * loopback too: as Bearer, as Basic user {@code hub}, or (Hawtio and Jolokia) a Hawtio login session. Credentials
 * a browser sends by itself (session cookie, cached Basic) are refused on Jolokia, on Hawtio's
 * proxy and on any non-GET request when a browser header names another origin, and a session
 * additionally needs a header that names the hub's own origin. Only Hawtio's login page and its
 * static assets are public.</li>
 * <li>Per-endpoint body limits (413).</li>
 * </ol>
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class ApiSecurityFilter extends OncePerRequestFilter {
    private static final String REALM = "altus-hub";
    private final ApiToken token;
    private final ObjectMapper json;
    private final long controlLimit;
    private final long uploadLimit;
    private final long chunkLimit;
    private final long legalLimit;

    public ApiSecurityFilter(@Value("${hub.api.token}") String token,
                             ObjectMapper json,
                             @Value("${hub.api.max-control-bytes:1MB}") DataSize controlLimit,
                             @Value("${hub.upload.max-request-bytes:210MB}") DataSize uploadLimit,
                             @Value("${hub.upload.max-chunk-bytes:150MB}") DataSize chunkLimit,
                             @Value("${hub.legal.max-upload-bytes:50MB}") DataSize legalLimit) {
        this.token = new ApiToken(token);
        this.json = json;
        this.controlLimit = controlLimit.toBytes();
        this.uploadLimit = uploadLimit.toBytes();
        this.chunkLimit = chunkLimit.toBytes();
        this.legalLimit = legalLimit.toBytes();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws ServletException, IOException {
        String raw = RequestPaths.raw(req);
        String path = RequestPaths.routed(req);
        String odd = RequestPaths.oddity(raw);
        if (odd == null && !path.equals(RequestPaths.decoded(raw))) {
            odd = "the path is not in the form the server routes it";
        }
        if (odd != null) {
            write(res, Problem.badRequest("path", "refused request path: " + odd), null);
            return;
        }
        HttpSurface surface = HttpSurface.of(path);
        ApiToken.Presented presented = token.inspect(req.getHeader("Authorization"));
        switch (surface) {
            case API -> {
                if (presented != ApiToken.Presented.BEARER) {
                    res.setHeader("WWW-Authenticate", "Bearer realm=\"" + REALM + "\"");
                    write(res, new Problem(401, "missing or invalid bearer token"), path);
                    return;
                }
                limitBody(new Operator(req), res, chain, path);
            }
            case CONSOLE -> {
                boolean session = presented == ApiToken.Presented.NONE && HttpSurface.hawtioOrJolokia(path)
                        && HawtioTokenLogin.loggedIn(req);
                boolean basic = presented == ApiToken.Presented.BASIC;
                if (presented != ApiToken.Presented.BEARER && !basic && !session) {
                    challenge(req, res);
                    write(res, new Problem(401, "this path needs the API token: Authorization: Bearer <token>, "
                            + "HTTP Basic with user hub and the token as password, or a login at "
                            + HttpSurface.HAWTIO + "/login"), path);
                    return;
                }
                if (basic || session) {
                    String refused = crossOrigin(req, path, session);
                    if (refused != null) {
                        write(res, new Problem(403, refused), path);
                        return;
                    }
                }
                limitBody(new Operator(req), res, chain, path);
            }
            case PUBLIC_HEALTH, CONSOLE_LOGIN_PAGE -> {
                boolean holder = presented == ApiToken.Presented.BEARER || presented == ApiToken.Presented.BASIC;
                limitBody(holder ? new Operator(req) : req, res, chain, path);
            }
            case OTHER -> chain.doFilter(req, res);
        }
    }

    /**
     * Why a console request authenticated by what a browser sends by itself must be refused, or
     * null. A page from another origin can make the operator's browser send the session cookie or
     * cached Basic credentials; it cannot make it claim the hub's own origin.
     */
    private static String crossOrigin(HttpServletRequest req, String path, boolean session) {
        String method = req.getMethod();
        boolean safe = "GET".equals(method) || "HEAD".equals(method);
        if (safe && !HttpSurface.actsOnJvm(path)) {
            return null;
        }
        BrowserOrigin.Verdict origin = BrowserOrigin.of(req);
        if (origin == BrowserOrigin.Verdict.CROSS_ORIGIN) {
            return "cross-origin request refused: the console accepts a session or Basic credentials only from its own pages";
        }
        if (session && origin != BrowserOrigin.Verdict.SAME_ORIGIN) {
            return "a console session needs a same-origin Origin or Referer header on this request (or use the Bearer token)";
        }
        return null;
    }

    /**
     * Basic for a browser's navigation or a non-browser client (so a browser asks for the login),
     * but not for a page's fetch/XHR, where the browser would pop up its login dialog over Hawtio.
     */
    private static void challenge(HttpServletRequest req, HttpServletResponse res) {
        String mode = req.getHeader("Sec-Fetch-Mode");
        if (mode == null || mode.equalsIgnoreCase("navigate")) {
            res.addHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        }
        res.addHeader("WWW-Authenticate", "Bearer realm=\"" + REALM + "\"");
    }

    private void limitBody(HttpServletRequest req, HttpServletResponse res, FilterChain chain, String path)
            throws IOException, ServletException {
        boolean api = HttpSurface.of(path) == HttpSurface.API;
        long limit = api ? limitFor(path, req.getContentType()) : controlLimit;
        long declared = req.getContentLengthLong();
        if (declared > limit) {
            write(res, new Problem(413, "request body of " + declared + " bytes exceeds the limit of "
                    + limit + " bytes for this endpoint").with("limit_bytes", limit), path);
            return;
        }
        if (api && declared < 0 && !streamed(path, req.getContentType())) {
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

    private void write(HttpServletResponse res, Problem p, String path) throws IOException {
        res.setStatus(p.status());
        res.setContentType(Problem.MEDIA_TYPE);
        res.setCharacterEncoding("UTF-8");
        json.writeValue(res.getOutputStream(), p.body(path));
    }

    /** A request of the token holder: its principal lets actuator show health details. */
    static final class Operator extends HttpServletRequestWrapper {
        Operator(HttpServletRequest req) {
            super(req);
        }

        @Override
        public Principal getUserPrincipal() {
            return ConsolePrincipal.OPERATOR;
        }

        @Override
        public String getRemoteUser() {
            return ConsolePrincipal.OPERATOR.getName();
        }
    }

    /** A request whose (small, already limited) body was read by the filter. */
    public static final class BufferedRequest extends HttpServletRequestWrapper {
        private final byte[] body;

        public BufferedRequest(HttpServletRequest req, byte[] body) {
            super(req);
            this.body = body;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public ServletInputStream getInputStream() {
            java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body is already buffered");
                }
            };
        }

        @Override
        public java.io.BufferedReader getReader() {
            return new java.io.BufferedReader(new java.io.InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }
    }

    /** Counts body bytes as they are read and stops at the limit (for chunked bodies without a length). */
    public static final class LimitedRequest extends HttpServletRequestWrapper {
        private final long limit;
        private ServletInputStream stream;

        public LimitedRequest(HttpServletRequest req, long limit) {
            super(req);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    private long count;

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        if (b >= 0) {
                            check(1);
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buf, int off, int len) throws IOException {
                        int n = in.read(buf, off, len);
                        if (n > 0) {
                            check(n);
                        }
                        return n;
                    }

                    private void check(int n) {
                        count += n;
                        if (count > limit) {
                            throw new PayloadTooLargeException(limit);
                        }
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }

        @Override
        public java.io.BufferedReader getReader() throws IOException {
            // the container's own reader would bypass the counting stream
            String enc = getCharacterEncoding();
            java.nio.charset.Charset cs = enc == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(enc);
            return new java.io.BufferedReader(new java.io.InputStreamReader(getInputStream(), cs));
        }
    }
}
