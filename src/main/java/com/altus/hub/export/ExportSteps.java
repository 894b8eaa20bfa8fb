package com.altus.hub.export;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.platform.run.RunContext;
import com.altus.hub.platform.run.RunStats;
import com.altus.hub.platform.run.Units;
import com.altus.hub.schedule.BlobContainer;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.springframework.stereotype.Component;

/**
 * The steps of the maidcentral-export routes ({@link MaidCentralExportRoutes}), one method each.
 * Mapping stays in {@link ScheduleFileWriter} and {@link UsersFileWriter}, SQL in
 * {@link ExportRepository}, MaidCentral's protocol in {@link MaidCentralClient}.
 *
 * <p>Whether a blob is written: its content hash (GeneratedAt left out) is compared with the hash in
 * the blob's metadata as the run's listing of the container saw it (a blob missing from the
 * container is written); a replayed letter, which has no listing, compares with the hash PostgreSQL
 * recorded when the blob was last written.
 */
@Component("maidCentralExportSteps")
public class ExportSteps {
    static final String ENTITY_COMPANY = "company";
    static final String ENTITY_USERS = "users";
    /** Metadata key of the content hash (Azure answers metadata keys in lower case). */
    public static final String HASH_KEY = "hub_content_sha256";
    static final String GENERATED_KEY = "hub_generated_at";
    /** Exchange property of a run: the container's blobs by name, from the listing. */
    static final String LISTED = "HubExportListed";
    static final String COMPANY = "HubExportCompany";
    static final String WINDOW = "HubExportWindow";
    static final String BLOB = "HubExportBlob";
    static final String UPLOAD = "HubExportUpload";
    static final String[] STATS = {"container_blobs", "companies_listed", "companies_exported", "companies_failed",
        "companies_inactive", "jobs_exported", "users_exported", "blobs_uploaded", "blobs_unchanged", "maidcentral_requests",
        "token_requests"};

    /** A blob ready to be written: its name, content hash, content (byte[] or File) and what it holds. */
    record ExportedBlob(String name, String sha256, Object content, Integer companyId, ExportWindow window, long items,
                        Instant generatedAt) {
    }

    /** The body of route maidcentral-export-users (and of its dead letters). */
    public record UsersUnit(@JsonProperty("blob") String blob) {
    }

    private final ExportSettings settings;
    private final ExportRepository repo;
    private final Clock clock;
    private final Path tempDir;
    private final ObjectMapper json = new ObjectMapper(ExportJson.factory());
    private final ScheduleFileWriter schedules = new ScheduleFileWriter(json);
    private final UsersFileWriter users = new UsersFileWriter(ExportJson.factory());

    public ExportSteps(ExportSettings settings, ExportRepository repo, Clock clock, HubSettings hub) {
        this.settings = settings;
        this.repo = repo;
        this.clock = clock;
        this.tempDir = hub.dataDir.resolve("tmp").resolve("maidcentral-export");
    }

    // ------------------------------------------------------------------ the flow route

    /** First step of a run: refuses when MaidCentral is not configured; every stat is reported, zeros included. */
    public void begin(Exchange exchange) {
        checkEnabled();
        RunStats stats = RunContext.of(exchange).stats();
        stats.declare(STATS);
        stats.set("container", settings.target().describe());
    }

    /** Keeps the container's listing (name -> blob with its metadata) for the units to compare with. */
    public void stored(Exchange exchange, List<BlobContainer.ListedBlob> listed) {
        Map<String, BlobContainer.ListedBlob> byName = new HashMap<>();
        for (BlobContainer.ListedBlob b : listed) {
            byName.put(b.name(), b);
        }
        exchange.setProperty(LISTED, Map.copyOf(byName));
        RunContext.of(exchange).stats().add("container_blobs", listed.size());
    }

    /** The request for MaidCentral's companies list. */
    public void companiesRequest(Exchange exchange) {
        exchange.setProperty(MaidCentralClient.REQUEST, new MaidCentralClient.Request("the companies list",
                "/api/dr-schedule/companies", null, json::readTree));
    }

