package com.altus.hub.dropbox;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;

import com.altus.hub.platform.rest.Problem;
import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request body read in one streaming pass: the small JSON members become a tree, the
 * base64 member (file_base64, chunk_base64, payload.file_base64) is decoded straight into a
 * spool file while its content_hash is computed, and the SHA-256 of the raw body (the
 * Idempotency-Key request hash) is taken on the way. Memory stays flat whatever the file size
 * and whatever the members' order.
 * Closing deletes the spool file.
 */
public final class UploadBody implements AutoCloseable {
    /** Standard base64; padding optional (some clients strip it). */
    static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS
            .withReadPadding(Base64Variant.PaddingReadBehaviour.PADDING_ALLOWED);

    private final ObjectNode fields;
    private final Path file;
    private final String binaryField;
    private final long size;
    private final String contentHash;
    private final String requestHash;

    private UploadBody(ObjectNode fields, Path file, String binaryField, long size, String contentHash, String requestHash) {
        this.fields = fields;
        this.file = file;
        this.binaryField = binaryField;
        this.size = size;
        this.contentHash = contentHash;
        this.requestHash = requestHash;
    }

    /**
     * Reads a JSON object body. {@code binaryFields} are dotted paths ("file_base64",
     * "payload.file_base64"); the first one present is decoded to the spool.
     */
    public static UploadBody json(ObjectMapper json, InputStream raw, Set<String> binaryFields, Path spoolDir)
            throws IOException {
        return json(json, raw, binaryFields, spoolDir, true);
    }

    /**
     * As above; without {@code hashed} neither hash is computed (session appends re-hash their
     * bytes on the session's 4 MiB block grid and have no Idempotency-Key), which saves two
     * SHA-256 passes over every chunk.
     */
    public static UploadBody json(ObjectMapper json, InputStream raw, Set<String> binaryFields, Path spoolDir,
                                  boolean hashed) throws IOException {
        MessageDigest bodyDigest = hashed ? ContentHasher.sha256() : null;
        Files.createDirectories(spoolDir);
        Path spool = Files.createTempFile(spoolDir, "body-", ".bin");
        ContentHasher hasher = new ContentHasher(hashed);
        String[] found = {null};
        try (InputStream in = hashed ? new DigestInputStream(raw, bodyDigest) : raw;
             JsonParser p = json.getFactory().createParser(in)) {
            ObjectNode root;
            try (OutputStream out = hasher.tee(new BufferedOutputStream(Files.newOutputStream(spool), 1 << 16))) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw Problem.badRequest("body", "the body must be a JSON object");
                }
                root = readObject(json, p, "", binaryFields, out, found);
                if (p.nextToken() != null) {
                    throw Problem.badRequest("body", "unexpected content after the JSON object");
                }
            }
            in.transferTo(OutputStream.nullOutputStream()); // trailing whitespace belongs to the body hash too
            long size = hasher.total();
            return new UploadBody(root, spool, found[0], size, hashed ? hasher.finish() : null,
                    hashed ? HexFormat.of().formatHex(bodyDigest.digest()) : null);
        } catch (JsonProcessingException e) {
            Files.deleteIfExists(spool);
            throw Problem.badRequest("body", "malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr()));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(spool);
            throw e;
        }
    }

    private static ObjectNode readObject(ObjectMapper json, JsonParser p, String prefix, Set<String> binaryFields,
                                         OutputStream spool, String[] found) throws IOException {
        ObjectNode node = json.createObjectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            String path = prefix + name;
            JsonToken t = p.nextToken();
            if (binaryFields.contains(path) && t == JsonToken.VALUE_STRING && found[0] == null) {
                found[0] = path;
                try {
                    p.readBinaryValue(BASE64, spool);
                } catch (JsonProcessingException e) {
                    throw Problem.badRequest(path, "'" + path + "' is not valid base64: " + e.getOriginalMessage());
                } catch (IllegalArgumentException e) {
                    // Jackson reports a bad base64 character this way
                    throw Problem.badRequest(path, "'" + path + "' is not valid base64: " + e.getMessage());
                }
            } else if (binaryFields.contains(path) && t != JsonToken.VALUE_NULL) {
                throw Problem.badRequest(path, "'" + path + "' must be a base64 string"
                        + (found[0] != null ? " (and only one file per request)" : ""));
            } else if (t == JsonToken.START_OBJECT) {
                node.set(name, readObject(json, p, path + ".", binaryFields, spool, found));
            } else {
                JsonNode value = json.readTree(p);
                node.set(name, value);
            }
        }
        return node;
    }

    /** The JSON members other than the file (the file member is absent). */
    public ObjectNode fields() {
        return fields;
    }

    /** Which member held the file, or null when none did. */
    public String binaryField() {
        return binaryField;
    }

    public Path file() {
        return file;
    }

    public long size() {
        return size;
    }

    public String contentHash() {
        return contentHash;
    }

    /** SHA-256 (hex) of the raw request body (null when read without hashing). */
    public String requestHash() {
        return requestHash;
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }
}
