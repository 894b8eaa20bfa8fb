package com.altus.hub.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Streams users.json (groups -> companies -> users) with Jackson's token parser: each user is
 * validated and handed to a sink as soon as it is read, so a 100,000-user file never exists as a
 * tree in memory. Field order inside objects does not matter. Any invalid value is a
 * {@link BadBlobException} that names its place (e.g. {@code ServiceCompanyGroups[0].ServiceCompanies[2].Users[5].UserId}).
 */
public final class UsersFileReader {

    /** Receives each valid user, in file order. */
    @FunctionalInterface
    public interface Sink {
        void accept(UsersFile.User user) throws IOException;
    }

    private final JsonFactory factory;

    public UsersFileReader(JsonFactory factory) {
        this.factory = factory;
    }

    public UsersFile read(InputStream in, Sink sink) throws BadBlobException, IOException {
        try (JsonParser p = factory.createParser(in)) {
            return new Run(p, sink).root();
        } catch (JsonParseException e) {
            if (e instanceof com.fasterxml.jackson.core.io.JsonEOFException || String.valueOf(e.getOriginalMessage()).contains("end-of-input")) {
                throw new BadBlobException("invalid JSON: the file ends early (truncated?): " + e.getOriginalMessage());
            }
            throw new BadBlobException("invalid JSON: " + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr());
        }
    }

    /** One pass over one file. */
    private static final class Run {
        private final JsonParser p;
        private final Sink sink;
        private final Map<Integer, UsersFile.Group> groups = new LinkedHashMap<>();
        private final Map<Integer, UsersFile.Company> companies = new LinkedHashMap<>();
        private final Set<Integer> userCompanies = new HashSet<>();
        // ids seen so far: a UserId twice would make the diff ambiguous (about 8 MB for 100,000 users)
        private final Set<UUID> userIds = new HashSet<>();
        private long users;
        private OffsetDateTime generatedAt;

        Run(JsonParser p, Sink sink) {
            this.p = p;
            this.sink = sink;
        }

        UsersFile root() throws IOException, BadBlobException {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadBlobException("not a JSON object");
            }
            boolean sawGroups = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                switch (f) {
                    case "GeneratedAt" -> generatedAt = timestamp(t, "GeneratedAt");
                    case "ServiceCompanyGroups" -> {
                        array(t, "ServiceCompanyGroups");
                        sawGroups = true;
                        int i = 0;
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            group("ServiceCompanyGroups[" + i++ + "]");
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new BadBlobException("unexpected content after the top-level object");
            }
            if (!sawGroups) {
                throw new BadBlobException("missing ServiceCompanyGroups");
            }
            for (Integer c : userCompanies) {
                if (!companies.containsKey(c)) {
                    throw new BadBlobException("a user names ServiceCompanyId " + c + ", which is no company of the file");
                }
            }
            return new UsersFile(groups, companies, users, generatedAt);
        }

