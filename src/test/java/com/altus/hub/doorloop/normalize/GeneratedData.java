package com.altus.hub.doorloop.normalize;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Recorded DoorLoop pages made by {@code tools/gen_data.py doorloop} (with its expected_kpis.json),
 * generated once per size under target/ and reused.
 */
public final class GeneratedData {
    private GeneratedData() {
    }

    public static synchronized Path doorloop(int properties, String asOf, int pageSize) throws IOException, InterruptedException {
        Path base = NormalizeTestDb.basedir();
        Path out = base.resolve("target/test-data/doorloop-gen-" + properties + "-" + asOf + "-" + pageSize);
        if (Files.exists(out.resolve("expected_kpis.json"))) {
            return out;
        }
        Path gen = base.resolve("../shared/tools/gen_data.py");
        if (!Files.exists(gen)) {
            gen = base.resolve("tools/gen_data.py");
        }
        Process p = new ProcessBuilder("python3", gen.toString(), "doorloop", "--properties", String.valueOf(properties),
                "--as-of", asOf, "--page-size", String.valueOf(pageSize), "--out", out.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("gen_data.py doorloop failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
        }
        return out;
    }
}
