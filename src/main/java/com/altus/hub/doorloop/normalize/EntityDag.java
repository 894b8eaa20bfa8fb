package com.altus.hub.doorloop.normalize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs one task per entity, each as soon as every entity it references is done, on a fixed
 * number of threads: the mapping is a DAG (tenants need nothing, lease payments need leases),
 * and each entity's statement commits on its own, so independent entities can share the cores.
 */
public final class EntityDag {

    /** The work for one entity. */
    @FunctionalInterface
    public interface EntityTask {
        void run(EntitySpec spec) throws Exception;
    }

    private EntityDag() {
    }

    /** Runs {@code task} for every spec (listed parents first); the first failure is rethrown. */
    public static void run(List<EntitySpec> specs, int parallelism, String threadName, EntityTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, parallelism), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, CompletableFuture<Void>> byTable = new HashMap<>();
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (EntitySpec spec : specs) {
                List<CompletableFuture<Void>> parents = new ArrayList<>();
                for (String parent : spec.parentTables()) {
                    CompletableFuture<Void> f = byTable.get(parent);
                    if (f != null) {
                        parents.add(f);
                    }
                }
                CompletableFuture<Void> f = CompletableFuture.allOf(parents.toArray(CompletableFuture[]::new))
                        .thenRunAsync(() -> {
                            try {
                                task.run(spec);
                            } catch (RuntimeException e) {
                                throw e;
                            } catch (Exception e) {
                                throw new CompletionException(e);
                            }
                        }, pool);
                byTable.put(spec.table(), f);
                all.add(f);
            }
            try {
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                while (cause instanceof CompletionException && cause.getCause() != null) {
                    cause = cause.getCause();
                }
                if (cause instanceof Exception ex) {
                    throw ex;
                }
                throw e;
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
