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
 * Recorded DoorLoop pages as a {@link DoorLoopSource}: {@code <dir>/<resource dir>/page-NNNN.json},
 * the layout {@code gen_data.py doorloop} writes. The embedded default, so a hub with no
 * DoorLoop credentials still syncs the samples. Pages are served as recorded, whatever their
 * size; a page past the last answers the recorded total with no data, like the API.
 */
public final class DoorLoopFixtureSource implements DoorLoopSource {
    private final Path dir;
    private final ObjectMapper json;

    public DoorLoopFixtureSource(Path dir, ObjectMapper json) {
        this.dir = dir;
        this.json = json;
    }

    @Override
    public Page fetch(DoorLoopResource resource, int pageNumber, Meter meter) throws IOException {
        Path resourceDir = dir.resolve(resource.fixtureDir());
        if (!Files.isDirectory(resourceDir)) {
            throw new IllegalStateException("no recorded DoorLoop pages for " + resource.path() + ": " + resourceDir
                    + " is not a directory (HUB_DOORLOOP_FIXTURES=" + dir + ")");
        }
        Path file = page(resourceDir, pageNumber);
        String what = "recorded page " + file;
        meter.requestSent();
        try {
            return DoorLoopHttpSource.toPage(what, read(file));
        } catch (NoSuchFileException past) {
            if (pageNumber <= 1) {
                throw new IllegalStateException("no recorded DoorLoop pages for " + resource.path() + ": " + file + " is missing");
            }
            Page first = DoorLoopHttpSource.toPage(what, read(page(resourceDir, 1)));
            return new Page(first.total(), List.of());
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

    @Override
    public String describe() {
        return "recorded pages in " + dir;
    }
}
