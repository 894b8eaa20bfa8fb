package com.altus.hub.platform.rest;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.camel.Message;
import org.apache.camel.component.servlet.CamelHttpTransportServlet;
import org.apache.camel.component.servlet.ServletEndpoint;
import org.apache.camel.http.base.HttpHelper;
import org.apache.camel.http.common.DefaultHttpBinding;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.web.servlet.MultipartProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The transport of the REST DSL: Camel's servlet (camel-servlet) mapped at {@value #MAPPING},
 * with a binding that never touches the request body, so a route gets the raw servlet stream
 * (behind ApiSecurityFilter's counting wrapper) and can parse a 200 MiB upload as it arrives.
 *
 * <p>What the stock binding (DefaultHttpBinding / ServletRestHttpBinding, camel-http-common
 * 4.17) does that this one does not:
 * <ul>
 * <li>{@code parseBody} copies the body into a stream cache unless the exchange property
 * disableStreamCache is set, and un-gzips it when the client sends Content-Encoding: gzip
 * (and only when bytes happen to be available already): a 200 KiB gzip bomb would become
 * gigabytes on the upload spool. Here the body is the servlet stream, as sent; routes
 * refuse encoded bodies.</li>
 * <li>{@code populateRequestParameters} calls {@code request.getParameterNames()}, which makes
 * Tomcat read and parse a form-urlencoded or multipart body (curl -d sends JSON as
 * application/x-www-form-urlencoded), and {@code readFormUrlEncodedBody} then reads the body
 * as a String and fails on JSON. Here only the query string becomes headers (and the
 * {name} placeholders of the REST path, as ServletRestHttpBinding does).</li>
 * <li>{@code populateAttachments} is not needed (no route uses servlet attachments).</li>
 * <li>{@code readHeaders} copies the Authorization header (the API token) into the message;
 * here credentials stay out of messages.</li>
 * </ul>
 *
 * <p>The servlet sees its requests as if it were mapped at the context root (path info =
 * /api/...), so the REST DSL paths, the OpenAPI document and the paths clients call are
 * the same strings. Every Spring filter (ApiSecurityFilter: token and body limits) runs
 * before it, as for any servlet. Each application context gets its own servlet name, because
 * camel-servlet keeps its servlet registry in a JVM-wide static map (tests run several hubs
 * in one JVM).
 */
@Configuration(proxyBeanMethods = false)
public class RestTransport {
    public static final String MAPPING = "/api/*";
    public static final String BINDING = "hubRestBinding";
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /** The servlet's name, shared by its registration and the REST endpoints (servletName=...). */
    public record ServletName(String value) {
    }

    @Bean
    public ServletName hubServletName() {
        int n = INSTANCES.incrementAndGet();
        return new ServletName(n == 1 ? "HubApiServlet" : "HubApiServlet-" + n);
    }

    /** The servlet exists only with a web server (a one-shot run has none; its REST routes serve nothing). */
    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    public ServletRegistrationBean<ApiServlet> hubApiServlet(ServletName name, ObjectProvider<MultipartProperties> multipart) {
        ServletRegistrationBean<ApiServlet> reg = new ServletRegistrationBean<>(new ApiServlet(), MAPPING);
        reg.setName(name.value());
        reg.setLoadOnStartup(1);
        MultipartProperties parts = multipart.getIfAvailable();
        if (parts != null && parts.isEnabled()) {
            // parts are parsed only when a route asks for them (request.getParts())
            reg.setMultipartConfig(parts.createMultipartConfig());
        }
        return reg;
    }

    @Bean(BINDING)
    public StreamingBinding hubRestBinding() {
        return new StreamingBinding();
    }

    /** Camel's servlet, seeing the full path below the context (servlet path "", path info "/api/..."). */
    public static class ApiServlet extends CamelHttpTransportServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse res) {
            super.service(new FullPath(req), res);
        }
    }

    /** Servlet path folded into the path info, so that Camel matches /api/... against the REST DSL paths. */
    static final class FullPath extends HttpServletRequestWrapper {
        private final String pathInfo;

        FullPath(HttpServletRequest req) {
            super(req);
            String sp = req.getServletPath() == null ? "" : req.getServletPath();
            String pi = req.getPathInfo() == null ? "" : req.getPathInfo();
            this.pathInfo = sp + pi;
        }

        @Override
        public String getServletPath() {
            return "";
        }

        @Override
        public String getPathInfo() {
            return pathInfo;
        }
    }

    /**
     * Binds a request to a Camel message without reading its body: headers, the query string,
     * the REST path placeholders, and the body as the servlet's own input stream.
     */
    public static class StreamingBinding extends DefaultHttpBinding {

        public StreamingBinding() {
            setMapHttpMessageFormUrlEncodedBody(false);
        }

        /**
         * Request headers become message headers, except the credentials: ApiSecurityFilter has
         * checked them, and no route needs them, so they cannot turn up in a trace, a log line or
         * a dead letter.
         */
        @Override
        protected void readHeaders(HttpServletRequest request, Message message) {
            super.readHeaders(request, message);
            message.removeHeader("Authorization");
            message.removeHeader("Proxy-Authorization");
            message.removeHeader("Cookie");
        }

        @Override
        protected void readBody(HttpServletRequest request, Message message) {
            // nothing to do before the headers: the body stays unread until a route asks for it
        }

        @Override
        public Object parseBody(HttpServletRequest request, Message message) throws IOException {
            if (request.getContentLengthLong() == 0) {
                return null;
            }
            InputStream in = request.getInputStream();
            return in;
        }

        @Override
        protected void populateRequestParameters(HttpServletRequest request, Message message) {
            Map<String, Object> headers = message.getHeaders();
            String query = request.getQueryString();
            if (query != null && !query.isEmpty()) {
                for (String pair : query.split("&")) {
                    if (pair.isEmpty()) {
                        continue;
                    }
                    int eq = pair.indexOf('=');
                    String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                    String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                    if (name == null || value == null || name.isEmpty()) {
                        continue; // a malformed escape is not a parameter (the route answers 400 for a missing one)
                    }
                    if (getHeaderFilterStrategy() == null
                            || !getHeaderFilterStrategy().applyFilterToExternalHeaders(name, value, message.getExchange())) {
                        HttpHelper.appendHeader(headers, name, value);
                    }
                }
            }
            String path = request.getPathInfo();
            if (path != null && message.getExchange().getFromEndpoint() instanceof ServletEndpoint endpoint
                    && endpoint.getPath() != null && endpoint.getPath().indexOf('{') >= 0) {
                HttpHelper.evalPlaceholders(headers, path, endpoint.getPath());
            }
        }

        private static String decode(String s) {
            try {
                return URLDecoder.decode(s, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformed) {
                return null;
            }
        }

        @Override
        public void doWriteExceptionResponse(Throwable exception, HttpServletResponse response) throws IOException {
            // RestErrors answers every failure of the REST routes; this is a failure outside them
            response.setStatus(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
            response.setContentType(Problem.MEDIA_TYPE);
            response.setCharacterEncoding("UTF-8");
            response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Internal Server Error\",\"status\":500,"
                    + "\"detail\":\"internal error\"}");
        }
    }
}
