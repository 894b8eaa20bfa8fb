package com.altus.hub.doorloop.normalize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The order doorloop-normalize runs its entities in: the mapping is a DAG (tenants need nothing,
 * lease payments need leases and tenants), so the entities fall into topological layers, each
 * entity one layer after the last of the entities it references. The entities of one layer are
 * independent of each other and run at the same time; a layer starts when the one before is done.
 */
public final class EntityDag {

    private EntityDag() {
    }

    /** The layers of {@code specs} (listed parents first), each in list order. */
    public static List<List<EntitySpec>> layers(List<EntitySpec> specs) {
        Map<String, Integer> layerOf = new HashMap<>();
        List<List<EntitySpec>> layers = new ArrayList<>();
        for (EntitySpec spec : specs) {
            int layer = 0;
            for (String parent : spec.parentTables()) {
                Integer p = layerOf.get(parent);
                if (p == null && specs.stream().anyMatch(s -> s.table().equals(parent))) {
                    throw new IllegalArgumentException(spec.table() + " is listed before its parent " + parent);
                }
                if (p != null) {
                    layer = Math.max(layer, p + 1);
                }
            }
            layerOf.put(spec.table(), layer);
            while (layers.size() <= layer) {
                layers.add(new ArrayList<>());
            }
            layers.get(layer).add(spec);
        }
        return layers.stream().map(List::copyOf).toList();
    }
}
