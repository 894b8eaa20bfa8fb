package com.altus.hub.dropbox.drift;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.altus.hub.dropbox.FolderMap;
import com.altus.hub.dropbox.FolderMap.Level;

/**
 * Compares the expected tree (entities of the normalized tables placed by {@link FolderMap}) with
 * the folders that exist ({@link FolderTree}) and plans the least work that heals it, level by
 * level from owners down to tenancies:
 * <ul>
 * <li>the entity folder exists: nothing, or its missing sub-folders;</li>
 * <li>it does not, but a folder of the same level ends with the entity's id (its name changed, or a
 * property's primary owner did): that folder is moved to the expected path with its contents, never
 * duplicated, and the levels below see it there;</li>
 * <li>else the folder and its sub-folders are created.</li>
 * </ul>
 * Missing folders are packed into batches of whole entities of at most {@code batchSize} paths; of
 * an entity's missing folders only those with no missing folder below them are sent (Dropbox
 * creates the parents). Plain Java: no Camel, no Dropbox.
 */
public final class DriftPlanner {
    private DriftPlanner() {
    }

    /** What the plan does for an entity. */
    public enum Action { EXISTS, CREATE, MOVE, SKIP, ERROR }

    /** The plan of one entity, and what became of it when the units ran. */
    public static final class Planned {
        private final DriftEntity entity;
        private final String path;
        private final Action action;
        private final String detail;
        private final String previousPath;
        private final int missing;
        private final List<String> folders;
        private String failure;
        private boolean batchDone;
        private boolean moveDone;

        Planned(DriftEntity entity, String path, Action action, String detail, String previousPath, int missing,
                List<String> folders) {
            this.entity = entity;
            this.path = path;
            this.action = action;
            this.detail = detail;
            this.previousPath = previousPath;
            this.missing = missing;
            this.folders = folders;
        }

        public DriftEntity entity() {
            return entity;
        }

        /** The expected path (empty when the entity has no place in the tree). */
        public String path() {
            return path;
        }

        public Action action() {
            return action;
        }

        public String detail() {
            return detail;
        }

        public String previousPath() {
            return previousPath;
        }

        /** Folders of this entity that are missing (after a planned move). */
        public int missing() {
            return missing;
        }

        /** The missing folders sent to Dropbox (the deepest ones). */
        public List<String> folders() {
            return folders;
        }

        /** A unit doing this entity's work failed. */
        public synchronized void failed(String why) {
            if (failure == null) {
                failure = why;
            }
        }

        /** Its missing folders were created. */
        public synchronized void created() {
            batchDone = true;
        }

        /** Its old folder was moved to the expected path. */
        public synchronized void moved() {
            moveDone = true;
        }

        public synchronized boolean moveDone() {
            return moveDone;
        }

        public synchronized String failure() {
            return failure;
        }

        /** The drift_audit action once the units ran: created, exists, moved, error or skipped. */
        public synchronized String auditAction() {
            if (action == Action.ERROR || failure != null || (missing > 0 && !batchDone) || (action == Action.MOVE && !moveDone)) {
                return "error";
            }
            return switch (action) {
                case SKIP -> "skipped";
                case MOVE -> "moved";
                case CREATE -> "created";
                default -> missing > 0 ? "created" : "exists";
            };
        }

        /** The drift_audit detail once the units ran. */
        public synchronized String auditDetail() {
            List<String> parts = new ArrayList<>();
            if (detail != null) {
                parts.add(detail);
            }
            if (action == Action.MOVE) {
                parts.add(0, "renamed: moved from " + previousPath);
            }
            if (missing > 0 && action != Action.CREATE) {
                parts.add(missing + " missing sub-folder(s)" + (batchDone ? " created" : ""));
            }
            if (failure != null) {
                parts.add(failure);
            } else if (action == Action.MOVE && !moveDone) {
                parts.add("the move did not happen (see the dead letter of drift-detector-move)");
            } else if (missing > 0 && !batchDone && action != Action.ERROR) {
                parts.add("its folders were not created (see the dead letter of drift-detector-batch)");
            }
            return parts.isEmpty() ? null : String.join("; ", parts);
        }
    }

