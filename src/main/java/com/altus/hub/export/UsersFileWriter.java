package com.altus.hub.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Writes users.json as a stream: MaidCentral's {@code {ServiceCompanyGroups:[...]}} answer is copied
 * token by token behind a fresh {@code GeneratedAt} into the output, hashing on the way (everything
 * but GeneratedAt) and counting users, so 100,000 users never exist as objects in memory. Plain
 * Java: no Camel, no Spring.
 */
public final class UsersFileWriter {
    public static final String BLOB_NAME = "users.json";

    /** SHA-256 of the file apart from GeneratedAt, and how many users it holds. */
    public record Written(String sha256, long users) {
    }

    private final JsonFactory factory;

    public UsersFileWriter(JsonFactory factory) {
        this.factory = factory;
    }

    /**
     * Copies MaidCentral's answer into {@code out} as users.json (which it does not close). Invalid
     * JSON or a missing {@code ServiceCompanyGroups} array is a {@link MaidCentralDataException}.
     */
    public Written write(InputStream answer, OutputStream out, Instant generatedAt) throws IOException {
        ExportJson.HashingStream hashing = new ExportJson.HashingStream(out);
        long users = 0;
        try (JsonParser p = factory.createParser(answer);
             JsonGenerator gen = factory.createGenerator(hashing).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
            gen.setPrettyPrinter(ExportJson.prettyPrinter());
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MaidCentralDataException("MaidCentral's users answer is not a JSON object");
            }
            gen.writeStartObject();
            hashing.writeUnhashedGeneratedAt(gen, DateTimeFormatter.ISO_INSTANT.format(generatedAt.truncatedTo(ChronoUnit.SECONDS)));
            boolean groups = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (ExportJson.GENERATED_AT.equals(field)) {
                    p.skipChildren();
                    continue;
                }
                if ("ServiceCompanyGroups".equals(field)) {
                    if (value != JsonToken.START_ARRAY) {
                        throw new MaidCentralDataException("ServiceCompanyGroups in MaidCentral's users answer is not an array");
                    }
                    groups = true;
                }
                gen.writeFieldName(field);
                users += copy(p, gen);
            }
            if (!groups) {
                throw new MaidCentralDataException("MaidCentral's users answer has no ServiceCompanyGroups");
            }
            gen.writeEndObject();
            gen.flush();
        } catch (com.fasterxml.jackson.core.JsonParseException e) {
            throw new MaidCentralDataException("MaidCentral's users answer is not valid JSON: " + e.getOriginalMessage(), e);
        }
        hashing.write('\n');
        hashing.flush();
        return new Written(hashing.hex(), users);
    }

    /** Copies the value at the parser's current token; answers the UserId members it passed. */
    private static long copy(JsonParser p, JsonGenerator gen) throws IOException {
        long users = 0;
        int depth = 0;
        JsonToken t = p.currentToken();
        while (true) {
            if (t == JsonToken.FIELD_NAME && "UserId".equals(p.currentName())) {
                users++;
            }
            gen.copyCurrentEvent(p);
            if (t.isStructStart()) {
                depth++;
            } else if (t.isStructEnd()) {
                depth--;
            }
            if (depth == 0) {
                return users;
            }
            t = p.nextToken();
            if (t == null) {
                throw new MaidCentralDataException("MaidCentral's users answer ends in the middle of the document");
            }
        }
    }
}
