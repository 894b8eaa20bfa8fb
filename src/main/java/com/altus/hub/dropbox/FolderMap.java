package com.altus.hub.dropbox;

import java.text.Normalizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Dropbox folder tree of CONTRACT section 9 as plain code: tags and slugs, the owner,
 * property, unit and tenancy folders with their fixed sub-folders, where each entity_type and
 * ingest category lands, and the file-name rules. Shared by the upload side and the drift
 * detector, so both always agree on a path. Invalid input throws {@link InvalidInput} naming
 * the offending field.
 */
public final class FolderMap {

    /** A field of the request that cannot be mapped to a path (answered 400 with the field's name). */
    public static final class InvalidInput extends RuntimeException {
        private final String field;

        public InvalidInput(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** The tree levels a file can land in. */
    public enum Level { OWNER, PROPERTY, UNIT, TENANCY }

    /** Where a kind of document goes: the level and the sub-folder below it. */
    public record Target(Level level, String subfolder) {
    }

    /** The DoorLoop identities of an upload (names and ids as sent; absent ones are null). */
    public record Meta(String ownerId, String ownerName, String propertyId, String propertyName, String unitId,
                       String unitName, String leaseId, String tenantId, String tenantName) {
    }

    public static final List<String> OWNER_FOLDERS = List.of(
            "01_Profile", "02_Agreements", "03_Tax", "04_Comms", "05_Reports", "06_Bill_Pay", "07_Legal", "10_AUM");
    public static final List<String> PROPERTY_FOLDERS = List.of(
            "01_Units", "02_Leases", "03_Photos", "04_Inspections", "05_Work_Orders", "06_Legal", "07_Financials",
            "08_Acquisition_Docs", "09_Notices", "10_Construction", "11_Media");
    public static final List<String> UNIT_FOLDERS = List.of(
            "01_Photos", "02_Tenancies", "03_Inspections", "04_Work_Orders", "05_Legal", "06_Media", "07_Construction");
    public static final List<String> TENANCY_FOLDERS = List.of(
            "00_Application", "01_Screening", "02_Lease/Signed", "02_Lease/Amendments", "02_Lease/Addenda",
            "03_Correspondence", "04_Notices", "05_Rent_Receipts", "06_Subsidy", "07_Move_In", "08_Move_Out",
            "09_Compliance", "10_Legal", "11_Inspections", "12_Documents");

    /** entity_type of POST /api/dropbox_upload -> folder. */
    public static final Map<String, Target> ENTITY_TYPES;
    /** category of ingest uploads (and of upload sessions) -> folder. */
    public static final Map<String, Target> CATEGORIES;

    static {
        Map<String, Target> e = new LinkedHashMap<>();
        e.put("PropertyPhoto", new Target(Level.PROPERTY, "03_Photos"));
        e.put("UnitPhoto", new Target(Level.UNIT, "01_Photos"));
        e.put("Inspection", new Target(Level.UNIT, "03_Inspections"));
        e.put("WorkOrder", new Target(Level.UNIT, "04_Work_Orders"));
        e.put("LeaseSigned", new Target(Level.TENANCY, "02_Lease/Signed"));
        e.put("LeaseAmendment", new Target(Level.TENANCY, "02_Lease/Amendments"));
        e.put("LeaseAddendum", new Target(Level.TENANCY, "02_Lease/Addenda"));
        e.put("TenantCorrespondence", new Target(Level.TENANCY, "03_Correspondence"));
        e.put("TenantNotice", new Target(Level.TENANCY, "04_Notices"));
        e.put("RentReceipt", new Target(Level.TENANCY, "05_Rent_Receipts"));
        e.put("SubsidyDoc", new Target(Level.TENANCY, "06_Subsidy"));
        e.put("MoveInDoc", new Target(Level.TENANCY, "07_Move_In"));
        e.put("MoveOutDoc", new Target(Level.TENANCY, "08_Move_Out"));
        e.put("TenantCompliance", new Target(Level.TENANCY, "09_Compliance"));
        e.put("TenantLegal", new Target(Level.TENANCY, "10_Legal"));
        e.put("TenantDocument", new Target(Level.TENANCY, "12_Documents"));
        ENTITY_TYPES = java.util.Collections.unmodifiableMap(e);
        Map<String, Target> c = new LinkedHashMap<>();
        c.put("media-unit", new Target(Level.UNIT, "06_Media"));
        c.put("media-property", new Target(Level.PROPERTY, "11_Media"));
        c.put("inspection", new Target(Level.UNIT, "03_Inspections"));
        c.put("workorder", new Target(Level.UNIT, "04_Work_Orders"));
        CATEGORIES = java.util.Collections.unmodifiableMap(c);
    }

    private static final Pattern COMBINING = Pattern.compile("\\p{M}+");
    private static final Pattern NON_SLUG = Pattern.compile("[^a-z0-9]+");
    /**
     * A path component's limit in UTF-8 bytes (Dropbox allows 255 characters, file systems 255
     * bytes): longer tags are shortened ({@link #segment}), longer file names refused.
     */
    public static final int MAX_NAME_BYTES = 255;

    private final String root;

    public FolderMap(String root) {
        if (root == null || !root.startsWith("/") || root.endsWith("/") || root.contains("..")) {
            throw new IllegalArgumentException("root must be an absolute Dropbox path without a trailing '/'");
        }
        this.root = root;
    }

    public String root() {
        return root;
    }

    /** slug: accents folded (NFKD, combining marks dropped), lowercase, runs outside [a-z0-9] -> '-', trimmed; empty -> unknown. */
    public static String slug(String name) {
        if (name == null) {
            return "unknown";
        }
        String folded = COMBINING.matcher(Normalizer.normalize(name, Normalizer.Form.NFKD)).replaceAll("");
        String s = NON_SLUG.matcher(folded.toLowerCase(Locale.ROOT)).replaceAll("-");
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '-') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == '-') {
            end--;
        }
        return start == end ? "unknown" : s.substring(start, end);
    }

