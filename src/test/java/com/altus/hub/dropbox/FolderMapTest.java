package com.altus.hub.dropbox;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The folder tree and name rules of CONTRACT section 9, without Spring. */
class FolderMapTest {
    static final String ROOT = "/Altus_Empire_Command_Center";
    static final FolderMap MAP = new FolderMap(ROOT);
    static final FolderMap.Meta META = new FolderMap.Meta("61c826c9f536020339f7bc11", "Zoë O'Brien",
            "68dd57a058634ea310f7bc13", "Café Lofts", "626964e4232893a919f7bc14", "101", "65a2177865b8e605f2f7bc1d",
            "66154fa462ef6b98d3f7bc1c", "Mary-Kate van der Berg");
    static final String OWNER = ROOT + "/00_Owners/zoe-o-brien-61c826c9f536020339f7bc11";
    static final String PROPERTY = OWNER + "/10_AUM/cafe-lofts-68dd57a058634ea310f7bc13";
    static final String UNIT = PROPERTY + "/01_Units/101-626964e4232893a919f7bc14";
    static final String TENANCY = UNIT + "/02_Tenancies/mary-kate-van-der-berg-lease-65a2177865b8e605f2f7bc1d";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Café|cafe",
            "Zoë O'Brien|zoe-o-brien",
            "José García|jose-garcia",
            "Nguyễn Văn An|nguyen-van-an",
            "1179/1181 Market Ln Duplex|1179-1181-market-ln-duplex",
            "  --Hello__World--  |hello-world",
            "ÅNGSTRÖM|angstrom",
            "😀|unknown",
            "%|unknown",
            "ﬁle №5|file-no5"})
    void slugFoldsAccentsAndCollapsesRuns(String name, String slug) {
        assertThat(FolderMap.slug(name)).isEqualTo(slug);
    }

    @Test
    void slugOfNothingIsUnknown() {
        assertThat(FolderMap.slug(null)).isEqualTo("unknown");
        assertThat(FolderMap.slug("")).isEqualTo("unknown");
        assertThat(FolderMap.tag("", "abc")).isEqualTo("unknown-abc");
    }

    @Test
    void idsAppearExactlyAsSent() {
        assertThat(FolderMap.tag("Café Lofts", "68DD57a0")).isEqualTo("cafe-lofts-68DD57a0");
    }

    @Test
    void everyEntityTypeLandsInItsFolder() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("PropertyPhoto", PROPERTY + "/03_Photos");
        expected.put("UnitPhoto", UNIT + "/01_Photos");
        expected.put("Inspection", UNIT + "/03_Inspections");
        expected.put("WorkOrder", UNIT + "/04_Work_Orders");
        expected.put("LeaseSigned", TENANCY + "/02_Lease/Signed");
        expected.put("LeaseAmendment", TENANCY + "/02_Lease/Amendments");
        expected.put("LeaseAddendum", TENANCY + "/02_Lease/Addenda");
        expected.put("TenantCorrespondence", TENANCY + "/03_Correspondence");
        expected.put("TenantNotice", TENANCY + "/04_Notices");
        expected.put("RentReceipt", TENANCY + "/05_Rent_Receipts");
        expected.put("SubsidyDoc", TENANCY + "/06_Subsidy");
        expected.put("MoveInDoc", TENANCY + "/07_Move_In");
        expected.put("MoveOutDoc", TENANCY + "/08_Move_Out");
        expected.put("TenantCompliance", TENANCY + "/09_Compliance");
        expected.put("TenantLegal", TENANCY + "/10_Legal");
        expected.put("TenantDocument", TENANCY + "/12_Documents");
        assertThat(FolderMap.ENTITY_TYPES.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((type, folder) -> assertThat(MAP.filePath(FolderMap.entityType(type, "entity_type"), META,
                "doc.pdf", "original_filename")).as(type).isEqualTo(folder + "/doc.pdf"));
    }

    @Test
    void everyCategoryLandsInItsFolder() {
        Map<String, String> expected = Map.of(
                "media-unit", UNIT + "/06_Media",
                "media-property", PROPERTY + "/11_Media",
                "inspection", UNIT + "/03_Inspections",
                "workorder", UNIT + "/04_Work_Orders");
        assertThat(FolderMap.CATEGORIES.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((c, folder) -> assertThat(MAP.filePath(FolderMap.category(c, "category"), META, "x.png", "f"))
                .isEqualTo(folder + "/x.png"));
    }

    @Test
    void samplePathsMatchExpectedJson() {
        assertThat(MAP.filePath(FolderMap.entityType("LeaseSigned", "e"), META, "Lease – signed copy.pdf", "f"))
                .isEqualTo(TENANCY + "/02_Lease/Signed/Lease – signed copy.pdf");
        assertThat(MAP.filePath(FolderMap.entityType("Inspection", "e"), META, "Move-out inspection.pdf", "f"))
                .isEqualTo(UNIT + "/03_Inspections/Move-out inspection.pdf");
    }

    @Test
    void entityFoldersAndSubfolders() {
        assertThat(MAP.folder(FolderMap.Level.OWNER, META)).isEqualTo(OWNER);
        assertThat(FolderMap.subfolders(FolderMap.Level.OWNER, OWNER)).hasSize(8).contains(OWNER + "/10_AUM", OWNER + "/06_Bill_Pay");
        assertThat(FolderMap.subfolders(FolderMap.Level.PROPERTY, PROPERTY)).hasSize(11).contains(PROPERTY + "/11_Media");
        assertThat(FolderMap.subfolders(FolderMap.Level.UNIT, UNIT)).hasSize(7).contains(UNIT + "/07_Construction");
        assertThat(FolderMap.subfolders(FolderMap.Level.TENANCY, TENANCY)).hasSize(15)
                .contains(TENANCY + "/02_Lease/Signed", TENANCY + "/00_Application", TENANCY + "/12_Documents");
    }

    @Test
    void unknownTypesAndCategoriesNameTheField() {
        assertThatThrownBy(() -> FolderMap.entityType("Selfie", "entity_type"))
                .isInstanceOfSatisfying(FolderMap.InvalidInput.class, e -> assertThat(e.field()).isEqualTo("entity_type"));
        assertThatThrownBy(() -> FolderMap.category("media-car", "payload.category"))
                .isInstanceOfSatisfying(FolderMap.InvalidInput.class, e -> assertThat(e.field()).isEqualTo("payload.category"));
        assertThatThrownBy(() -> FolderMap.entityType(null, "entity_type")).isInstanceOf(FolderMap.InvalidInput.class);
    }

    @Test
    void missingMetaForTheLevelNamesTheField() {
        FolderMap.Meta noLease = new FolderMap.Meta("o1", "Owner", "p1", "Prop", "u1", "1", null, null, "Tenant");
        assertThatThrownBy(() -> MAP.filePath(FolderMap.entityType("RentReceipt", "e"), noLease, "r.pdf", "f"))
                .isInstanceOfSatisfying(FolderMap.InvalidInput.class, e -> assertThat(e.field()).isEqualTo("meta.lease_id"));
        assertThat(MAP.filePath(FolderMap.entityType("UnitPhoto", "e"), noLease, "p.jpg", "f")).endsWith("/01_Photos/p.jpg");
        FolderMap.Meta noUnit = new FolderMap.Meta("o1", "Owner", "p1", "Prop", null, null, null, null, null);
        assertThatThrownBy(() -> MAP.filePath(FolderMap.category("media-unit", "c"), noUnit, "p.jpg", "f"))
                .isInstanceOfSatisfying(FolderMap.InvalidInput.class, e -> assertThat(e.field()).isEqualTo("meta.unit_name"));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"../etc", "a/b", "a\\b", "a b", "x\ty", "..", "id\u0000"})
    void idsThatWouldChangeThePathAreRefused(String id) {
        FolderMap.Meta m = new FolderMap.Meta(id, "Owner", "p1", "Prop", null, null, null, null, null);
        assertThatThrownBy(() -> MAP.folder(FolderMap.Level.PROPERTY, m))
                .isInstanceOfSatisfying(FolderMap.InvalidInput.class, e -> assertThat(e.field()).isEqualTo("meta.owner_id"));
    }

    @Test
    void fileNamesAreSanitized() {
        assertThat(FolderMap.fileName("  report.pdf ", "f")).isEqualTo("report.pdf");
        assertThat(FolderMap.fileName("a/b\\c.pdf", "f")).isEqualTo("a_b_c.pdf");
        assertThat(FolderMap.fileName("notes.txt. ", "f")).isEqualTo("notes.txt");
        assertThat(FolderMap.fileName("Lease – signed copy.pdf", "f")).isEqualTo("Lease – signed copy.pdf");
        for (String bad : new String[] {"../../etc/passwd", "..", "a..b", "line\nbreak.pdf", "nul\u0000.pdf", "del\u007f",
                "   ", "", "...", "x".repeat(256)}) {
            assertThatThrownBy(() -> FolderMap.fileName(bad, "original_filename")).as(bad)
                    .isInstanceOfSatisfying(FolderMap.InvalidInput.class, e -> assertThat(e.field()).isEqualTo("original_filename"));
        }
    }

    @Test
    void autorenameNumbersBeforeTheExtension() {
        assertThat(FolderMap.numbered("report.pdf", 1)).isEqualTo("report (1).pdf");
        assertThat(FolderMap.numbered("archive.tar.gz", 2)).isEqualTo("archive.tar (2).gz");
        assertThat(FolderMap.numbered("README", 3)).isEqualTo("README (3)");
        assertThat(FolderMap.numbered(".env", 1)).isEqualTo(".env (1)");
    }

    @Test
    void rootMustBeAbsolute() {
        assertThatThrownBy(() -> new FolderMap("relative")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FolderMap("/x/")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new FolderMap("/Other").ownerPath("A B", "1")).isEqualTo("/Other/00_Owners/a-b-1");
    }
}