    /** The companies list becomes one unit per company (inactive ones included: the portal decides). */
    public List<JsonNode> companyUnits(Exchange exchange, JsonNode companies) {
        if (companies == null || !companies.isArray()) {
            throw new MaidCentralDataException("MaidCentral's companies list is not a JSON array");
        }
        List<JsonNode> units = new ArrayList<>(companies.size());
        companies.forEach(units::add);
        RunContext.of(exchange).stats().add("companies_listed", units.size());
        return units;
    }

    /** After the companies: users.json is the last unit. */
    public UsersUnit usersUnit(Exchange exchange) {
        return new UsersUnit(UsersFileWriter.BLOB_NAME);
    }

    /** Last step: the companies that did not export were dead-lettered. */
    public void finish(Exchange exchange) {
        RunStats stats = RunContext.of(exchange).stats();
        stats.add("companies_failed", Math.max(0, stats.get("companies_listed") - stats.get("companies_exported")));
    }

    // ------------------------------------------------------------------ route maidcentral-export-company

    /** First step of a company unit: its window (local today + rolling-window-days - 1) and the schedule request. */
    public void companyBegin(Exchange exchange) {
        checkEnabled();
        Units.entity(exchange, ENTITY_COMPANY, "unknown");
        JsonNode company = Units.body(exchange, JsonNode.class);
        int id = ScheduleFileWriter.companyId(company);
        Units.entity(exchange, ENTITY_COMPANY, String.valueOf(id));
        String zoneId = company.path("TimeZoneInfoId").asText(null);
        ZoneId zone = WindowsZones.cldr().zoneOf(zoneId).orElseThrow(() -> new MaidCentralDataException("company " + id
                + " has TimeZoneInfoId " + (zoneId == null ? "null" : "'" + zoneId + "'")
                + ", which is no Windows or IANA time zone id: its local dates are unknown"));
        ExportWindow window = ExportWindow.of(zone, clock.instant(), settings.rollingWindowDays());
        exchange.setProperty(COMPANY, company);
        exchange.setProperty(WINDOW, window);
        exchange.setProperty(MaidCentralClient.REQUEST, new MaidCentralClient.Request("the schedule of company " + id,
                "/api/dr-schedule", "serviceCompanyId=" + id + "&startDate=" + window.start() + "&endDate=" + window.end(),
                json::readTree));
    }

    /** The schedule answer becomes the file; decides whether it is written. */
    public void companyRender(Exchange exchange) {
        JsonNode company = exchange.getProperty(COMPANY, JsonNode.class);
        ExportWindow window = exchange.getProperty(WINDOW, ExportWindow.class);
        Instant now = clock.instant();
        ScheduleFileWriter.Rendered file = schedules.render(company, exchange.getMessage().getBody(JsonNode.class), window, now);
        RunStats stats = RunContext.of(exchange).stats();
        stats.add("jobs_exported", file.jobs());
        if (!company.path("IsActive").asBoolean(true)) {
            stats.increment("companies_inactive");
        }
        decide(exchange, new ExportedBlob(ScheduleFileWriter.blobName(file.companyId()), file.sha256(), file.content(),
                file.companyId(), window, file.jobs(), now));
    }

    public void companyDone(Exchange exchange) {
        RunContext.of(exchange).stats().increment("companies_exported");
    }

    // ------------------------------------------------------------------ route maidcentral-export-users

    /** First step of the users unit: the users request, whose answer is streamed into a temporary file. */
    public void usersBegin(Exchange exchange) {
        checkEnabled();
        Units.entity(exchange, ENTITY_USERS, UsersFileWriter.BLOB_NAME);
        exchange.setProperty(MaidCentralClient.REQUEST, new MaidCentralClient.Request("the users", "/api/dr-schedule/users", null,
                answer -> writeUsers(exchange, answer)));
    }

