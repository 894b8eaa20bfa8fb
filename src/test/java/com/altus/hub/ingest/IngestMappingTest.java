package com.altus.hub.ingest;

import com.altus.hub.dropbox.FolderMap;
import com.altus.hub.dropbox.UploadRequests;
import com.altus.hub.platform.rest.Problem;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Deal Room / Field App payloads mapped onto the canonical upload, without Spring. */
class IngestMappingTest {
    static final FolderMap MAP = new FolderMap("/Altus_Empire_Command_Center");
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PROPERTY = "/Altus_Empire_Command_Center/00_Owners/zoe-o-brien-61c826c9f536020339f7bc11/10_AUM/"
            + "cafe-lofts-68dd57a058634ea310f7bc13";

    private static ObjectNode body(String source, String category, boolean unit) {
        ObjectNode b = JSON.createObjectNode().put("source", source);
        ObjectNode p = b.putObject("payload").put("owner_id", "61c826c9f536020339f7bc11").put("owner_name", "Zoë O'Brien")
                .put("property_id", "68dd57a058634ea310f7bc13").put("property_name", "Café Lofts")
                .put("file_name", "IMG 1.png").put("category", category).put("actor_id", "actor-9");
        if (unit) {
            p.put("unit_id", "626964e4232893a919f7bc14").put("unit_name", "101");
        }
        return b;
    }

    @Test
    void categoriesPickTheFolderAndTheSourceIsKept() {
        UploadRequests.Canonical c = IngestMapping.canonical(MAP, body("fieldapp", "media-unit", true));
        assertThat(c.path()).isEqualTo(PROPERTY + "/01_Units/101-626964e4232893a919f7bc14/06_Media/IMG 1.png");
        assertThat(c.source()).isEqualTo("fieldapp");
        assertThat(c.entityType()).isEqualTo("media-unit");
        assertThat(c.actorId()).isEqualTo("actor-9");
        assertThat(c.meta().unitId()).isEqualTo("626964e4232893a919f7bc14");
        assertThat(IngestMapping.canonical(MAP, body("dealroom", "media-property", false)).path())
                .isEqualTo(PROPERTY + "/11_Media/IMG 1.png");
        assertThat(IngestMapping.canonical(MAP, body("fieldapp", "inspection", true)).path()).contains("/03_Inspections/");
        assertThat(IngestMapping.canonical(MAP, body("fieldapp", "workorder", true)).path()).contains("/04_Work_Orders/");
    }

    @Test
    void badPayloadsNameTheField() {
        assertField(body("email", "media-unit", true), "source");
        assertField(body("fieldapp", "media-car", true), "payload.category");
        assertField(body("fieldapp", "media-unit", false), "payload.unit_name");
        ObjectNode noOwner = body("dealroom", "media-property", false);
        ((ObjectNode) noOwner.get("payload")).remove("owner_id");
        assertField(noOwner, "payload.owner_id");
        ObjectNode badName = body("dealroom", "media-property", false);
        ((ObjectNode) badName.get("payload")).put("file_name", "../x.png");
        assertField(badName, "payload.file_name");
        ObjectNode badId = body("dealroom", "media-property", false);
        ((ObjectNode) badId.get("payload")).put("property_id", "a/b");
        assertField(badId, "payload.property_id");
    }

    private static void assertField(ObjectNode body, String field) {
        assertThatThrownBy(() -> IngestMapping.canonical(MAP, body))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.body(null).get("field")).isEqualTo(field);
                });
    }
}