    /**
     * tag(name, id) = slug(name) + "-" + id, the id exactly as DoorLoop sends it. A tag longer
     * than a path component may be (255 bytes) keeps its id and gets a shortened slug (see
     * {@link #fit}), the same every time for the same name.
     */
    public static String tag(String name, String id) {
        return fit(slug(name), "-" + id);
    }

    /**
     * One path component of at most {@value #MAX_NAME_BYTES} UTF-8 bytes (Dropbox's limit, and
     * the usual file-system one): a longer one becomes its first bytes (cut on a character
     * boundary) + "-" + 8 hex digits of the SHA-256 of the whole component. Stable: the same
     * input gives the same component, so the folder store, Dropbox and later runs agree.
     */
    public static String segment(String component) {
        return fit(component, "");
    }

    /**
     * {@code head + tail} as one component; when that is too long, {@code head} is shortened with
     * a hash suffix so that {@code tail} (an id, an extension) stays whole. A tail that leaves no
     * room for a readable head is shortened together with it.
     */
    static String fit(String head, String tail) {
        String whole = head + tail;
        if (utf8Length(whole) <= MAX_NAME_BYTES) {
            return whole;
        }
        String suffix = "-" + shortHash(whole);
        int room = MAX_NAME_BYTES - utf8Length(tail) - suffix.length();
        if (room < 16) {
            return cut(whole, MAX_NAME_BYTES - suffix.length()) + suffix;
        }
        return cut(head, room) + suffix + tail;
    }