    /** The plan of a run. */
    public record Plan(List<Planned> entities, List<FolderMove> moves, List<FolderBatch> batches, int missingFolders,
                       int sentFolders) {
        public long count(Action a) {
            return entities.stream().filter(p -> p.action() == a).count();
        }
    }

    public static Plan plan(List<DriftEntity> expected, FolderMap map, FolderTree tree, int batchSize) {
        if (batchSize < 20 || batchSize > com.altus.hub.dropbox.DropboxTree.MAX_BATCH) {
            throw new IllegalArgumentException("batch size must be between 20 and 10000");
        }
        List<DriftEntity> ordered = new ArrayList<>(expected);
        ordered.sort(Comparator.comparing(DriftEntity::level));
        Map<Level, Map<String, String>> placed = new EnumMap<>(Level.class);
        for (Level l : Level.values()) {
            placed.put(l, new HashMap<>());
        }
        List<Planned> out = new ArrayList<>(ordered.size());
        List<FolderMove> moves = new ArrayList<>();
        int missingTotal = 0;
        int sentTotal = 0;
        Level indexed = null;
        Map<String, List<String>> byId = Map.of();
        Set<String> claimed = new HashSet<>();
        for (DriftEntity e : ordered) {
            if (e.level() != indexed) {
                indexed = e.level();
                byId = index(tree, indexed);
            }
            String path;
            try {
                path = path(e, map, placed);
            } catch (FolderMap.InvalidInput bad) {
                out.add(new Planned(e, "", Action.ERROR, "no valid path: " + bad.getMessage(), null, 0, List.of()));
                continue;
            } catch (Unplaced u) {
                out.add(new Planned(e, "", Action.SKIP, u.getMessage(), null, 0, List.of()));
                continue;
            }
            placed.get(e.level()).put(e.key(), path);
            String lower = FolderTree.lower(path);
            Action action;
            String previous = null;
            String detail = null;
            if (tree.contains(lower)) {
                action = Action.EXISTS;
            } else {
                List<String> candidates = new ArrayList<>();
                for (String c : byId.getOrDefault(FolderTree.lower(e.key()), List.of())) {
                    if (!c.equals(lower) && !claimed.contains(c) && tree.contains(c)) {
                        candidates.add(c);
                    }
                }
                if (!candidates.isEmpty()) {
                    previous = candidates.get(0);
                    tree.move(previous, lower);
                    moves.add(new FolderMove(e.entity(), e.key(), previous, path));
                    action = Action.MOVE;
                    if (candidates.size() > 1) {
                        detail = "other folders with this id left in place: " + String.join(", ", candidates.subList(1, candidates.size()));
                    }
                } else {
                    action = Action.CREATE;
                }
            }
            claimed.add(lower);
            int missing = tree.add(lower) ? 1 : 0;
            Subfolders subs = SUBFOLDERS.get(e.level());
            List<Integer> absent = tree.addBelow(lower, subs.segments());
            missing += absent.size();
            // only the deepest missing folders are sent: Dropbox creates the folders above them
            List<String> leaves = new ArrayList<>(absent.size());
            for (int i : absent) {
                if (!subs.parentOfAny(i, absent)) {
                    leaves.add(path + "/" + subs.names().get(i));
                }
            }
            missingTotal += missing;
            sentTotal += leaves.size();
            out.add(new Planned(e, path, action, detail, previous, missing, leaves));
        }
        return new Plan(out, moves, batches(out, batchSize), missingTotal, sentTotal);
    }

    /** Thrown for an entity that has no place in the tree (no owner, no unit, its parent has no folder). */
    private static final class Unplaced extends RuntimeException {
        Unplaced(String message) {
            super(message, null, false, false);
        }
    }

