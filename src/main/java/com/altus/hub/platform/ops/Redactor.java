package com.altus.hub.platform.ops;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.altus.hub.platform.config.HubSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Removes secrets from text that leaves the process (log lines and stack traces, error messages
 * in run records, dead letters, problem responses): every configured secret value, plus the
 * shapes secrets take in headers, URLs, query strings, form and JSON bodies: Authorization and
 * Proxy-Authorization values, api keys, access/refresh tokens, client secrets, passwords,
 * {@code token=}/{@code sig=} URL parameters, URL userinfo, Azure account keys, bearer tokens
 * and JWTs.
 */
public final class Redactor {
    private static final String MASK = "***";

    /** Names whose value is a secret wherever it appears as a key (query, form, JSON, map). */
    private static final String SECRET_KEYS = "(?:x[-_]?)?api[-_]?key|apikey|access[-_]?token|refresh[-_]?token"
            + "|id[-_]?token|auth[-_]?token|session[-_]?token|sas[-_]?token|client[-_]?secret|app[-_]?secret"
            + "|service[-_]?role[-_]?key|private[-_]?key|password|passwd|pwd|secret|token|sig|signature";
    private static final Pattern SECRET_KEY = Pattern.compile("(?i)" + SECRET_KEYS);
    /** Header names whose whole value is a credential. */
    private static final String SECRET_HEADERS = "proxy-authorization|authorization|cookie|set-cookie|x-api-key";

    private static final List<Shape> SHAPES = List.of(
            // JSON members (escaped quotes included): "password": "x", 'client_secret': 'x', "Authorization": "x"
            new Shape("(?i)([\"'](?:" + SECRET_KEYS + "|" + SECRET_HEADERS + ")[\"']\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|(?!null\\b)[^\\s,}\\]{\\[\"']+)",
                    m -> m.group(1) + quoteLike(m.group(2))),
            // JSON inside a JSON string, as exception messages quote response bodies: {\"password\":\"x\"}
            new Shape("(?i)(\\\\\"(?:" + SECRET_KEYS + "|" + SECRET_HEADERS + ")\\\\\"\\s*:\\s*\\\\\")((?:(?!\\\\\").)*)(\\\\\")",
                    m -> m.group(1) + MASK + m.group(3)),
            // header lines and JSON: "Authorization: Basic x", "Cookie":"a=b" (the value runs to the line's end)
            new Shape("(?i)(?<![A-Za-z0-9_-])((?:" + SECRET_HEADERS + ")[\"']?\\s*:\\s*\\[?[\"']?)([^\\r\\n\"'\\]]+)",
                    m -> m.group(1) + MASK),
            // header maps and query strings: {authorization=[Bearer x, y]}, {Authorization=Basic x, a=b}, ?x-api-key=k&
            new Shape("(?i)(?<![A-Za-z0-9_-])((?:" + SECRET_HEADERS + ")\\s*=\\s*)(\\[[^\\]\\r\\n]*\\]|[^,&}\\]\\r\\n\"']+)",
                    m -> m.group(1) + (m.group(2).startsWith("[") ? "[" + MASK + "]" : MASK)),
            // query strings, form bodies, map.toString(): ?token=x&, password=x, {api_key=x, ...}
            new Shape("(?i)(?<![A-Za-z0-9_-])((?:" + SECRET_KEYS + ")\\s*=\\s*)([^&\\s\"',;}\\])]+)",
                    m -> m.group(1) + MASK),
            // "apikey: x" in plain text (as the hub logged it before)
            new Shape("(?i)(?<![A-Za-z0-9_-])((?:x[-_]?)?api[-_]?key\\s*:\\s*)([^\\s\"',;}\\]]+)", m -> m.group(1) + MASK),
            // Azure connection strings
            new Shape("(?i)((?:AccountKey|SharedAccessSignature)=)([^;\\s\"']+)", m -> m.group(1) + MASK),
            // password in URL userinfo: scheme://user:password@host
            new Shape("(://[^:/@\\s]+:)([^@/\\s]+)(@)", m -> m.group(1) + MASK + m.group(3)),
            // a long lone userinfo is a token: https://ghp_xxxxxxxxxxxxxxxx@host
            new Shape("(://)([A-Za-z0-9._~!$&'()*+,=-]{16,})(@)", m -> m.group(1) + MASK + m.group(3)),
            // bearer tokens in free text
            new Shape("(?i)(bearer\\s+)([A-Za-z0-9._~+/=-]{8,})", m -> m.group(1) + MASK),
            // JSON Web Tokens (Supabase keys, OAuth access tokens) wherever they appear
            new Shape("eyJ[A-Za-z0-9_-]{4,}\\.eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*", m -> MASK));

