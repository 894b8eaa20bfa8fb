package com.altus.hub.dropbox.drift;

import java.util.ArrayList;
import java.util.List;

/**
 * One unit of drift-detector-batch: the missing folders of whole entities, created with one
 * create_folder_batch call (at most 10,000 paths; an entity's folders never straddle two batches).
 * JSON-friendly, so a dead letter replays it.
 */
public record FolderBatch(int number, List<Item> items) {

    /**
     * An entity's missing folders: {@code folders} are the ones sent (those with no missing folder
     * below them: Dropbox creates the parents), {@code missing} counts all of them.
     */
    public record Item(String entity, String key, String path, int missing, List<String> folders) {
    }

    public int paths() {
        int n = 0;
        for (Item i : items) {
            n += i.folders().size();
        }
        return n;
    }

    public List<String> allFolders() {
        List<String> out = new ArrayList<>(paths());
        for (Item i : items) {
            out.addAll(i.folders());
        }
        return out;
    }
}
