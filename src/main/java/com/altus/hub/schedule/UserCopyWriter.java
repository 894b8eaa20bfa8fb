package com.altus.hub.schedule;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.sql.SQLException;
import java.util.List;

import org.postgresql.copy.CopyIn;

/**
 * Feeds users into a {@code COPY ... FROM STDIN} (text format) in 1 MiB chunks while users.json
 * is still being parsed, so parsing and PostgreSQL's inserting overlap and memory stays flat.
 * Column order: {@link #COLUMNS}.
 */
public final class UserCopyWriter {
    public static final String COLUMNS =
            "id, email, first_name, last_name, full_name, employee_information_id, roles, service_company_id, auth_hash";
    private static final int FLUSH_AT = 1 << 20;

    private final CopyIn copy;
    private final MessageDigest md5 = newMd5();
    private final StringBuilder line = new StringBuilder(256);
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(FLUSH_AT + 4096);
    private long rows;

    public UserCopyWriter(CopyIn copy) {
        this.copy = copy;
    }

    public void add(UsersFile.User u) throws SQLException {
        line.setLength(0);
        appendRow(line, u, md5);
        byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
        buffer.write(bytes, 0, bytes.length);
        rows++;
        if (buffer.size() >= FLUSH_AT) {
            flush();
        }
    }

    /** One user as a COPY text line (with its newline), columns as in {@link #COLUMNS}. */
    public static void appendRow(StringBuilder line, UsersFile.User u, MessageDigest md5) {
        line.append(u.id()).append('\t');
        field(line, u.email());
        line.append('\t');
        field(line, u.firstName());
        line.append('\t');
        field(line, u.lastName());
        line.append('\t');
        field(line, u.fullName());
        line.append('\t');
        if (u.employeeInformationId() == null) {
            line.append("\\N");
        } else {
            line.append(u.employeeInformationId().intValue());
        }
        line.append('\t');
        String roles = arrayLiteral(u.roles());
        field(line, roles);
        line.append('\t').append(u.companyId()).append('\t').append(authHash(u, roles, md5)).append('\n');
    }

    /**
     * Digest of what Supabase Auth holds for the user (email and the metadata fields), computed
     * here on the parsing thread rather than per row in SQL. Fields are separated by characters
     * that cannot occur in them unescaped, so distinct users never share an input.
     */
    static String authHash(UsersFile.User u, String rolesLiteral, MessageDigest md5) {
        String input = u.email() + '\u0001' + u.firstName() + '\u0001' + u.lastName() + '\u0001' + u.fullName() + '\u0001'
                + u.employeeInformationId() + '\u0001' + rolesLiteral + '\u0001' + u.companyId();
        return HexFormat.of().formatHex(md5.digest(input.getBytes(StandardCharsets.UTF_8)));
    }

    /** A digest for {@link #appendRow}; one per thread (digests are not thread-safe). */
    public static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JRE", e);
        }
    }

    /** Sends what is buffered and ends the COPY; answers the rows PostgreSQL took. */
    public long finish() throws SQLException {
        flush();
        long copied = copy.endCopy();
        if (copied != rows) {
            throw new SQLException("COPY took " + copied + " rows of " + rows);
        }
        return copied;
    }

    /** Abandons the COPY (the transaction is rolled back by the caller). */
    public void cancel() throws SQLException {
        if (copy.isActive()) {
            copy.cancelCopy();
        }
    }

    private void flush() throws SQLException {
        if (buffer.size() > 0) {
            copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
            buffer.reset();
        }
    }

    /** COPY text format: backslash, tab, newline and carriage return are escaped; null is \N. */
    private static void field(StringBuilder line, String v) {
        if (v == null) {
            line.append("\\N");
            return;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> line.append("\\\\");
                case '\t' -> line.append("\\t");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                default -> line.append(c);
            }
        }
    }

    /** A text[] literal: every element double-quoted, with quotes and backslashes escaped. */
    static String arrayLiteral(List<String> values) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('"');
            String v = values.get(i);
            for (int j = 0; j < v.length(); j++) {
                char c = v.charAt(j);
                if (c == '"' || c == '\\') {
                    sb.append('\\');
                }
                sb.append(c);
            }
            sb.append('"');
        }
        return sb.append('}').toString();
    }
}
