package com.altus.hub.platform.rest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads request bodies into JSON with errors that name the offending field (answered 400).
 * Before a tree is built, one streaming pass checks the body against the ObjectMapper's
 * {@code StreamReadConstraints} (nesting depth, number and name length) and the limits of a
 * control body here: at most {@link #MAX_MEMBERS} members and array elements in all, and
 * strings of at most {@link #MAX_STRING_CHARS} characters.
 */
public final class JsonBodies {
    /** Object members plus array elements in one body (run parameters and dead-letter ids are far fewer). */
    public static final int MAX_MEMBERS = 10_000;
    /** Longest text value in a control body, in characters. */
    public static final int MAX_STRING_CHARS = 64 * 1024;

    private JsonBodies() {
    }

    /** The body as a JSON object; an empty body is an empty object. */
    public static ObjectNode object(ObjectMapper json, String body) {
        if (body == null || body.isBlank()) {
            return json.createObjectNode();
        }
        checkLimits(json, body);
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (StreamConstraintsException e) {
            throw Problem.badRequest("body", "the body exceeds a JSON limit: " + e.getOriginalMessage())
                    .with("limit", limitName(e));
        } catch (JsonProcessingException e) {
            throw Problem.badRequest("body", "malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr()));
        }
        if (!(node instanceof ObjectNode obj)) {
            throw Problem.badRequest("body", "the body must be a JSON object");
        }
        return obj;
    }

    /**
     * Streams through the body once, counting members and measuring strings, so that a hostile
     * body is refused before it becomes a tree. Syntax errors are left to the tree parser, which
     * reports them with their position.
     */
    static void checkLimits(ObjectMapper json, String body) {
        try (JsonParser p = json.getFactory().createParser(body)) {
            long values = 0;
            JsonToken t;
            try {
                while ((t = p.nextToken()) != null) {
                    if (t.isScalarValue() || t.isStructStart()) {
                        // every value but the root one is a member or an element of a container
                        if (++values - 1 > MAX_MEMBERS) {
                            JsonStreamContext container = t.isStructStart() ? p.getParsingContext().getParent() : p.getParsingContext();
                            throw Problem.badRequest(fieldPath(container, false), "the body has more than " + MAX_MEMBERS
                                    + " members and array elements").with("limit", "max_members").with("limit_value", MAX_MEMBERS);
                        }
                    }
                    if (t == JsonToken.VALUE_STRING && p.getTextLength() > MAX_STRING_CHARS) {
                        throw Problem.badRequest(fieldPath(p.getParsingContext(), true), "'" + fieldPath(p.getParsingContext(), true)
                                + "' is longer than " + MAX_STRING_CHARS + " characters")
                                .with("limit", "max_string_length").with("limit_value", MAX_STRING_CHARS);
                    }
                }
            } catch (StreamConstraintsException e) {
                String field = limitName(e).equals("max_nesting_depth") ? topField(p.getParsingContext())
                        : fieldPath(p.getParsingContext(), true);
                throw Problem.badRequest(field, "'" + field + "' exceeds a JSON limit: " + e.getOriginalMessage())
                        .with("limit", limitName(e));
            } catch (JsonProcessingException syntax) {
                // reported by the tree parser with line and column
            }
        } catch (IOException e) {
            throw new IllegalStateException("reading a body held in memory failed", e);
        }
    }

    /** Jackson's constraint names, from its messages ("Document nesting depth (65) exceeds ..."). */
    private static String limitName(StreamConstraintsException e) {
        String m = String.valueOf(e.getOriginalMessage()).toLowerCase(java.util.Locale.ROOT);
        if (m.contains("nesting depth")) {
            return "max_nesting_depth";
        }
        if (m.contains("number")) {
            return "max_number_length";
        }
        if (m.contains("name")) {
            return "max_name_length";
        }
        if (m.contains("string")) {
            return "max_string_length";
        }
        return "json_limit";
    }

    /**
     * The dotted path ({@code params.note}, {@code ids[3]}) of the value the parser is at in
     * {@code container} ({@code withCurrent}), or of the container itself; "body" for the root.
     */
    private static String fieldPath(JsonStreamContext container, boolean withCurrent) {
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        if (withCurrent && !container.inRoot()) {
            parts.addFirst(segment(container));
        }
        for (JsonStreamContext c = container.getParent(); c != null && !c.inRoot(); c = c.getParent()) {
            parts.addFirst(segment(c));
        }
        if (parts.isEmpty()) {
            return "body";
        }
        StringBuilder sb = new StringBuilder();
        for (String part : parts) {
            if (sb.length() > 0 && !part.startsWith("[")) {
                sb.append('.');
            }
            sb.append(part);
        }
        return sb.toString();
    }

    /** The top-level member a too-deep value sits under ("body" when the root itself is too deep). */
    private static String topField(JsonStreamContext ctx) {
        JsonStreamContext c = ctx;
        while (c != null && c.getParent() != null && !c.getParent().inRoot()) {
            c = c.getParent();
        }
        return c == null || c.inRoot() ? "body" : segment(c);
    }

    private static String segment(JsonStreamContext c) {
        if (c.inObject()) {
            return c.getCurrentName() == null ? "body" : c.getCurrentName();
        }
        return "[" + Math.max(c.getCurrentIndex(), 0) + "]";
    }

    public static String optionalText(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw Problem.badRequest(field, "'" + field + "' must be a string");
        }
        return v.asText();
    }

    public static List<Long> optionalLongs(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw Problem.badRequest(field, "'" + field + "' must be an array of integers");
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.canConvertToLong() || !e.isIntegralNumber()) {
                throw Problem.badRequest(field + "[" + i + "]", "'" + field + "[" + i + "]' must be an integer");
            }
            out.add(e.asLong());
        }
        return out;
    }

    /** A JSON object's fields as plain Java values (for run parameters). */
    public static Map<String, Object> toMap(ObjectMapper json, ObjectNode node) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = json.treeToValue(node, LinkedHashMap.class);
            return m;
        } catch (IOException e) {
            throw Problem.badRequest("body", "unreadable body: " + e.getMessage());
        }
    }

    static String pathOf(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "body" : sb.toString();
    }
}
