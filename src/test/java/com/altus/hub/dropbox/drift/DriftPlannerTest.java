package com.altus.hub.dropbox.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import com.altus.hub.dropbox.FolderMap;
import com.altus.hub.dropbox.FolderMap.Level;
import com.altus.hub.dropbox.drift.DriftPlanner.Action;
import com.altus.hub.dropbox.drift.DriftPlanner.Plan;
import com.altus.hub.dropbox.drift.DriftPlanner.Planned;
import org.junit.jupiter.api.Test;

/** The planner and the folder tree alone: what exists, what to create, renames as moves, batches. */
class DriftPlannerTest {
    static final FolderMap MAP = new FolderMap("/Root");

    static List<DriftEntity> smallTree() {
        return List.of(
                new DriftEntity(Level.OWNER, "o1", "Zoë O'Brien", null),
                new DriftEntity(Level.PROPERTY, "p1", "Café Lofts", "o1"),
                new DriftEntity(Level.UNIT, "u1", "101", "p1"),
                new DriftEntity(Level.TENANCY, "l1", "José García", "u1"));
    }

    static FolderTree tree() {
        return new FolderTree(MAP.ownersFolder());
    }

    private static Planned of(Plan p, String key) {
        return p.entities().stream().filter(e -> e.entity().key().equals(key)).findFirst().orElseThrow();
    }

    @Test
    void anEmptyTreeIsCreatedWithTheDeepestFoldersOnly() {
        Plan p = DriftPlanner.plan(smallTree(), MAP, tree(), 10_000);
        assertThat(p.entities()).extracting(Planned::action).containsOnly(Action.CREATE);
        Planned tenancy = of(p, "l1");
        assertThat(tenancy.path()).isEqualTo("/Root/00_Owners/zoe-o-brien-o1/10_AUM/cafe-lofts-p1/01_Units/101-u1/02_Tenancies/"
                + "jose-garcia-lease-l1");
        // 15 sub-folders + 02_Lease + the tenancy folder are missing; 15 are sent (02_Lease and the folder are parents)
        assertThat(tenancy.missing()).isEqualTo(17);
        assertThat(tenancy.folders()).hasSize(15).contains(tenancy.path() + "/02_Lease/Signed")
                .doesNotContain(tenancy.path() + "/02_Lease", tenancy.path());
        // the unit's 02_Tenancies is sent by the unit itself, the owner's 10_AUM by the owner
        assertThat(of(p, "u1").folders()).contains(of(p, "u1").path() + "/02_Tenancies");
        assertThat(p.missingFolders()).isEqualTo(1 + 8 + 1 + 11 + 1 + 7 + 17);
        assertThat(p.sentFolders()).isEqualTo(8 + 11 + 7 + 15);
        assertThat(p.batches()).hasSize(1);
        assertThat(p.moves()).isEmpty();
    }

    @Test
    void whatExistsIsLeftAloneAndAMissingSubFolderIsFilled() {
        FolderTree t = tree();
        Plan first = DriftPlanner.plan(smallTree(), MAP, t, 10_000);
        FolderTree full = tree();
        for (Planned e : first.entities()) {
            full.add(e.path());
            FolderMap.subfolders(e.entity().level(), e.path()).forEach(full::add);
        }
        Plan again = DriftPlanner.plan(smallTree(), MAP, full, 10_000);
        assertThat(again.entities()).extracting(Planned::action).containsOnly(Action.EXISTS);
        assertThat(again.batches()).isEmpty();
        assertThat(again.entities()).extracting(Planned::auditAction).containsOnly("exists");

        FolderTree holed = tree();
        for (Planned e : first.entities()) {
            holed.add(e.path());
            FolderMap.subfolders(e.entity().level(), e.path()).stream().filter(s -> !s.endsWith("/03_Tax")).forEach(holed::add);
        }
        Plan fill = DriftPlanner.plan(smallTree(), MAP, holed, 10_000);
        assertThat(of(fill, "o1").action()).isEqualTo(Action.EXISTS);
        assertThat(of(fill, "o1").folders()).containsExactly(of(fill, "o1").path() + "/03_Tax");
        assertThat(fill.batches()).hasSize(1);
    }

    @Test
    void aRenamedOwnerIsMovedAndWhatIsBelowItIsFoundThere() {
        FolderTree t = tree();
        String old = "/Root/00_Owners/zoe-smith-o1";
        t.add(old + "/10_AUM/cafe-lofts-p1/01_Units/101-u1/02_Tenancies/jose-garcia-lease-l1/02_Lease/Signed");
        t.add(old + "/01_Profile");
        Plan p = DriftPlanner.plan(smallTree(), MAP, t, 10_000);
        assertThat(p.moves()).containsExactly(new FolderMove("owner", "o1", FolderTree.lower(old), of(p, "o1").path()));
        assertThat(of(p, "o1").action()).isEqualTo(Action.MOVE);
        assertThat(of(p, "p1").action()).isEqualTo(Action.EXISTS);
        assertThat(of(p, "l1").action()).isEqualTo(Action.EXISTS);
        // the moved owner still lacks 6 sub-folders (01_Profile and 10_AUM came along); nothing under the old name
        assertThat(of(p, "o1").folders()).hasSize(6);
        assertThat(p.batches().get(0).allFolders()).noneMatch(f -> f.toLowerCase().contains("zoe-smith"));
        assertThat(t.contains(old)).isFalse();
        assertThat(t.contains(of(p, "l1").path())).isTrue();
    }

