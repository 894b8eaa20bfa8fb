package com.altus.hub.dropbox.teamspace;

/**
 * One unit of teamspace-migrate-file: a file_assets row to copy into the Team Space (its path for
 * the dead letter's reader). JSON-friendly, so a dead letter replays it.
 */
public record FileJob(String fileAssetId, String dropboxPath) {
}
