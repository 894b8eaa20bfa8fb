package com.altus.hub.legal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.altus.hub.platform.run.FlowRunner;
import com.altus.hub.platform.run.RunRecord;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The steps of the inbox route {@code legal-import-inbox}: each workbook dropped into
 * {@code $HUB_DATA_DIR/legal/inbox} is sent to the legal-import flow (trigger "inbox"), then moved
 * to {@code done/} (imported, maybe with rejected rows) or {@code failed/} (refused or failed,
 * with {@code <name>.error.txt} saying why). While another import runs, the file stays where it
 * is and the next poll tries again.
 */
@Component("legalInbox")
public class LegalInbox {
    private static final Logger log = LoggerFactory.getLogger(LegalInbox.class);
    static final String FILE = "legalInboxFile";

    private final LegalConfiguration.Folders folders;

    public LegalInbox(LegalConfiguration.Folders folders) {
        this.folders = folders;
    }

    /** Makes the exchange a trigger of legal-import for this file. */
    public void trigger(Exchange ex) {
        String path = ex.getMessage().getHeader(Exchange.FILE_PATH, String.class);
        Path file = Path.of(path).toAbsolutePath();
        ex.setProperty(FILE, file);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("file", file.toString());
        params.put("filename", file.getFileName().toString());
        ex.getMessage().setHeader(FlowRunner.TRIGGER_HEADER, "inbox");
        ex.getMessage().setHeader(FlowRunner.PARAMS_HEADER, params);
    }

    /** The run ended (succeeded or partial): the file goes to done/. */
    public void done(Exchange ex) throws IOException {
        Path file = ex.getProperty(FILE, Path.class);
        RunRecord run = ex.getProperty(FlowRunner.RECORD_PROPERTY, RunRecord.class);
        Path target = move(file, folders.done(), run);
        log.info("legal inbox: {} imported by run {} ({}), moved to {}", file.getFileName(), run == null ? "?" : run.id(),
                run == null ? "?" : run.status(), target);
    }

    /** The run failed or the workbook was refused: the file goes to failed/ with the reason beside it. */
    public void failed(Exchange ex) throws IOException {
        Path file = ex.getProperty(FILE, Path.class);
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        RunRecord run = ex.getProperty(FlowRunner.RECORD_PROPERTY, RunRecord.class);
        if (file == null) {
            log.error("legal inbox: a file could not be handed to the flow", e);
            return;
        }
        if (!Files.exists(file)) {
            log.warn("legal inbox: {} failed and is gone already: {}", file.getFileName(), e == null ? "?" : e.getMessage());
            return;
        }
        Path target = move(file, folders.failed(), run);
        String reason = run != null && run.error() != null ? run.error() : e == null ? "unknown" : String.valueOf(e.getMessage());
        Files.writeString(target.resolveSibling(target.getFileName() + ".error.txt"),
                "run: " + (run == null ? "-" : run.id()) + "\nat: " + Instant.now() + "\nreason: " + reason + "\n",
                StandardCharsets.UTF_8);
        log.warn("legal inbox: {} not imported (run {}): {}; moved to {}", file.getFileName(), run == null ? "-" : run.id(),
                reason, target);
    }

    /** Moves into dir under the same name, or name-run<id> when that is taken. */
    static Path move(Path file, Path dir, RunRecord run) throws IOException {
        Files.createDirectories(dir);
        String name = file.getFileName().toString();
        Path target = dir.resolve(name);
        if (Files.exists(target)) {
            int dot = name.lastIndexOf('.');
            String suffix = "-run" + (run == null ? Long.toString(System.currentTimeMillis()) : Long.toString(run.id()));
            target = dir.resolve(dot > 0 ? name.substring(0, dot) + suffix + name.substring(dot) : name + suffix);
        }
        return Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
    }
}
