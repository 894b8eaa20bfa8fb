package com.altus.hub.export;

import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;

/**
 * How the exporter writes JSON: the seed's layout (two-space indent, {@code "key": value}, empty
 * arrays as {@code []}, a final newline: what {@code json.dump(indent=2, ensure_ascii=False)} writes),
 * into a stream that hashes (SHA-256) everything but the {@code GeneratedAt} member, so that two
 * exports of the same content have the same hash whenever they ran.
 */
final class ExportJson {
    static final String GENERATED_AT = "GeneratedAt";

    private ExportJson() {
    }

    /**
     * The exporter's JSON factory: characters outside the BMP (an emoji in a job's notes) are
     * written as their 4 UTF-8 bytes, as the seed does, not as two escaped surrogates.
     */
    static JsonFactory factory() {
        return JsonFactory.builder().enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();
    }

    static DefaultPrettyPrinter prettyPrinter() {
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        return new DefaultPrettyPrinter(separators).withObjectIndenter(indent).withArrayIndenter(indent);
    }

    /** A stream that digests what passes through, except while {@link #skipping} a member. */
    static final class HashingStream extends DigestOutputStream {
        HashingStream(OutputStream out) {
            super(out, sha256());
        }

        /** Writes {@code "GeneratedAt": value} through the generator without digesting it. */
        void writeUnhashedGeneratedAt(JsonGenerator gen, String value) throws IOException {
            gen.flush();
            on(false);
            gen.writeStringField(GENERATED_AT, value);
            gen.flush();
            on(true);
        }

        String hex() {
            return HexFormat.of().formatHex(getMessageDigest().digest());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