    private final List<String> secrets;

    public Redactor(List<String> secrets) {
        List<String> s = new ArrayList<>();
        for (String v : secrets) {
            if (v != null && v.length() >= 6) {
                s.add(v);
            }
        }
        s.sort(Comparator.comparingInt(String::length).reversed());
        this.secrets = List.copyOf(s);
    }

    public static Redactor of(HubSettings settings, String apiToken) {
        List<String> s = new ArrayList<>();
        s.add(apiToken);
        settings.database.ifPresent(d -> s.add(d.password()));
        settings.supabaseServiceRoleKey.ifPresent(s::add);
        settings.doorloopToken.ifPresent(s::add);
        settings.dropbox.ifPresent(c -> { s.add(c.appSecret()); s.add(c.refreshToken()); });
        settings.teamDropbox.ifPresent(c -> { s.add(c.appSecret()); s.add(c.refreshToken()); });
        settings.maidCentral.ifPresent(m -> s.add(m.password()));
        settings.azureSasUrl.ifPresent(u -> s.add(u.getRawQuery()));
        settings.azureConnectionString.ifPresent(s::add);
        return new Redactor(s);
    }

    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String secret : secrets) {
            if (out.contains(secret)) {
                out = out.replace(secret, MASK);
            }
        }
        for (Shape shape : SHAPES) {
            out = shape.apply(out);
        }
        return out;
    }

    /** True for a header, parameter or JSON member name whose value is always a secret. */
    public static boolean isSecretName(String name) {
        if (name == null) {
            return false;
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.matches(SECRET_HEADERS) || SECRET_KEY.matcher(n).matches() || n.contains("token") || n.contains("secret")
                || n.contains("password") || n.contains("apikey") || n.contains("api-key") || n.contains("api_key")
                || n.contains("credential") || n.contains("authorization") || n.contains("signature");
    }

    /**
     * A copy of message or HTTP headers for storing or logging: values of secret headers become
     * {@code ***}, text values (and lists of them) are redacted, numbers and booleans are kept,
     * anything else is redacted as text. Order is kept.
     */
    public Map<String, Object> redactHeaders(Map<String, ?> headers) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (headers == null) {
            return out;
        }
        headers.forEach((k, v) -> out.put(k, isSecretName(k) && v != null ? MASK : redactValue(v)));
        return out;
    }

    /** A copy of a JSON payload with secret members masked and every text value redacted. */
    public JsonNode redactJson(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            return TextNode.valueOf(redact(node.textValue()));
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                boolean secret = isSecretName(f.getKey()) && !f.getValue().isNull() && !f.getValue().isContainerNode();
                copy.set(f.getKey(), secret ? TextNode.valueOf(MASK) : redactJson(f.getValue()));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode(node.size());
            node.forEach(e -> copy.add(redactJson(e)));
            return copy;
        }
        return node;
    }

    private Object redactValue(Object v) {
        if (v == null || v instanceof Number || v instanceof Boolean) {
            return v;
        }
        if (v instanceof CharSequence cs) {
            return redact(cs.toString());
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            c.forEach(e -> out.add(redactValue(e)));
            return out;
        }
        if (v instanceof Object[] a) {
            List<Object> out = new ArrayList<>(a.length);
            for (Object e : a) {
                out.add(redactValue(e));
            }
            return out;
        }
        return redact(String.valueOf(v));
    }

    /** Keeps the quotes of a masked JSON value, so the JSON stays parseable. */
    private static String quoteLike(String value) {
        if (value.startsWith("\"")) {
            return "\"" + MASK + "\"";
        }
        if (value.startsWith("'")) {
            return "'" + MASK + "'";
        }
        return "\"" + MASK + "\"";
    }

    /** One secret shape and how to mask a match of it. */
    private record Shape(Pattern pattern, Function<Matcher, String> mask) {
        Shape(String regex, Function<Matcher, String> mask) {
            this(Pattern.compile(regex), mask);
        }

        String apply(String text) {
            Matcher m = pattern.matcher(text);
            if (!m.find()) {
                return text;
            }
            StringBuilder sb = new StringBuilder(text.length());
            do {
                m.appendReplacement(sb, Matcher.quoteReplacement(mask.apply(m)));
            } while (m.find());
            m.appendTail(sb);
            return sb.toString();
        }
    }
}