    private static String path(DriftEntity e, FolderMap map, Map<Level, Map<String, String>> placed) {
        if (e.level() == Level.OWNER) {
            return map.ownerPath(e.name(), e.key());
        }
        Level parentLevel = Level.values()[e.level().ordinal() - 1];
        String parentName = DriftEntity.entity(parentLevel);
        if (e.parentKey() == null) {
            throw new Unplaced(switch (e.level()) {
                case PROPERTY -> "the property has no owner (normalized_property_owners)";
                case UNIT -> "the unit's property is gone";
                default -> "the lease has no unit";
            });
        }
        String parent = placed.get(parentLevel).get(e.parentKey());
        if (parent == null) {
            throw new Unplaced("its " + parentName + " " + e.parentKey() + " has no folder");
        }
        return switch (e.level()) {
            case PROPERTY -> map.propertyPath(parent, e.name(), e.key());
            case UNIT -> map.unitPath(parent, e.name(), e.key());
            default -> map.tenancyPath(parent, e.name(), e.key());
        };
    }

    /** Entity folders of a level by every id their name could end with. */
    private static Map<String, List<String>> index(FolderTree tree, Level level) {
        Map<String, List<String>> byId = new HashMap<>();
        String marker = FolderTree.lower(FolderMap.idSuffix(level, ""));
        for (String folder : tree.entityFolders(level)) {
            String name = FolderMap.name(folder);
            for (int i = name.indexOf(marker); i >= 0; i = name.indexOf(marker, i + 1)) {
                String id = name.substring(i + marker.length());
                if (!id.isEmpty()) {
                    byId.computeIfAbsent(id, k -> new ArrayList<>(1)).add(folder);
                }
            }
        }
        return byId;
    }

    /**
     * A level's sub-folders relative to the entity folder, with the folders between (02_Lease
     * before 02_Lease/Signed), as names and lower-case segments.
     */
    record Subfolders(List<String> names, List<String[]> segments) {
        static Subfolders of(Level level) {
            Set<String> names = new LinkedHashSet<>();
            for (String sub : FolderMap.subfolders(level, "")) {
                String rel = sub.substring(1);
                for (int i = rel.indexOf('/'); i > 0; i = rel.indexOf('/', i + 1)) {
                    names.add(rel.substring(0, i));
                }
                names.add(rel);
            }
            List<String[]> segments = new ArrayList<>();
            for (String n : names) {
                segments.add(FolderTree.lower(n).split("/"));
            }
            return new Subfolders(List.copyOf(names), segments);
        }

        /** Whether sub-folder {@code i} holds another of the {@code absent} ones (then Dropbox creates it with that one). */
        boolean parentOfAny(int i, List<Integer> absent) {
            String prefix = names.get(i) + "/";
            for (int j : absent) {
                if (names.get(j).startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final Map<Level, Subfolders> SUBFOLDERS = new EnumMap<>(Level.class);

    static {
        for (Level l : Level.values()) {
            SUBFOLDERS.put(l, Subfolders.of(l));
        }
    }

    private static List<FolderBatch> batches(List<Planned> planned, int batchSize) {
        List<FolderBatch> out = new ArrayList<>();
        List<FolderBatch.Item> items = new ArrayList<>();
        int paths = 0;
        for (Planned p : planned) {
            if (p.folders().isEmpty()) {
                continue;
            }
            if (paths + p.folders().size() > batchSize) {
                out.add(new FolderBatch(out.size() + 1, items));
                items = new ArrayList<>();
                paths = 0;
            }
            items.add(new FolderBatch.Item(p.entity().entity(), p.entity().key(), p.path(), p.missing(), p.folders()));
            paths += p.folders().size();
        }
        if (!items.isEmpty()) {
            out.add(new FolderBatch(out.size() + 1, items));
        }
        return out;
    }
}
