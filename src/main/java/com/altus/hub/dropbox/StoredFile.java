package com.altus.hub.dropbox;

/** A file as the store holds it (Dropbox's FileMetadata fields the hub keeps). */
public record StoredFile(String path, String id, String rev, long size, String contentHash) {
}
