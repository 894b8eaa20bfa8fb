package com.altus.hub.legal;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.altus.hub.dropbox.DropboxStore;
import com.altus.hub.dropbox.FolderMap;
import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.platform.run.RunContext;
import com.altus.hub.platform.run.Units;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Each case's folder {@code {tenancy}/10_Legal/{case_number}} (CONTRACT section 10), made through
 * {@link DropboxStore} in batches: one batch of case numbers is one unit of the legal-import flow
 * (route {@code legal-import-folders}); a batch that fails is dead-lettered with its case numbers
 * and a replay makes their folders from the database again. The tenancy folder is the one of
 * CONTRACT section 9 ({@link FolderMap}); made folders are recorded in {@code legal_case_folders}.
 */
@Component("legalCaseFolders")
public class LegalCaseFolders {
    /** Case numbers whose folders one unit makes. */
    public record Batch(List<String> caseNumbers) {
    }

    /** What one batch did: folders made, cases whose tenancy cannot be placed (with the first reason). */
    public record Result(int created, int unresolved, String firstProblem) {
    }

    private final LegalRepository repository;
    private final DropboxStore store;
    private final FolderMap folders;
    private final String root;
    private final int batchSize;

    public LegalCaseFolders(LegalRepository repository, DropboxStore store, FolderMap folders, HubSettings settings,
                            @Value("${hub.legal.folder-batch-size:500}") int batchSize) {
        this.repository = repository;
        this.store = store;
        this.folders = folders;
        this.root = settings.dropboxRoot;
        this.batchSize = Math.max(1, batchSize);
    }

    public List<Batch> batches(List<String> caseNumbers) {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < caseNumbers.size(); i += batchSize) {
            out.add(new Batch(List.copyOf(caseNumbers.subList(i, Math.min(caseNumbers.size(), i + batchSize)))));
        }
        return out;
    }

    /** The unit's step: one batch of case folders (also from a dead-letter replay). */
    public void create(Exchange ex) throws IOException, SQLException {
        Batch batch = Units.body(ex, Batch.class);
        List<String> cases = batch.caseNumbers();
        Units.entity(ex, "case_folders", cases.isEmpty() ? "-" : cases.get(0) + ".." + cases.get(cases.size() - 1));
        RunContext ctx = RunContext.of(ex);
        Result r = create(cases, ctx.runId());
        ctx.stats().add("folders_created", r.created());
        if (r.unresolved() > 0) {
            ctx.stats().add("folders_unresolved", r.unresolved());
            ctx.partial(r.unresolved() + " case folder(s) could not be placed, e.g. " + r.firstProblem());
        }
    }

    /** Makes the folders of these cases (their tenancy as the database has it now) and records them. */
    public Result create(List<String> caseNumbers, Long runId) throws IOException, SQLException {
        List<LegalRepository.CaseTenancy> tenancies = repository.tenancies(caseNumbers, root);
        List<String> paths = new ArrayList<>();
        List<LegalRepository.CaseFolder> made = new ArrayList<>();
        Set<String> found = new HashSet<>();
        int unresolved = 0;
        String firstProblem = null;
        for (LegalRepository.CaseTenancy t : tenancies) {
            found.add(t.caseNumber());
            try {
                String path = path(t);
                paths.add(path);
                made.add(new LegalRepository.CaseFolder(t.caseNumber(), path, t.sourceMd5()));
            } catch (FolderMap.InvalidInput e) {
                unresolved++;
                if (firstProblem == null) {
                    firstProblem = "case " + t.caseNumber() + ": " + e.getMessage();
                }
            }
        }
        for (String c : caseNumbers) {
            if (!found.contains(c)) {
                unresolved++;
                if (firstProblem == null) {
                    firstProblem = "case " + c + ": its lease or property is no longer in the normalized tables";
                }
            }
        }
        if (!paths.isEmpty()) {
            store.createFolders(paths);
            repository.recordFolders(made, runId);
        }
        return new Result(paths.size(), unresolved, firstProblem);
    }

    /** {tenancy}/10_Legal/{case_number}; a missing owner, unit or tenant name throws {@link FolderMap.InvalidInput}. */
    String path(LegalRepository.CaseTenancy t) {
        FolderMap.Meta meta = new FolderMap.Meta(t.ownerId(), t.ownerName(), t.propertyId(), t.propertyName(), t.unitId(),
                t.unitName(), t.leaseId(), t.tenantId(), t.tenantName());
        return folders.legalCasePath(folders.folder(FolderMap.Level.TENANCY, meta), t.caseNumber());
    }
}
