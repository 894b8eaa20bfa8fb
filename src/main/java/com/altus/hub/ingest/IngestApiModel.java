package com.altus.hub.ingest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

/** The shapes of POST /api/ingest_upload, for the generated OpenAPI document (the route parses bodies as streams). */
public final class IngestApiModel {
    private IngestApiModel() {
    }

    @Schema(name = "IngestPayload", requiredProperties = {"owner_id", "owner_name", "property_id", "property_name",
            "file_name", "file_base64", "category"})
    public static class Payload {
        @JsonProperty("owner_id") public String ownerId;
        @JsonProperty("owner_name") public String ownerName;
        @JsonProperty("property_id") public String propertyId;
        @JsonProperty("property_name") public String propertyName;
        @JsonProperty("unit_id") public String unitId;
        @JsonProperty("unit_name") public String unitName;
        @JsonProperty("actor_id") public String actorId;
        @JsonProperty("file_name") public String fileName;
        @JsonProperty("file_base64")
        @Schema(format = "byte", description = "the file, base64; streamed to a spool file")
        public String fileBase64;
        @Schema(allowableValues = {"media-unit", "media-property", "inspection", "workorder"})
        public String category;
    }

    @Schema(name = "IngestUploadRequest", requiredProperties = {"source", "payload"})
    public static class IngestUpload {
        @Schema(allowableValues = {"dealroom", "fieldapp"})
        public String source;
        public Payload payload;
    }

    @Schema(name = "IngestStored")
    public static class Ingested {
        public boolean ok;
        public String path;
        @JsonProperty("file_asset_id") public String fileAssetId;
        public String rev;
        public long size;
        @JsonProperty("content_hash") public String contentHash;
        public String source;
    }
}
