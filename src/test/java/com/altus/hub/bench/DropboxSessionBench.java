package com.altus.hub.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.altus.hub.HubApplication;
import com.altus.hub.dropbox.FakeDropboxAccess;
import com.altus.hub.test.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.GarbageCollectionNotificationInfo;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Dropbox upload side under load, hub and fake Dropbox in this JVM:
 * <ul>
 * <li>a big file (args[0], made by tools/gen_data.py bigfile) through the hub's session
 * endpoints (raw 64 MiB appends) into the fake, against the same file sent by a plain
 * HttpClient straight to the fake's upload-session endpoints (the baseline, same run);</li>
 * <li>heap growth during the hub upload: the largest heap left after any GC, minus the heap
 * after a full GC before it (so garbage does not count, live buffers do);</li>
 * <li>idempotent replays per second (after 500 warm-up replays) against first-time uploads of the same small
 * file, both through the REST DSL routes dropbox-upload.</li>
 * </ul>
 */
public final class DropboxSessionBench {
    private static final String TOKEN = "bench-token-0123456789abcdef";
    private static final long CHUNK = 64L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String expectedHash = args.length > 1 ? args[1] : null;
        long size = Files.size(file);
        Path work = Files.createTempDirectory("dropbox-bench");
        TestDatabase.install();
        try (FakeDropboxAccess fake = new FakeDropboxAccess(work.resolve("fake"))) {
            fake.env().forEach(System::setProperty);
            ConfigurableApplicationContext hub = SpringApplication.run(HubApplication.class,
                    "--server.port=0", "--hub.api.token=" + TOKEN, "--hub.scheduling.enabled=false",
                    "--spring.quartz.auto-startup=false", "--HUB_DATA_DIR=" + work.resolve("hub"),
                    "--logging.level.root=WARN");
            try {
                String base = "http://127.0.0.1:" + hub.getEnvironment().getProperty("local.server.port");

                // warm both paths once with a small file so neither pays for class loading
                Path warm = work.resolve("warm.bin");
                Files.write(warm, new byte[8 * 1024 * 1024 + 3]);
                direct(fake, warm);
                viaHub(base, warm);

                double directSeconds = direct(fake, file);
                HeapWatch heap = HeapWatch.start();
                double hubSeconds;
                String hash;
                try {
                    long t0 = System.nanoTime();
                    hash = viaHub(base, file);
                    hubSeconds = (System.nanoTime() - t0) / 1e9;
                } finally {
                    heap.stop();
                }
                if (expectedHash != null && !expectedHash.equals(hash)) {
                    throw new IllegalStateException("content_hash " + hash + " differs from the generator's " + expectedHash);
                }
                double mib = size / (1024.0 * 1024.0);
                BenchReport.line("dropbox_session_upload_throughput", mib / hubSeconds, "MiB/s", mib / directSeconds);
                BenchReport.line("dropbox_session_upload_heap_growth", heap.growthMiB(), "MiB");

                replays(base);
            } finally {
                hub.close();
            }
        } finally {
            deleteTree(work);
        }
    }

    /** Plain client -> fake: upload_session/start, append_v2 per 64 MiB, finish. Seconds. */
    static double direct(FakeDropboxAccess fake, Path file) throws Exception {
        long size = Files.size(file);
        String token = fake.accessToken();
        long t0 = System.nanoTime();
        String session = JSON.readTree(content(fake.baseUrl(), token, "/2/files/upload_session/start", "{\"close\":false}",
                HttpRequest.BodyPublishers.noBody())).get("session_id").asText();
        long offset = 0;
        while (size - offset > CHUNK) {
            content(fake.baseUrl(), token, "/2/files/upload_session/append_v2",
                    "{\"cursor\":{\"session_id\":\"" + session + "\",\"offset\":" + offset + "},\"close\":false}",
                    slice(file, offset, CHUNK));
            offset += CHUNK;
        }
        content(fake.baseUrl(), token, "/2/files/upload_session/finish", "{\"cursor\":{\"session_id\":\"" + session
                + "\",\"offset\":" + offset + "},\"commit\":{\"path\":\"/bench/direct-" + UUID.randomUUID()
                + ".bin\",\"mode\":\"add\",\"autorename\":true}}", slice(file, offset, size - offset));
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String content(String base, String token, String path, String arg, HttpRequest.BodyPublisher body)
            throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/octet-stream")
                .header("Dropbox-API-Arg", arg).POST(body).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** Client -> hub: upload_session/start, raw appends of 64 MiB, finish; answers the content_hash. */
    static String viaHub(String base, Path file) throws Exception {
        long size = Files.size(file);
        String start = "{\"entity_type\":\"Inspection\",\"filename\":\"bench-" + UUID.randomUUID() + ".bin\",\"meta\":"
                + "{\"owner_id\":\"o1\",\"owner_name\":\"Bench Owner\",\"property_id\":\"p1\",\"property_name\":\"Bench\","
                + "\"unit_id\":\"u1\",\"unit_name\":\"1\"}}";
        String id = hub(base, "/api/upload_session/start", "application/json", HttpRequest.BodyPublishers.ofString(start))
                .get("session_id").asText();
        for (long offset = 0; offset < size; offset += CHUNK) {
            hub(base, "/api/upload_session/append?session_id=" + id + "&offset=" + offset, "application/octet-stream",
                    slice(file, offset, Math.min(CHUNK, size - offset)));
        }
        JsonNode done = hub(base, "/api/upload_session/finish", "application/json",
                HttpRequest.BodyPublishers.ofString("{\"session_id\":\"" + id + "\",\"offset\":" + size + "}"));
        if (done.get("size").asLong() != size) {
            throw new IllegalStateException("stored " + done.get("size") + " bytes, sent " + size);
        }
        return done.get("content_hash").asText();
    }

    private static JsonNode hub(String base, String path, String type, HttpRequest.BodyPublisher body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", type).POST(body).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Replays of one Idempotency-Key per second, against first-time uploads (fresh names, no key) per second. */
    static void replays(String base) throws Exception {
        String body = "{\"entity_type\":\"TenantDocument\",\"meta\":{\"owner_id\":\"o1\",\"owner_name\":\"Bench Owner\","
                + "\"property_id\":\"p1\",\"property_name\":\"Bench\",\"unit_id\":\"u1\",\"unit_name\":\"1\",\"lease_id\":\"l1\","
                + "\"tenant_name\":\"Tenant\"},\"original_filename\":\"%s\",\"file_base64\":\"" + "QUJD".repeat(2000) + "\"}";
        int fresh = 300;
        int n = 1500;
        for (int i = 0; i < 50; i++) { // warm-up
            upload(base, String.format(body, "warm-" + i + ".txt"), null);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < fresh; i++) {
            upload(base, String.format(body, "fresh-" + UUID.randomUUID() + ".txt"), null);
        }
        double freshPerSecond = fresh / ((System.nanoTime() - t0) / 1e9);
        // the replay path is warmed like the upload path (the JIT otherwise dominates the first thousand requests)
        String warmKey = "bench-warm-" + UUID.randomUUID();
        String warmBody = String.format(body, "warm-replayed.txt");
        for (int i = 0; i < 500; i++) {
            upload(base, warmBody, warmKey);
        }
        String key = "bench-" + UUID.randomUUID();
        String replayed = String.format(body, "replayed.txt");
        upload(base, replayed, key);
        long t1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = upload(base, replayed, key);
            if (!r.headers().firstValue("Idempotent-Replayed").orElse("").equals("true")) {
                throw new IllegalStateException("not a replay: " + r.body());
            }
        }
        double replaysPerSecond = n / ((System.nanoTime() - t1) / 1e9);
        BenchReport.line("dropbox_idempotent_replays_per_second", replaysPerSecond, "req/s", freshPerSecond);
    }

    private static HttpResponse<String> upload(String base, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/dropbox_upload"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("dropbox_upload answered " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    /** A file region as a request body with a Content-Length, read as it is sent. */
    static HttpRequest.BodyPublisher slice(Path file, long from, long length) {
        return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                FileChannel ch = FileChannel.open(file);
                ch.position(from);
                InputStream in = Channels.newInputStream(ch);
                return new java.io.FilterInputStream(in) {
                    private long left = length;

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (left <= 0) {
                            return -1;
                        }
                        int n = in.read(b, off, (int) Math.min(len, left));
                        if (n > 0) {
                            left -= n;
                        }
                        return n;
                    }
                };
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }), length);
    }

    /** The heap that survives GCs while it runs, above what a full GC left before it. */
    static final class HeapWatch {
        private final long baseline;
        private final AtomicLong maxAfterGc = new AtomicLong();
        private final List<NotificationEmitter> emitters = new java.util.ArrayList<>();
        private final javax.management.NotificationListener listener;

        private HeapWatch(long baseline) {
            this.baseline = baseline;
            Set<String> heapPools = new HashSet<>();
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() == MemoryType.HEAP) {
                    heapPools.add(p.getName());
                }
            }
            this.listener = (notification, handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    return;
                }
                GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                long used = 0;
                for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                    if (heapPools.contains(e.getKey())) {
                        used += e.getValue().getUsed();
                    }
                }
                maxAfterGc.accumulateAndGet(used, Math::max);
            };
        }

        static HeapWatch start() {
            System.gc();
            long base = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            HeapWatch w = new HeapWatch(base);
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter e) {
                    e.addNotificationListener(w.listener, null, null);
                    w.emitters.add(e);
                }
            }
            return w;
        }

        void stop() throws Exception {
            for (NotificationEmitter e : emitters) {
                e.removeNotificationListener(listener);
            }
        }

        double growthMiB() {
            return Math.max(0, maxAfterGc.get() - baseline) / (1024.0 * 1024.0);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