    @Test
    void aPropertyWhosePrimaryOwnerChangedMovesToTheNewOwner() {
        FolderTree t = tree();
        t.add("/Root/00_Owners/someone-else-o2/10_AUM/cafe-lofts-p1/01_Units/101-u1");
        List<DriftEntity> entities = new ArrayList<>(smallTree());
        entities.add(new DriftEntity(Level.OWNER, "o2", "Someone Else", null));
        Plan p = DriftPlanner.plan(entities, MAP, t, 10_000);
        assertThat(of(p, "p1").action()).isEqualTo(Action.MOVE);
        assertThat(of(p, "p1").previousPath()).isEqualTo("/root/00_owners/someone-else-o2/10_aum/cafe-lofts-p1");
        assertThat(of(p, "u1").action()).isEqualTo(Action.EXISTS);
    }

    @Test
    void idsMatchOnlyAsWholeSuffixesAndTenanciesByTheirLeaseId() {
        FolderTree t = tree();
        t.add("/Root/00_Owners/other-xo1"); // ends with "o1" but not with "-o1"
        t.add("/Root/00_Owners/zoe-o-brien-o1/10_AUM/cafe-lofts-p1/01_Units/101-u1/02_Tenancies/old-tenant-lease-l1");
        Plan p = DriftPlanner.plan(smallTree(), MAP, t, 10_000);
        assertThat(of(p, "o1").action()).isEqualTo(Action.EXISTS);
        assertThat(of(p, "l1").action()).isEqualTo(Action.MOVE);
        assertThat(p.moves()).hasSize(1);
        assertThat(t.contains("/Root/00_Owners/other-xo1")).isTrue();
    }

    @Test
    void entitiesWithoutAPlaceAreSkippedAndBadIdsAreErrors() {
        List<DriftEntity> entities = List.of(
                new DriftEntity(Level.OWNER, "bad/id", "Evil", null),
                new DriftEntity(Level.PROPERTY, "p9", "Orphan", null),
                new DriftEntity(Level.PROPERTY, "p8", "Under bad owner", "bad/id"),
                new DriftEntity(Level.UNIT, "u9", "9", "p9"),
                new DriftEntity(Level.TENANCY, "l9", null, null));
        Plan p = DriftPlanner.plan(entities, MAP, tree(), 10_000);
        assertThat(of(p, "bad/id").auditAction()).isEqualTo("error");
        assertThat(of(p, "p9").auditAction()).isEqualTo("skipped");
        assertThat(of(p, "p8").auditAction()).isEqualTo("skipped");
        assertThat(of(p, "u9").detail()).contains("property p9 has no folder");
        assertThat(of(p, "l9").detail()).contains("no unit");
        assertThat(p.batches()).isEmpty();
    }

    @Test
    void batchesHoldWholeEntitiesUpToTheLimit() {
        List<DriftEntity> owners = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            owners.add(new DriftEntity(Level.OWNER, "o" + i, "Owner " + i, null));
        }
        Plan p = DriftPlanner.plan(owners, MAP, tree(), 20); // 8 folders per owner: two owners per batch
        assertThat(p.batches()).hasSize(15);
        assertThat(p.batches()).allMatch(b -> b.paths() == 16 && b.items().size() == 2);
        assertThat(p.batches().get(14).number()).isEqualTo(15);
    }

    @Test
    void theTreeMovesSubtreesAndCountsFolders() {
        FolderTree t = tree();
        t.add("/Root/00_Owners/a-1/10_AUM/b-2/01_Units/c-3");
        t.add("/Root/00_Owners/a-1/01_Profile");
        t.add("/elsewhere/x");
        assertThat(t.size()).isEqualTo(6);
        t.move("/root/00_owners/a-1", "/Root/00_Owners/A-New-1");
        assertThat(t.size()).isEqualTo(6);
        assertThat(t.contains("/root/00_owners/a-new-1/10_aum/b-2/01_units/c-3")).isTrue();
        assertThat(t.contains("/root/00_owners/a-1")).isFalse();
        assertThat(t.entityFolders(Level.PROPERTY)).containsExactly("/root/00_owners/a-new-1/10_aum/b-2");
        assertThat(t.entityFolders(Level.UNIT)).containsExactly("/root/00_owners/a-new-1/10_aum/b-2/01_units/c-3");
    }
}
