package com.altus.hub.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;

import com.altus.hub.HubApplication;
import com.altus.hub.export.FakeMaidCentral;
import com.altus.hub.platform.run.FlowRunner;
import com.altus.hub.platform.run.RunRecord;
import com.altus.hub.test.AzuriteServer;
import com.altus.hub.test.TestDatabase;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * maidcentral-export benchmarks (bench/export.bench): the MaidCentral fake loaded with DIR (gen_data
 * azure output: 200 companies x 7 days x 40 jobs, 100,000 users), Azurite as the container, the hub
 * on embedded PostgreSQL, all in this JVM. The baseline is MaidCentral's own answer time: the same
 * requests (token, companies, one schedule per company, users) made by a plain client that reads
 * every body and keeps nothing.
 * <ul>
 * <li>first export: seconds and uploads;</li>
 * <li>unchanged re-run: seconds (best of 3), the same without MaidCentral's answer time, uploads (0);</li>
 * <li>one job changed: uploads (1);</li>
 * <li>users.json re-written (100,000 users streamed from MaidCentral through a temporary file into
 * Azurite): heap growth, the largest live heap during that run (sampled after forced full GCs)
 * minus the live heap before it.</li>
 * </ul>
 */
public final class ExportBench {
    private static final String CONTAINER = "bench-export";
    private static final String FLOW = "maidcentral-export";
    private static final String[] ROUTES = {FLOW, "maidcentral-export-companies", "maidcentral-export-company",
        "maidcentral-export-users", "maidcentral-export-call", "maidcentral-export-token"};