    private static int utf8Length(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** The longest prefix of {@code s} of at most {@code maxBytes} UTF-8 bytes that ends on a character boundary. */
    private static String cut(String s, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > maxBytes) {
                break;
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }

    private static String shortHash(String s) {
        byte[] d = ContentHasher.sha256().digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(d, 0, 4);
    }

    public String ownerPath(String ownerName, String ownerId) {
        return root + "/00_Owners/" + tag(ownerName, id("owner_id", ownerId));
    }

    public String propertyPath(String ownerPath, String propertyName, String propertyId) {
        return ownerPath + "/10_AUM/" + tag(propertyName, id("property_id", propertyId));
    }

    public String unitPath(String propertyPath, String unitName, String unitId) {
        return propertyPath + "/01_Units/" + tag(unitName, id("unit_id", unitId));
    }

    public String tenancyPath(String unitPath, String tenantName, String leaseId) {
        return unitPath + "/02_Tenancies/" + fit(slug(tenantName), "-lease-" + id("lease_id", leaseId));
    }

    /**
     * The folder of a legal case: {@code {tenancy}/10_Legal/{case_number}} (CONTRACT section 10). The
     * case number is one path component under the file-name rules of {@link #fileName} ('/' and '\\'
     * become '_'; control characters and '..' are refused as field {@code case_number}).
     */
    public String legalCasePath(String tenancyPath, String caseNumber) {
        return tenancyPath + "/10_Legal/" + fileName(caseNumber, "case_number");
    }

    /** The folder of a level for this meta; the fields that level needs must be present (else field "meta.x"). */
    public String folder(Level level, Meta m) {
        String owner = ownerPath(required("meta.owner_name", m.ownerName()), id("meta.owner_id", m.ownerId()));
        if (level == Level.OWNER) {
            return owner;
        }
        String property = propertyPath(owner, required("meta.property_name", m.propertyName()),
                id("meta.property_id", m.propertyId()));
        if (level == Level.PROPERTY) {
            return property;
        }
        String unit = unitPath(property, required("meta.unit_name", m.unitName()), id("meta.unit_id", m.unitId()));
        if (level == Level.UNIT) {
            return unit;
        }
        return tenancyPath(unit, required("meta.tenant_name", m.tenantName()), id("meta.lease_id", m.leaseId()));
    }

    /** Full Dropbox path of a file of this target, with the file name sanitized. */
    public String filePath(Target target, Meta meta, String fileName, String fileField) {
        return folder(target.level(), meta) + "/" + target.subfolder() + "/" + fileName(fileName, fileField);
    }

    public static Target entityType(String entityType, String field) {
        if (entityType == null || entityType.isBlank()) {
            throw new InvalidInput(field, "'" + field + "' is required");
        }
        Target t = ENTITY_TYPES.get(entityType);
        if (t == null) {
            throw new InvalidInput(field, "'" + field + "' must be one of " + String.join(", ", ENTITY_TYPES.keySet())
                    + "; got '" + printable(entityType) + "'");
        }
        return t;
    }

    public static Target category(String category, String field) {
        if (category == null || category.isBlank()) {
            throw new InvalidInput(field, "'" + field + "' is required");
        }
        Target t = CATEGORIES.get(category);
        if (t == null) {
            throw new InvalidInput(field, "'" + field + "' must be one of " + String.join(", ", CATEGORIES.keySet())
                    + "; got '" + printable(category) + "'");
        }
        return t;
    }

    /** Every sub-folder path of an entity folder (for batch creation by the drift detector). */
    public static List<String> subfolders(Level level, String folder) {
        List<String> names = switch (level) {
            case OWNER -> OWNER_FOLDERS;
            case PROPERTY -> PROPERTY_FOLDERS;
            case UNIT -> UNIT_FOLDERS;
            case TENANCY -> TENANCY_FOLDERS;
        };
        return names.stream().map(n -> folder + "/" + n).toList();
    }

    /**
     * A client's file name made safe as one Dropbox path component: surrounding blanks and
     * trailing dots dropped, '/' and '\' replaced by '_'. Names with control characters or a
     * '..' sequence, empty names and names over 255 bytes are refused (they are not a slip of
     * a client but an attempt at another path).
     */
    public static String fileName(String name, String field) {
        if (name == null || name.isBlank()) {
            throw new InvalidInput(field, "'" + field + "' is required");
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (Character.isISOControl(ch) || ch == '\u2028' || ch == '\u2029') {
                throw new InvalidInput(field, "'" + field + "' must not contain control characters");
            }
        }
        if (name.contains("..")) {
            throw new InvalidInput(field, "'" + field + "' must not contain '..'");
        }
        String s = name.strip().replace('/', '_').replace('\\', '_');
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '.' || Character.isWhitespace(s.charAt(end - 1)))) {
            end--;
        }
        s = s.substring(0, end);
        if (s.isEmpty()) {
            throw new InvalidInput(field, "'" + field + "' has no usable characters");
        }
        if (s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new InvalidInput(field, "'" + field + "' is longer than " + MAX_NAME_BYTES + " bytes");
        }
        return s;
    }

    /**
     * "name (n).ext": Dropbox's autorename of a taken name (n from 1); a name that would grow past
     * 255 bytes keeps " (n).ext" and shortens the rest (as {@link #segment}).
     */
    public static String numbered(String fileName, int n) {
        int dot = fileName.lastIndexOf('.');
        if (dot <= 0) {
            return fit(fileName, " (" + n + ")");
        }
        return fit(fileName.substring(0, dot), " (" + n + ")" + fileName.substring(dot));
    }

    /** DoorLoop ids go into paths as sent, so anything that could change the path is refused. */
    static String id(String field, String id) {
        if (id == null || id.isBlank()) {
            throw new InvalidInput(field, "'" + field + "' is required");
        }
        for (int i = 0; i < id.length(); i++) {
            char ch = id.charAt(i);
            if (Character.isISOControl(ch) || ch == '/' || ch == '\\' || Character.isWhitespace(ch)) {
                throw new InvalidInput(field, "'" + field + "' must not contain '/', '\\', spaces or control characters");
            }
        }
        if (id.contains("..") || id.length() > 128) {
            throw new InvalidInput(field, "'" + field + "' must not contain '..' and be at most 128 characters");
        }
        return id;
    }

    private static String required(String field, String v) {
        if (v == null || v.isBlank()) {
            throw new InvalidInput(field, "'" + field + "' is required for this document type");
        }
        return v;
    }

    private static String printable(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }

    /** The parent folder and the name of a path. */
    public static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i <= 0 ? "/" : path.substring(0, i);
    }

    public static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** {root}/00_Owners: the folder holding every owner folder (what the drift detector lists). */
    public String ownersFolder() {
        return root + "/00_Owners";
    }

    /** The folder holding a level's entity folders inside its parent's folder (00_Owners inside the root for owners). */
    public static String container(Level level) {
        return switch (level) {
            case OWNER -> "00_Owners";
            case PROPERTY -> "10_AUM";
            case UNIT -> "01_Units";
            case TENANCY -> "02_Tenancies";
        };
    }

    /**
     * How the name of a level's entity folder ends for a DoorLoop id: "-id" for a tag, "-lease-id"
     * for a tenancy. The name before it follows the entity's name, so a renamed entity's old folder
     * is found by this suffix.
     */
    public static String idSuffix(Level level, String id) {
        return (level == Level.TENANCY ? "-lease-" : "-") + id;
    }
}
