package com.altus.hub.platform.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The hub's API token and the forms in which a caller may present it: {@code Authorization:
 * Bearer <token>}, or HTTP Basic with user {@value #CONSOLE_USER} and the token as password.
 * Only a SHA-256 digest is kept, and comparisons take the same time whatever was presented.
 */
public final class ApiToken {
    /** The one user name of the console (Basic auth and Hawtio's login form). */
    public static final String CONSOLE_USER = "hub";

    /** How a request presented the token. */
    public enum Presented {
        /** no Authorization header */
        NONE,
        /** a correct Bearer token */
        BEARER,
        /** correct Basic credentials (user hub, the token as password) */
        BASIC,
        /** an Authorization header that does not carry the token */
        WRONG
    }

    private final byte[] digest;

    public ApiToken(String token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("the API token is empty");
        }
        this.digest = sha256(token);
    }

    /** True if {@code presented} is the token (constant time: digests have equal length). */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    /** What an {@code Authorization} header value carries. */
    public Presented inspect(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Presented.NONE;
        }
        String h = authorization.trim();
        if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return matches(h.substring(7).trim()) ? Presented.BEARER : Presented.WRONG;
        }
        if (h.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException notBase64) {
                return Presented.WRONG;
            }
            int colon = decoded.indexOf(':');
            boolean ok = colon > 0 && CONSOLE_USER.equals(decoded.substring(0, colon)) && matches(decoded.substring(colon + 1));
            return ok ? Presented.BASIC : Presented.WRONG;
        }
        return Presented.WRONG;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "ApiToken[***]";
    }
}
