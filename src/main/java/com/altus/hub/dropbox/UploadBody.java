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
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request body read in one streaming pass, with limits: the one file member (file_base64,
 * chunk_base64, payload.file_base64) is decoded straight into a spool file while its
 * content_hash is computed, and is the only member that may be large; every other member is
 * small metadata that becomes a tree, within {@link Limits} (nesting depth, number of members,
 * total metadata bytes, string and number length), enforced as the bytes arrive, so no body
 * can make the tree, or the heap, grow past them. The SHA-256 of the raw body (the
 * Idempotency-Key request hash) is taken on the way. Closing deletes the spool file.
 *
 * <p>A limit answers 413 (too many members, too much metadata, a string too long) or 400 (too
 * deep, a number too long, malformed JSON) naming the member. The rest of a refused body is
 * read and dropped (within the endpoint's size limit), so the client gets the answer rather
 * than a connection reset in the middle of its upload.
 */
public final class UploadBody implements AutoCloseable {
    /** Standard base64; padding optional (some clients strip it). */
    static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS
            .withReadPadding(Base64Variant.PaddingReadBehaviour.PADDING_ALLOWED);

    /** Limits on the non-file members of a body. */
    public record Limits(int maxDepth, int maxMembers, int maxMetadataBytes, int maxNumberLength) {
        public static final Limits DEFAULT = new Limits(8, 256, 64 * 1024, 64);

        public Limits {
            if (maxDepth < 2 || maxMembers < 8 || maxMetadataBytes < 1024 || maxNumberLength < 20) {
                throw new IllegalArgumentException("upload body limits too small to read a valid upload: " + this);
            }
        }

        /** Jackson's own checks, a little above ours (ours name the member; these stop what ours cannot see). */
        JsonFactory factory() {
            return JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(maxDepth + 1)
                    .maxStringLength(maxMetadataBytes)
                    .maxNameLength(Math.min(maxMetadataBytes, 4096))
                    .maxNumberLength(maxNumberLength)
                    .build()).build();
        }
    }

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
     * "payload.file_base64"); the first one present is decoded to the spool. Without
     * {@code hashed} neither hash is computed (session appends re-hash their bytes on the
     * session's 4 MiB block grid and have no Idempotency-Key), which saves two SHA-256 passes.
     */
    public static UploadBody json(JsonFactory factory, Limits limits, InputStream raw, Set<String> binaryFields,
                                  Path spoolDir, boolean hashed) throws IOException {
        MessageDigest bodyDigest = hashed ? ContentHasher.sha256() : null;
        Files.createDirectories(spoolDir);
        Path spool = Files.createTempFile(spoolDir, "body-", ".bin");
        ContentHasher hasher = new ContentHasher(hashed);
        InputStream in = hashed ? new DigestInputStream(raw, bodyDigest) : raw;
        try (JsonParser p = factory.createParser(in)) {
            Reader reader;
            try (OutputStream out = hasher.tee(new BufferedOutputStream(Files.newOutputStream(spool), 1 << 16))) {
                reader = new Reader(p, limits, binaryFields, out);
                reader.readBody();
            }
            in.transferTo(OutputStream.nullOutputStream()); // trailing whitespace belongs to the body hash too
            return new UploadBody(reader.root, spool, reader.found, hasher.total(), hashed ? hasher.finish() : null,
                    hashed ? HexFormat.of().formatHex(bodyDigest.digest()) : null);
        } catch (Problem refused) {
            Files.deleteIfExists(spool);
            drain(raw);
            throw refused;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(spool);
            throw e;
        }
    }

    /** Reads what is left of a refused body and drops it (the endpoint's size limit still applies). */
    private static void drain(InputStream raw) {
        try {
            raw.transferTo(OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException stopped) {
            // the client went away or the size limit ended it: the refusal is answered either way
        }
    }

    /** One pass over the tokens, counting what the limits count. */
    private static final class Reader {
        private final JsonParser p;
        private final Limits limits;
        private final Set<String> binaryFields;
        private final OutputStream spool;
        private ObjectNode root;
        private String found;
        private int members;
        private long metadataBytes;

        Reader(JsonParser p, Limits limits, Set<String> binaryFields, OutputStream spool) {
            this.p = p;
            this.limits = limits;
            this.binaryFields = binaryFields;
            this.spool = spool;
        }

        void readBody() throws IOException {
            if (next("body") != JsonToken.START_OBJECT) {
                throw Problem.badRequest("body", "the body must be a JSON object");
            }
            root = readObject("", 1);
            if (next("body") != null) {
                throw Problem.badRequest("body", "unexpected content after the JSON object");
            }
        }

        private ObjectNode readObject(String prefix, int depth) throws IOException {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            String where = prefix.isEmpty() ? "body" : prefix.substring(0, prefix.length() - 1);
            for (JsonToken t = nextMember(prefix, where); t == JsonToken.FIELD_NAME; t = nextMember(prefix, where)) {
                String name = p.currentName();
                String path = prefix + name;
                count(path, name.length());
                JsonToken value = next(path);
                if (binaryFields.contains(path) && value == JsonToken.VALUE_STRING && found == null) {
                    found = path;
                    readFile(path);
                } else if (binaryFields.contains(path) && value != JsonToken.VALUE_NULL) {
                    throw Problem.badRequest(path, "'" + path + "' must be a base64 string"
                            + (found != null ? " (and only one file per request)" : ""));
                } else {
                    node.set(name, readValue(value, path, depth));
                }
            }
            return node;
        }

        private JsonNode readValue(JsonToken t, String path, int depth) throws IOException {
            switch (t) {
                case START_OBJECT -> {
                    deeper(path, depth);
                    return readObject(path + ".", depth + 1);
                }
                case START_ARRAY -> {
                    deeper(path, depth);
                    ArrayNode array = JsonNodeFactory.instance.arrayNode();
                    int i = 0;
                    for (JsonToken e = next(path); e != JsonToken.END_ARRAY; e = next(path)) {
                        String element = path + "[" + i++ + "]";
                        count(element, 0);
                        array.add(readValue(e, element, depth + 1));
                    }
                    return array;
                }
                case VALUE_STRING -> {
                    String text = text(path);
                    count(path, text.length());
                    return JsonNodeFactory.instance.textNode(text);
                }
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                    String text = text(path);
                    count(path, text.length());
                    if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                        return JsonNodeFactory.instance.numberNode(p.getDoubleValue());
                    }
                    return switch (p.getNumberType()) {
                        case INT -> JsonNodeFactory.instance.numberNode(p.getIntValue());
                        case LONG -> JsonNodeFactory.instance.numberNode(p.getLongValue());
                        default -> JsonNodeFactory.instance.numberNode(p.getBigIntegerValue());
                    };
                }
                case VALUE_TRUE, VALUE_FALSE -> {
                    return JsonNodeFactory.instance.booleanNode(t == JsonToken.VALUE_TRUE);
                }
                case VALUE_NULL -> {
                    return JsonNodeFactory.instance.nullNode();
                }
                default -> throw Problem.badRequest(path, "unexpected " + t + " at '" + path + "'");
            }
        }

        private void readFile(String path) throws IOException {
            try {
                p.readBinaryValue(BASE64, spool);
            } catch (StreamConstraintsException e) {
                throw limit(path, e);
            } catch (JsonProcessingException e) {
                throw Problem.badRequest(path, "'" + path + "' is not valid base64: " + e.getOriginalMessage());
            } catch (IllegalArgumentException e) {
                // Jackson reports a bad base64 character this way
                throw Problem.badRequest(path, "'" + path + "' is not valid base64: " + e.getMessage());
            }
        }

        private void deeper(String path, int depth) {
            if (depth + 1 > limits.maxDepth()) {
                throw Problem.badRequest(path, "'" + path + "' is nested deeper than " + limits.maxDepth() + " levels")
                        .with("limit", limits.maxDepth());
            }
        }

        private void count(String path, int bytes) {
            if (++members > limits.maxMembers()) {
                throw new Problem(413, "the body has more than " + limits.maxMembers() + " members besides the file")
                        .with("field", path).with("limit", limits.maxMembers());
            }
            metadataBytes += bytes;
            if (metadataBytes > limits.maxMetadataBytes()) {
                throw new Problem(413, "the body's members besides the file exceed " + limits.maxMetadataBytes()
                        + " bytes").with("field", path).with("limit", limits.maxMetadataBytes());
            }
        }

        private String text(String path) throws IOException {
            try {
                return p.getText();
            } catch (StreamConstraintsException e) {
                throw limit(path, e);
            }
        }

        /**
         * The next member of an object. Jackson reads a scalar value together with its name, so a
         * value that breaks a limit fails here: the member is then the one just named.
         */
        private JsonToken nextMember(String prefix, String where) throws IOException {
            try {
                return p.nextToken();
            } catch (StreamConstraintsException e) {
                String name = p.currentName();
                throw limit(name == null ? where : prefix + name, e);
            } catch (JsonProcessingException e) {
                throw malformed(e);
            }
        }

        private JsonToken next(String path) throws IOException {
            try {
                return p.nextToken();
            } catch (StreamConstraintsException e) {
                throw limit(path, e);
            } catch (JsonProcessingException e) {
                throw malformed(e);
            }
        }

        private static Problem malformed(JsonProcessingException e) {
            return Problem.badRequest("body", "malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr()));
        }

        /** Jackson's constraint, named: lengths are 413 (too large), depth and number syntax 400. */
        private Problem limit(String path, StreamConstraintsException e) {
            String m = String.valueOf(e.getOriginalMessage());
            boolean tooLarge = m.contains("String value length") || m.contains("Name length");
            return (tooLarge ? new Problem(413, "'" + path + "' is too long: " + m) : Problem.badRequest(path,
                    "'" + path + "' exceeds a limit: " + m)).with("field", path);
        }
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