        private void group(String at) throws IOException, BadBlobException {
            object(p.currentToken(), at);
            Integer id = null;
            String name = null;
            boolean active = true;
            List<Object[]> pending = new ArrayList<>(); // companies whose group id is taken from the enclosing group
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                switch (f) {
                    case "ServiceCompanyGroupId" -> id = integer(t, at + ".ServiceCompanyGroupId");
                    case "ServiceCompanyGroupName" -> name = text(t, at + ".ServiceCompanyGroupName");
                    case "IsActive" -> active = bool(t, at + ".IsActive", true);
                    case "ServiceCompanies" -> {
                        array(t, at + ".ServiceCompanies");
                        int i = 0;
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            pending.add(company(at + ".ServiceCompanies[" + i++ + "]"));
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (id == null) {
                throw new BadBlobException("missing " + at + ".ServiceCompanyGroupId");
            }
            groups.put(id, new UsersFile.Group(id, name == null ? "group " + id : name, active));
            for (Object[] c : pending) {
                int cid = (Integer) c[0];
                int gid = c[1] == null ? id : (Integer) c[1];
                companies.put(cid, new UsersFile.Company(cid, gid, (String) c[2], (Boolean) c[3]));
            }
        }

        /** Returns {id, groupId or null, name, active}. */
        private Object[] company(String at) throws IOException, BadBlobException {
            object(p.currentToken(), at);
            Integer id = null;
            Integer groupId = null;
            String name = null;
            boolean active = true;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                switch (f) {
                    case "ServiceCompanyId" -> id = integer(t, at + ".ServiceCompanyId");
                    case "ServiceCompanyGroupId" -> groupId = integer(t, at + ".ServiceCompanyGroupId");
                    case "Name" -> name = text(t, at + ".Name");
                    case "IsActive" -> active = bool(t, at + ".IsActive", true);
                    case "Users" -> {
                        array(t, at + ".Users");
                        int i = 0;
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            user(at + ".Users[" + i++ + "]", id);
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (id == null) {
                throw new BadBlobException("missing " + at + ".ServiceCompanyId");
            }
            return new Object[] {id, groupId, name == null ? "company " + id : name, active};
        }

        private void user(String at, Integer enclosingCompany) throws IOException, BadBlobException {
            object(p.currentToken(), at);
            UUID id = null;
            String email = null;
            String first = null;
            String last = null;
            String full = null;
            Integer employee = null;
            List<String> roles = List.of();
            Integer company = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                switch (f) {
                    case "UserId" -> id = uuid(t, at + ".UserId");
                    case "Email" -> email = text(t, at + ".Email");
                    case "FirstName" -> first = text(t, at + ".FirstName");
                    case "LastName" -> last = text(t, at + ".LastName");
                    case "FullName" -> full = text(t, at + ".FullName");
                    case "EmployeeInformationId" -> employee = integer(t, at + ".EmployeeInformationId");
                    case "Roles" -> roles = strings(t, at + ".Roles");
                    case "ServiceCompanyId" -> company = integer(t, at + ".ServiceCompanyId");
                    default -> p.skipChildren();
                }
            }
            if (id == null) {
                throw new BadBlobException("missing " + at + ".UserId");
            }
            if (email == null || email.isBlank()) {
                throw new BadBlobException("missing " + at + ".Email (user " + id + ")");
            }
            if (company == null) {
                company = enclosingCompany;
            }
            if (company == null) {
                throw new BadBlobException("missing " + at + ".ServiceCompanyId (user " + id + ")");
            }
            if (!userIds.add(id)) {
                throw new BadBlobException(at + ".UserId " + id + " appears more than once in the file");
            }
            userCompanies.add(company);
            users++;
            sink.accept(new UsersFile.User(id, email.trim(), first, last, full, employee, roles, company));
        }

        private void object(JsonToken t, String at) throws IOException, BadBlobException {
            if (t != JsonToken.START_OBJECT) {
                throw new BadBlobException(at + " must be an object, got " + describe(t));
            }
        }

        private void array(JsonToken t, String at) throws IOException, BadBlobException {
            if (t != JsonToken.START_ARRAY) {
                throw new BadBlobException(at + " must be an array, got " + describe(t));
            }
        }

        private Integer integer(JsonToken t, String at) throws IOException, BadBlobException {
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                throw new BadBlobException(at + " must be an integer, got " + describe(t));
            }
            return p.getIntValue();
        }

        private String text(JsonToken t, String at) throws IOException, BadBlobException {
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            if (t != JsonToken.VALUE_STRING) {
                throw new BadBlobException(at + " must be a string, got " + describe(t));
            }
            return p.getText();
        }

        private boolean bool(JsonToken t, String at, boolean def) throws IOException, BadBlobException {
            if (t == JsonToken.VALUE_NULL) {
                return def;
            }
            if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                throw new BadBlobException(at + " must be true or false, got " + describe(t));
            }
            return t == JsonToken.VALUE_TRUE;
        }

        private UUID uuid(JsonToken t, String at) throws IOException, BadBlobException {
            String s = text(t, at);
            if (s == null) {
                return null;
            }
            try {
                if (s.length() != 36) {
                    throw new IllegalArgumentException(s);
                }
                return UUID.fromString(s);
            } catch (IllegalArgumentException e) {
                throw new BadBlobException(at + " must be a UUID, got '" + (s.length() > 60 ? s.substring(0, 60) : s) + "'");
            }
        }

        private List<String> strings(JsonToken t, String at) throws IOException, BadBlobException {
            if (t == JsonToken.VALUE_NULL) {
                return List.of();
            }
            array(t, at);
            List<String> out = new ArrayList<>(4);
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() != JsonToken.VALUE_STRING) {
                    throw new BadBlobException(at + " must hold strings, got " + describe(p.currentToken()));
                }
                out.add(p.getText());
            }
            return out;
        }

        private OffsetDateTime timestamp(JsonToken t, String at) throws IOException, BadBlobException {
            String s = text(t, at);
            if (s == null) {
                return null;
            }
            try {
                return OffsetDateTime.parse(s);
            } catch (DateTimeParseException e) {
                throw new BadBlobException(at + " must be a UTC timestamp like 2025-12-10T05:00:00Z, got '" + s + "'");
            }
        }

        private String describe(JsonToken t) throws IOException {
            if (t == null) {
                return "the end of the file";
            }
            return switch (t) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "an array";
                case VALUE_STRING -> "the string '" + abbreviate(p.getText()) + "'";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + p.getText();
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NULL -> "null";
                default -> t.toString();
            };
        }

        private static String abbreviate(String s) {
            return s.length() > 60 ? s.substring(0, 60) + "..." : s;
        }
    }
}
