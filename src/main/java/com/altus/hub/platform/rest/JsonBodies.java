package com.altus.hub.platform.rest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reads request bodies into JSON with errors that name the offending field (answered 400). */
public final class JsonBodies {
    private JsonBodies() {
    }

    /** The body as a JSON object; an empty body is an empty object. */
    public static ObjectNode object(ObjectMapper json, String body) {
        if (body == null || body.isBlank()) {
            return json.createObjectNode();
        }
        JsonNode node;
        try {
            node = json.readTree(body);
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