    private ExportBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ExportBench DIR");
        }
        try {
            run(Path.of(args[0]).toAbsolutePath());
        } catch (Throwable t) {
            // a failed benchmark ends with its reason and a non-zero code, whatever threads are left
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(Path dir) throws Exception {
        FakeMaidCentral mc = new FakeMaidCentral().load(dir);
        // gen_data's default --start: its days become whatever window the exporter asks for
        mc.followWindow(LocalDate.parse("2025-12-10"));
        int companies = mc.companyList().size();
        System.err.printf("MaidCentral fake: %d companies, users answer %.1f MiB%n", companies, mc.usersAnswerBytes() / 1048576.0);
        AzuriteServer azurite = AzuriteServer.get();
        BlobContainerClient container = new BlobServiceClientBuilder().connectionString(azurite.connectionString()).buildClient()
                .getBlobContainerClient(CONTAINER);
        container.deleteIfExists();
        container.create();

        try (ConfigurableApplicationContext hub = startHub(Map.of("AZURE_STORAGE_CONNECTION_STRING", azurite.connectionString(),
                "AZURE_BLOB_CONTAINER", CONTAINER, "MAIDCENTRAL_BASE_URL", mc.baseUrl(),
                "MAIDCENTRAL_USERNAME", FakeMaidCentral.USERNAME, "MAIDCENTRAL_PASSWORD", FakeMaidCentral.PASSWORD))) {
            FlowRunner runner = hub.getBean(FlowRunner.class);
            double fetch = Double.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                fetch = Math.min(fetch, bareFetch(mc));
            }

            long t0 = System.nanoTime();
            RunRecord first = check(runner.run(FLOW, "bench", Map.of()), companies + 1);
            double firstSeconds = (System.nanoTime() - t0) / 1e9;
            System.err.println("first export: " + first.stats());

            double rerun = Double.MAX_VALUE;
            long uploads = 0;
            CamelContext camel = hub.getBean(CamelContext.class);
            StepTimes.reset(camel, ROUTES);
            for (int i = 0; i < 3; i++) {
                long t1 = System.nanoTime();
                RunRecord r = check(runner.run(FLOW, "bench", Map.of()), -1);
                rerun = Math.min(rerun, (System.nanoTime() - t1) / 1e9);
                uploads += stat(r, "blobs_uploaded");
            }

            StepTimes.print(camel, "3 unchanged re-runs", ROUTES);

            JsonNode someCompany = mc.companyList().get(companies / 2);
            ((ObjectNode) mc.jobs(someCompany.get("ServiceCompanyId").asInt()).get(0)).put("Notes", "changed for the benchmark");
            mc.changed();
            RunRecord oneJob = check(runner.run(FLOW, "bench", Map.of()), 1);

            // users.json gone from the container: the next run streams all 100,000 users again and uploads them
            container.getBlobClient("users.json").delete();
            long t2 = System.nanoTime();
            RunRecord users = check(runner.run(FLOW, "bench", Map.of()), 1);
            double usersSeconds = (System.nanoTime() - t2) / 1e9;
            // the same again with the live heap sampled (the forced GCs slow it down: not timed)
            container.getBlobClient("users.json").delete();
            double growth;
            try (LiveHeap heap = LiveHeap.start()) {
                check(runner.run(FLOW, "bench", Map.of()), 1);
                growth = heap.growthMiB();
            }
            long exported = stat(users, "users_exported");

            BenchReport.line("export_first_run_" + companies + "_companies_" + exported + "_users", firstSeconds, "s", fetch);
            BenchReport.line("export_unchanged_rerun", rerun, "s", fetch);
            BenchReport.line("export_unchanged_rerun_without_maidcentral_answer_time", Math.max(0, rerun - fetch), "s");
            BenchReport.line("export_unchanged_rerun_uploads", uploads, "uploads");
            BenchReport.line("export_one_changed_job_uploads", stat(oneJob, "blobs_uploaded"), "uploads");
            BenchReport.line("export_users_json_rewrite_" + exported + "_users", usersSeconds, "s", fetch);
            BenchReport.line("export_users_json_heap_growth_" + exported + "_users", growth, "MiB");
        } finally {
            mc.close();
        }
    }

    /** MaidCentral's answer time: every request of a run, made by a plain client that reads and drops each body. */
    private static double bareFetch(FakeMaidCentral mc) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        long t0 = System.nanoTime();
        HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(mc.baseUrl() + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&username=" + FakeMaidCentral.USERNAME + "&password="
                        + FakeMaidCentral.PASSWORD)).build(), HttpResponse.BodyHandlers.ofString());
        String bearer = "Bearer " + json.readTree(token.body()).get("access_token").asText();
        get(http, mc.baseUrl() + "/api/dr-schedule/companies", bearer);
        LocalDate start = LocalDate.now();
        for (JsonNode c : mc.companyList()) {
            get(http, mc.baseUrl() + "/api/dr-schedule?serviceCompanyId=" + c.get("ServiceCompanyId").asInt() + "&startDate=" + start
                    + "&endDate=" + start.plusDays(6), bearer);
        }
        get(http, mc.baseUrl() + "/api/dr-schedule/users", bearer);
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void get(HttpClient http, String url, String bearer) throws Exception {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", bearer).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode());
        }
    }

    /** The run must have succeeded, with exactly {@code uploads} uploads unless that is -1 (then none). */
    private static RunRecord check(RunRecord r, long uploads) {
        long expected = uploads < 0 ? 0 : uploads;
        if (!r.succeeded() || stat(r, "blobs_uploaded") != expected) {
            throw new IllegalStateException(FLOW + " " + r.status() + " (expected " + expected + " uploads): " + r.error() + " " + r.stats());
        }
        return r;
    }

    private static long stat(RunRecord r, String key) {
        return ((Number) r.stats().get(key)).longValue();
    }

    private static ConfigurableApplicationContext startHub(Map<String, String> env) throws Exception {
        TestDatabase.install();
        Map<String, Object> props = new HashMap<>(env);
        props.put("HUB_DATA_DIR", Files.createTempDirectory("bench-export").toString());
        props.put("hub.scheduling.enabled", "false");
        props.put("spring.quartz.auto-startup", "false");
        props.put("camel.component.quartz.auto-start-scheduler", "false");
        props.put("logging.level.root", "WARN");
        props.put("logging.level.hub.progress", "WARN");
        return new SpringApplicationBuilder(HubApplication.class).web(WebApplicationType.NONE).properties(props).run();
    }
}
