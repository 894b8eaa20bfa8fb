package com.altus.hub.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** MD5 of a blob's bytes as they are read (blob_state.content_md5, groups.last_user_file_hash). */
final class Md5 {
    private Md5() {
    }

    static DigestInputStream wrap(InputStream in) {
        try {
            return new DigestInputStream(in, MessageDigest.getInstance("MD5"));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JRE", e);
        }
    }

    /** Reads what the parser left (whitespace after the JSON) so the digest covers the whole blob. */
    static String finish(DigestInputStream in) throws IOException {
        byte[] buf = new byte[8192];
        while (in.read(buf) >= 0) {
            // the bytes only feed the digest
        }
        return HexFormat.of().formatHex(in.getMessageDigest().digest());
    }
}
