package com.altus.hub.doorloop;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Recorded DoorLoop pages: {@code <dir>/<resource dir>/page-NNNN.json}, the layout
 * {@code gen_data.py doorloop} writes. The embedded default, so a hub with no DoorLoop
 * credentials still syncs the samples: the {@code doorloop-resource} route reads a recorded page
 * where it would request one. Pages are served as recorded, whatever their size; a page past the
 * last answers the recorded total with no data, like the API.
 */
public final class DoorLoopFixtureSource {
    private final Path dir;
    private final ObjectMapper json;

    public DoorLoopFixtureSource(Path dir, ObjectMapper json) {
        this.dir = dir;
        this.json = json;
    }

    /** Page {@code pageNumber} (1-based) of a resource. */
    public DoorLoopPage fetch(DoorLoopResource resource, int pageNumber) throws IOException {
        Path resourceDir = dir.resolve(resource.fixtureDir());
        if (!Files.isDirectory(resourceDir)) {
            throw new IllegalStateException("no recorded DoorLoop pages for " + resource.path() + ": " + resourceDir
                    + " is not a directory (HUB_DOORLOOP_FIXTURES=" + dir + ")");
        }
        Path file = page(resourceDir, pageNumber);
        String what = "recorded page " + file;
        try {
            return DoorLoopPage.of(what, read(file));
        } catch (NoSuchFileException past) {
            if (pageNumber <= 1) {
                throw new IllegalStateException("no recorded DoorLoop pages for " + resource.path() + ": " + file + " is missing");
            }
            DoorLoopPage first = DoorLoopPage.of(what, read(page(resourceDir, 1)));
            return new DoorLoopPage(first.total(), List.of());
        }
    }

    private JsonNode read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return json.readTree(in);
        }
    }

    private static Path page(Path resourceDir, int pageNumber) {
        return resourceDir.resolve(String.format(Locale.ROOT, "page-%04d.json", pageNumber));
    }

    /** For logs and stats: where the records come from. */
    public String describe() {
        return "recorded pages in " + dir;
    }
}