    /** Streams MaidCentral's users answer into users.json in a temporary file (deleted when the exchange is done). */
    private ExportedBlob writeUsers(Exchange exchange, java.io.InputStream answer) throws IOException {
        Files.createDirectories(tempDir);
        Path file = Files.createTempFile(tempDir, "users-", ".json");
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("could not delete the temporary users file " + file, e);
                }
            }
        });
        Instant now = clock.instant();
        UsersFileWriter.Written written;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            written = users.write(answer, out, now);
        }
        return new ExportedBlob(UsersFileWriter.BLOB_NAME, written.sha256(), file.toFile(), null, null, written.users(), now);
    }

    /** The written users.json: decides whether it is uploaded. */
    public void usersRender(Exchange exchange) {
        ExportedBlob blob = exchange.getMessage().getBody(ExportedBlob.class);
        RunContext.of(exchange).stats().add("users_exported", blob.items());
        decide(exchange, blob);
    }

    // ------------------------------------------------------------------ both units

    /**
     * Whether the blob must be written (see the class comment); when it must, the message is set up
     * for the container's put step: body, blob name and metadata with the hash.
     */
    void decide(Exchange exchange, ExportedBlob blob) {
        String container = settings.target().describe();
        @SuppressWarnings("unchecked")
        Map<String, BlobContainer.ListedBlob> listed = exchange.getProperty(LISTED, Map.class);
        String stored;
        String storedEtag = null;
        if (listed != null) {
            BlobContainer.ListedBlob b = listed.get(blob.name());
            stored = b == null ? null : b.metadata().get(HASH_KEY);
            storedEtag = b == null ? null : b.etag();
        } else {
            stored = repo.hash(container, blob.name());
        }
        boolean upload = !blob.sha256().equals(stored);
        exchange.setProperty(BLOB, blob);
        exchange.setProperty(UPLOAD, upload);
        var msg = exchange.getMessage();
        MaidCentralClient.clearHeaders(exchange);
        if (upload) {
            msg.setHeader(BlobContainer.BLOB_NAME, blob.name());
            msg.setHeader(BlobContainer.METADATA, Map.of(HASH_KEY, blob.sha256(), GENERATED_KEY, blob.generatedAt().toString()));
            msg.setBody(blob.content());
        } else {
            msg.setBody(null);
            RunContext.of(exchange).stats().increment("blobs_unchanged");
            if (listed != null && !blob.sha256().equals(repo.hash(container, blob.name()))) {
                // the container has this content already (the database was reset, or lost an update): say so
                record(container, blob, storedEtag);
            }
        }
    }

    /** Whether {@link #decide} found the blob changed. */
    public boolean changed(Exchange exchange) {
        return Boolean.TRUE.equals(exchange.getProperty(UPLOAD, Boolean.class));
    }

    /** After the put: the hash and what the blob holds go to PostgreSQL. */
    public void uploaded(Exchange exchange) {
        ExportedBlob blob = exchange.getProperty(BLOB, ExportedBlob.class);
        String etag = BlobContainer.normalizeEtag(exchange.getMessage().getHeader(BlobContainer.ETAG, String.class));
        record(settings.target().describe(), blob, etag);
        RunContext.of(exchange).stats().increment("blobs_uploaded");
    }

    private void record(String container, ExportedBlob blob, String etag) {
        repo.record(new ExportRepository.Exported(container, blob.name(), blob.sha256(), etag, blob.companyId(),
                blob.window() == null ? null : blob.window().start(), blob.window() == null ? null : blob.window().end(),
                blob.items(), blob.generatedAt()));
    }

    private void checkEnabled() {
        if (!settings.enabled()) {
            // a configuration error: the one-shot CLI exits 2, a REST or scheduled run fails saying what to set
            throw new com.altus.hub.platform.config.ConfigException("MAIDCENTRAL_BASE_URL",
                    "maidcentral-export is disabled: " + settings.disabledReason());
        }
    }
}
