package com.altus.hub.ingest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.altus.hub.dropbox.FolderMap;
import com.altus.hub.dropbox.UploadBody;
import com.altus.hub.dropbox.UploadRequests;
import com.altus.hub.platform.rest.Problem;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Maps Deal Room and Field App payloads ({source, payload{owner_id, owner_name, property_id,
 * property_name, unit_id?, unit_name?, actor_id?, file_name, file_base64, category}}) onto the
 * canonical upload: the category picks the folder (CONTRACT section 9), the source is what
 * file_assets records. Plain code; the file bytes are not here (they are spooled).
 */
public final class IngestMapping {
    public static final List<String> SOURCES = List.of("dealroom", "fieldapp");

    private final FolderMap folders;

    /** The mapping as route steps (the static methods are the same rules, for plain callers and tests). */
    public IngestMapping(FolderMap folders) {
        this.folders = folders;
    }

    /** Step "map": the canonical upload of a parsed body; the file member must be there. */
    public UploadRequests.Canonical canonical(UploadBody body) {
        UploadRequests.Canonical c = canonical(folders, body.fields());
        if (body.binaryField() == null) {
            throw Problem.badRequest("payload.file_base64", "'payload.file_base64' is required");
        }
        return c;
    }

    /** The stored file's answer with the source it came from. */
    public Map<String, Object> withSource(Map<String, Object> stored, UploadRequests.Canonical c) {
        Map<String, Object> out = new LinkedHashMap<>(stored);
        out.put("source", c.source());
        return out;
    }

    /** The canonical upload of an ingest body; bad members are 400 {@link Problem}s naming "payload.x". */
    public static UploadRequests.Canonical canonical(FolderMap map, ObjectNode body) {
        try {
            return map(map, body);
        } catch (FolderMap.InvalidInput e) {
            // the folder map names meta fields "meta.x"; here they are payload members
            String field = e.field().startsWith("meta.") ? "payload." + e.field().substring(5) : e.field();
            throw Problem.badRequest(field, e.getMessage().replace("'" + e.field() + "'", "'" + field + "'"));
        }
    }

    private static UploadRequests.Canonical map(FolderMap map, ObjectNode body) {
        String source = UploadRequests.text(body, "", "source", true);
        if (!SOURCES.contains(source)) {
            throw Problem.badRequest("source", "'source' must be one of " + String.join(", ", SOURCES));
        }
        ObjectNode p = UploadRequests.object(body, "payload", true);
        String category = UploadRequests.text(p, "payload.", "category", true);
        FolderMap.Target target = FolderMap.category(category, "payload.category");
        FolderMap.Meta meta = new FolderMap.Meta(
                UploadRequests.text(p, "payload.", "owner_id", true), UploadRequests.text(p, "payload.", "owner_name", true),
                UploadRequests.text(p, "payload.", "property_id", true),
                UploadRequests.text(p, "payload.", "property_name", true),
                UploadRequests.text(p, "payload.", "unit_id", false), UploadRequests.text(p, "payload.", "unit_name", false),
                null, null, null);
        String actor = UploadRequests.text(p, "payload.", "actor_id", false);
        String fileName = UploadRequests.text(p, "payload.", "file_name", true);
        String path = map.filePath(target, meta, fileName, "payload.file_name");
        return new UploadRequests.Canonical(source, category, meta, actor, fileName, path);
    }
}
