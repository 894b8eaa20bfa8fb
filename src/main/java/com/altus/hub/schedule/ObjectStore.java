package com.altus.hub.schedule;

/**
 * Port: where schedule day objects go (Supabase Storage, or {@code $HUB_DATA_DIR/storage/<bucket>}
 * in the embedded default). A put overwrites: the same path with the same bytes is a no-op in
 * effect, which is what makes re-processing a blob after a crash harmless.
 */
public interface ObjectStore {

    String describe();

    void put(String path, byte[] content, String contentType) throws Exception;
}
