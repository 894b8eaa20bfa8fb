package com.altus.hub.dropbox;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static com.altus.hub.dropbox.UploadApiSupport.MAPPER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 30 clients that each send a raw append one byte a second (issue 10): they hold no database
 * connection while their bodies trickle in, so GET /api/flows/runs stays fast and a dlq-replay
 * run starts and finishes; a second append to a trickling session is 409 at once; and when the
 * bytes are all there, every append commits.
 */
class SlowUploadClientsTest extends HubTestBase {
    private static final int CLIENTS = 30;
    private static final int BODY = 20;

    /** One client on a raw socket: headers at once, then the body byte by byte. */
    private final class Trickle {
        final String session;
        final Socket socket;
        final OutputStream out;
        volatile int sent;

        Trickle(String session) throws Exception {
            this.session = session;
            this.socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            this.out = socket.getOutputStream();
            out.write(("POST /api/upload_session/append?session_id=" + session + "&offset=0 HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + TOKEN + "\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + BODY + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        synchronized void oneByte() throws Exception {
            if (sent < BODY - 1) { // the last byte comes with rest()
                out.write('a' + sent % 26);
                out.flush();
                sent++;
            }
        }

        synchronized String rest() throws Exception {
            while (sent < BODY) {
                out.write('a' + sent % 26);
                sent++;
            }
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            socket.close();
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    private String startSession(String name) throws Exception {
        ObjectNode start = MAPPER.createObjectNode().put("entity_type", "WorkOrder").put("filename", name);
        start.set("meta", UploadApiSupport.meta());
        HttpResponse<String> res = UploadApiSupport.post(http, url(""), "/api/upload_session/start", start.toString(), null);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return json(res).get("session_id").asText();
    }

    private long claimed(List<Trickle> clients) {
        return jdbc.queryForObject("SELECT count(*) FROM upload_sessions WHERE id = ANY (?::uuid[]) AND claimed_by IS NOT NULL",
                Long.class, "{" + String.join(",", clients.stream().map(c -> c.session).toList()) + "}");
    }

    @Test
    void thirtyTricklingAppendsHoldNoConnectionAndTheControlApiStaysFast() throws Exception {
        List<Trickle> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(new Trickle(startSession("slow-" + i + "-" + java.util.UUID.randomUUID() + ".bin")));
        }
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try {
            ticker.scheduleAtFixedRate(() -> {
                for (Trickle t : clients) {
                    try {
                        t.oneByte();
                    } catch (Exception e) {
                        throw new IllegalStateException("client " + t.session + " could not send", e);
                    }
                }
            }, 0, 1, TimeUnit.SECONDS);
            // every append has claimed its session and is now waiting for its body
            await().atMost(Duration.ofSeconds(20)).until(() -> claimed(clients) == CLIENTS);

            // while at least 5 more bytes of every body trickle in (5 s or more), the run ledger keeps answering
            int sentBefore = clients.stream().mapToInt(c -> c.sent).min().orElse(0);
            long[] worst = {0};
            int[] calls = {0};
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                long t0 = System.nanoTime();
                HttpResponse<String> runs = http.send(HttpRequest.newBuilder(URI.create(url("/api/flows/runs?limit=20")))
                        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                worst[0] = Math.max(worst[0], (System.nanoTime() - t0) / 1_000_000);
                calls[0]++;
                assertThat(runs.statusCode()).isEqualTo(200);
                return clients.stream().mapToInt(c -> c.sent).min().orElse(0) >= sentBefore + 5;
            });
            long t0 = System.nanoTime();
            HttpResponse<String> replay = http.send(HttpRequest.newBuilder(URI.create(url("/api/flows/dlq-replay/run")))
                    .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            long replayMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
            assertThat(json(replay).get("status").asText()).isIn("succeeded", "partial");
            System.out.printf("slow clients: %d trickling appends; GET /api/flows/runs worst of %d: %d ms; "
                    + "dlq-replay run: %d ms%n", CLIENTS, calls[0], worst[0], replayMs);
            assertThat(worst[0]).as("GET /api/flows/runs while 30 bodies trickle in").isLessThan(2000);

            // a second append to a session whose body is still arriving: 409 at once
            HttpResponse<String> second = UploadApiSupport.postRaw(http, url(""), clients.get(0).session, 0, new byte[3]);
            assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
            assertThat(claimed(clients)).as("the trickling appends still hold their sessions").isEqualTo(CLIENTS);
        } finally {
            ticker.shutdownNow();
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        }
        for (Trickle t : clients) {
            String answer = t.rest();
            assertThat(answer).as(answer).startsWith("HTTP/1.1 200");
            // the answer may be chunked: its JSON object is the body
            JsonNode body = MAPPER.readTree(answer.substring(answer.indexOf('{'), answer.lastIndexOf('}') + 1));
            assertThat(body.get("offset").asLong()).isEqualTo(BODY);
        }
        assertThat(claimed(clients)).as("every claim was released with its commit").isZero();
    }
}
