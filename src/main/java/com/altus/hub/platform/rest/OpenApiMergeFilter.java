package com.altus.hub.platform.rest;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.util.ContentCachingResponseWrapper;
import org.springframework.web.util.WebUtils;

/**
 * Completes Camel's generated {@code /api/openapi.json} with the paths and components of every
 * {@link OpenApiContributor}, so clients see one document for the whole API.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
public class OpenApiMergeFilter extends org.springframework.web.filter.OncePerRequestFilter {
    static final String PATH = "/api/openapi.json";
    private final List<OpenApiContributor> contributors;
    private final ObjectMapper json;

    public OpenApiMergeFilter(List<OpenApiContributor> contributors, ObjectMapper json) {
        this.contributors = List.copyOf(contributors);
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return contributors.isEmpty() || !PATH.equals(request.getRequestURI().substring(request.getContextPath().length()));
    }

    /** Camel's handler answers asynchronously: the body exists only after the async dispatch. */
    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws ServletException, IOException {
        ContentCachingResponseWrapper wrapper = WebUtils.getNativeResponse(res, ContentCachingResponseWrapper.class);
        if (wrapper == null) {
            wrapper = new ContentCachingResponseWrapper(res);
        }
        chain.doFilter(req, wrapper);
        if (isAsyncStarted(req)) {
            return; // the async dispatch comes back through this filter with the same wrapper
        }
        JsonNode doc = wrapper.getStatus() == 200 && wrapper.getContentSize() > 0
                ? json.readTree(wrapper.getContentAsByteArray()) : null;
        if (doc instanceof ObjectNode root) {
            for (OpenApiContributor c : contributors) {
                merge(root, json.valueToTree(c.openApi()));
            }
            byte[] merged = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
            wrapper.resetBuffer();
            wrapper.setContentType("application/json");
            wrapper.getOutputStream().write(merged);
        }
        wrapper.copyBodyToResponse();
    }

    /** Adds the fragment's paths, component entries and security schemes that the document lacks. */
    static void merge(ObjectNode root, JsonNode fragment) {
        JsonNode paths = fragment.get("paths");
        if (paths != null && paths.isObject()) {
            ObjectNode target = root.has("paths") && root.get("paths").isObject() ? (ObjectNode) root.get("paths") : root.putObject("paths");
            for (Map.Entry<String, JsonNode> p : paths.properties()) {
                target.set(p.getKey(), p.getValue());
            }
        }
        JsonNode components = fragment.get("components");
        if (components != null && components.isObject()) {
            ObjectNode target = root.has("components") && root.get("components").isObject()
                    ? (ObjectNode) root.get("components") : root.putObject("components");
            for (Map.Entry<String, JsonNode> kind : components.properties()) {
                ObjectNode section = target.has(kind.getKey()) && target.get(kind.getKey()).isObject()
                        ? (ObjectNode) target.get(kind.getKey()) : target.putObject(kind.getKey());
                for (Map.Entry<String, JsonNode> entry : kind.getValue().properties()) {
                    if (!section.has(entry.getKey())) {
                        section.set(entry.getKey(), entry.getValue());
                    }
                }
            }
        }
        if (!root.has("security") && fragment.has("security")) {
            root.set("security", fragment.get("security"));
        }
    }
}
