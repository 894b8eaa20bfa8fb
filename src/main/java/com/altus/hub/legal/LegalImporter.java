package com.altus.hub.legal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import com.altus.hub.platform.config.HubSettings;
import org.springframework.stereotype.Service;

/**
 * The one import processor behind both ways in (the upload endpoint and the inbox): a workbook
 * file is read with the streaming reader straight into the staging table, then matched, checked
 * and upserted in the same transaction. A refused workbook imports nothing.
 */
@Service
public class LegalImporter {
    private final LegalWorkbookReader reader;
    private final LegalRepository repository;
    private final LegalConfiguration.Folders folders;
    private final String root;

    public LegalImporter(LegalWorkbookReader reader, LegalRepository repository, LegalConfiguration.Folders folders,
                         HubSettings settings) {
        this.reader = reader;
        this.repository = repository;
        this.folders = folders;
        this.root = settings.dropboxRoot;
    }

    /** A workbook file to import: where it is, its name as given, its content's SHA-256 and size. */
    public record Workbook(Path file, String name, String sha256, long bytes) {
    }

    /** What an import did. */
    public record Outcome(Workbook workbook, int rows, int blankRows, LegalRepository.Applied applied,
                          List<String> casesNeedingFolders, List<LegalRepository.RowError> firstErrors,
                          long readAndStageMillis, long applyMillis) {
    }

    /**
     * The file named by a run parameter, checked: a regular file under {@code $HUB_DATA_DIR/legal}
     * (the upload spool or the inbox; symbolic links resolved first), hashed.
     */
    public Workbook workbook(String path, String name) throws IOException {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("run parameter 'file' is required: the workbook to import, under "
                    + folders.base() + " (upload it to POST /api/legal/import, or drop it into " + folders.inbox() + ")");
        }
        Path p = Path.of(path).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("workbook " + p.getFileName() + " does not exist (or is not a file)");
        }
        Path real = p.toRealPath();
        if (!real.startsWith(folders.base().toRealPath())) {
            throw new IllegalArgumentException("workbook files are imported only from under " + folders.base());
        }
        String display = name == null || name.isBlank() ? real.getFileName().toString() : name;
        return new Workbook(real, display, sha256(real), Files.size(real));
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Imports one workbook in one transaction; {@code actor} is who the history names ("api",
     * "inbox", "run 12"). Throws {@link WorkbookRefusedException} when the workbook is refused.
     */
    public Outcome importWorkbook(Workbook wb, String actor, Long runId) throws Exception {
        long t0 = System.nanoTime();
        try (LegalRepository.Staging staging = repository.begin(actor, runId)) {
            LegalWorkbookReader.Summary read = reader.read(wb.file(), staging::add);
            long t1 = System.nanoTime();
            LegalRepository.Applied applied = staging.apply(wb.sha256(), wb.name(), runId);
            List<String> needFolders = staging.casesNeedingFolders(root);
            List<LegalRepository.RowError> firstErrors = staging.errors(10);
            staging.commit();
            long t2 = System.nanoTime();
            return new Outcome(wb, read.rows(), read.blankRows(), applied, needFolders, firstErrors,
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
        }
    }
}
