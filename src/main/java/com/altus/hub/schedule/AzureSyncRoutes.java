package com.altus.hub.schedule;

import com.altus.hub.platform.run.FlowRouteBuilder;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.springframework.stereotype.Component;

/**
 * The {@code azure-sync} flow (CONTRACT sections 4a and 7), read top to bottom:
 * <ol>
 * <li>route {@value #NAME}: list the source (names, sizes, ETags: nothing downloaded), plan (other
 * names counted and left out; a blob whose ETag equals {@code blob_state.etag} skipped; schedule
 * files first in company order, then users.json), split one changed blob per exchange into
 * {@value #BLOB_ROUTE}, count what failed, then {@value #AUTH_ROUTE};</li>
 * <li>route {@value #BLOB_ROUTE} (dead-letter channel): name the blob, download it through the
 * {@code azure-storage-blob} component (or the folder), sync it in one transaction. A bad blob is
 * dead-lettered with its BlobRef as the message, so a replay downloads and syncs it again; a 403
 * (expired SAS) fails the run at once;</li>
 * <li>route {@value #AUTH_ROUTE} (dead-letter channel): bring Supabase Auth in line with the
 * profiles, every pending user in a run, the users a replayed letter names.</li>
 * </ol>
 */
@Component
public class AzureSyncRoutes extends FlowRouteBuilder {
    public static final String NAME = "azure-sync";
    public static final String BLOB_ROUTE = "azure-sync-blob";
    public static final String AUTH_ROUTE = "azure-sync-auth";

    private final BlobContainer source;
    private final AzureSyncSteps steps;
    private final AuthReconciler auth;

    public AzureSyncRoutes(BlobContainers containers, AzureSyncSteps steps, AuthReconciler auth) {
        this.source = containers.source();
        this.steps = steps;
        this.auth = auth;
    }

    @Override
    public void configure() {
        RouteDefinition run = flow(NAME)
                .bean(steps, "begin").id("azure-sync-stats");
        ProcessorDefinition<?> listed = source.list(run, "azure-sync-list");
        listed.bean(steps, "plan").id("azure-sync-plan")
                .split(body()).id("azure-sync-split")
                    .to("direct:" + BLOB_ROUTE).id("azure-sync-each")
                .end()
                .bean(steps, "blobsDone").id("azure-sync-blobs-done")
                .to("direct:" + AUTH_ROUTE).id("azure-sync-reconcile-auth");

        // one changed blob; its content is a stream read by the sync step, never cached
        RouteDefinition blob = unit(BLOB_ROUTE).noStreamCaching()
                .bean(steps, "blob").id("azure-sync-blob-ref");
        source.get(blob, "azure-sync-blob-download")
                .process(steps::sync).id("azure-sync-blob-sync");

        unit(AUTH_ROUTE)
                .bean(auth, "reconcile").id("azure-sync-auth-reconcile");
    }
}
