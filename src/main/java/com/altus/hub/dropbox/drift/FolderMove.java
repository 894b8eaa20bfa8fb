package com.altus.hub.dropbox.drift;

/**
 * One unit of drift-detector-move: an entity's folder found under its old name (by the DoorLoop id
 * at the end of the folder name) moved to its expected path with its contents. JSON-friendly, so a
 * dead letter replays it.
 */
public record FolderMove(String entity, String key, String from, String to) {
}
