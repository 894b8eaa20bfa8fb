package com.altus.hub.dropbox.drift;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.altus.hub.dropbox.FolderMap;
import com.altus.hub.dropbox.FolderMap.Level;

/**
 * The folders that exist below {root}/00_Owners, as the drift detector read them with one
 * recursive listing: a tree of lower-case names (Dropbox paths are case-insensitive), so that
 * half a million folders of repeated sub-folder names cost a node each rather than a path string
 * each. The planner moves subtrees in it as it plans renames, so later levels see the tree as it
 * will be.
 */
public final class FolderTree {
    private static final class Node {
        String name;
        Node parent;
        Map<String, Node> children;

        Node(String name, Node parent) {
            this.name = name;
            this.parent = parent;
        }

        Node child(String n) {
            return children == null ? null : children.get(n);
        }
    }

    private final String base;
    private final String basePrefix;
    private final Node root = new Node("", null);
    private final Map<String, String> names = new HashMap<>();
    private int size;

    /** A tree of the folders below {@code basePath} (a Dropbox path, e.g. {@code /Root/00_Owners}). */
    public FolderTree(String basePath) {
        this.base = lower(basePath);
        this.basePrefix = base + "/";
    }

    public static String lower(String path) {
        return path.toLowerCase(Locale.ROOT);
    }

    /** Folders in the tree (the base not counted). */
    public int size() {
        return size;
    }

    /** The segments of a path below the base; null when the path is not below it. */
    private String[] segments(String path) {
        String p = lower(path);
        if (!p.startsWith(basePrefix) || p.length() == basePrefix.length()) {
            return null;
        }
        return p.substring(base.length() + 1).split("/");
    }

    /** Adds a folder (and the folders above it); paths outside the base are ignored. Answers whether it was new. */
    public boolean add(String path) {
        String[] segs = segments(path);
        if (segs == null) {
            return false;
        }
        Node n = root;
        boolean added = false;
        for (String s : segs) {
            Node c = n.child(s);
            if (c == null) {
                c = new Node(names.computeIfAbsent(s, k -> k), n);
                if (n.children == null) {
                    n.children = new HashMap<>(4);
                }
                n.children.put(c.name, c);
                size++;
                added = true;
            }
            n = c;
        }
        return added;
    }

    private Node find(String path) {
        String[] segs = segments(path);
        if (segs == null) {
            return null;
        }
        Node n = root;
        for (String s : segs) {
            n = n.child(s);
            if (n == null) {
                return null;
            }
        }
        return n;
    }

    public boolean contains(String path) {
        return find(path) != null;
    }

    /**
     * Adds folders below the existing folder {@code path}, each given as its lower-case segments
     * relative to it (parents before children), and answers the indexes of those that were missing.
     */
    public List<Integer> addBelow(String path, List<String[]> relative) {
        Node at = find(path);
        if (at == null) {
            throw new IllegalArgumentException("no folder " + path);
        }
        List<Integer> added = new ArrayList<>();
        for (int i = 0; i < relative.size(); i++) {
            Node n = at;
            boolean isNew = false;
            for (String seg : relative.get(i)) {
                Node c = n.child(seg);
                if (c == null) {
                    c = new Node(names.computeIfAbsent(seg, k -> k), n);
                    if (n.children == null) {
                        n.children = new HashMap<>(4);
                    }
                    n.children.put(c.name, c);
                    size++;
                    isNew = true;
                }
                n = c;
            }
            if (isNew) {
                added.add(i);
            }
        }
        return added;
    }

    /**
     * Moves the folder at {@code from} with everything below it to {@code to} (whose parents are
     * created as needed), as Dropbox's move_v2 does. Throws when {@code from} is missing or
     * {@code to} is taken.
     */
    public void move(String from, String to) {
        Node n = find(from);
        if (n == null) {
            throw new IllegalArgumentException("no folder " + from);
        }
        if (contains(to)) {
            throw new IllegalArgumentException("a folder is already at " + to);
        }
        String[] target = segments(to);
        if (target == null) {
            throw new IllegalArgumentException(to + " is outside " + base);
        }
        int moved = count(n);
        n.parent.children.remove(n.name);
        size -= moved;
        String parent = base + "/" + String.join("/", java.util.Arrays.copyOf(target, target.length - 1));
        Node p = target.length == 1 ? root : find(parent);
        if (p == null) {
            add(parent);
            p = find(parent);
        }
        n.name = names.computeIfAbsent(target[target.length - 1], k -> k);
        n.parent = p;
        if (p.children == null) {
            p.children = new HashMap<>(4);
        }
        p.children.put(n.name, n);
        size += moved;
    }

    private static int count(Node n) {
        int c = 1;
        if (n.children != null) {
            for (Node ch : n.children.values()) {
                c += count(ch);
            }
        }
        return c;
    }

    /**
     * The entity folders of a level as lower-case paths: owners are the base's folders, a property
     * folder is in an owner's 10_AUM, a unit folder in a property's 01_Units, a tenancy folder in a
     * unit's 02_Tenancies (CONTRACT section 9).
     */
    public List<String> entityFolders(Level level) {
        int depth = level.ordinal();
        List<String> out = new ArrayList<>();
        collect(root, base, 0, depth, out);
        return out;
    }

    private static void collect(Node n, String path, int level, int depth, List<String> out) {
        if (n.children == null) {
            return;
        }
        for (Node entity : n.children.values()) {
            String p = path + "/" + entity.name;
            if (level == depth) {
                out.add(p);
            } else {
                Node container = entity.child(lower(FolderMap.container(Level.values()[level + 1])));
                if (container != null) {
                    collect(container, p + "/" + container.name, level + 1, depth, out);
                }
            }
        }
    }
}
