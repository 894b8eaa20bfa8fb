package com.altus.hub.export;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.platform.http.PermanentFailure;
import com.altus.hub.platform.http.Retrier;
import com.altus.hub.platform.http.TransientFailure;
import com.altus.hub.platform.run.FlowAbortedException;
import com.altus.hub.platform.run.RunContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The steps of the MaidCentral call routes (CONTRACT section 12), called through Camel's
 * {@code http} component: password-grant token ({@code POST /token}) reused until it expires and
 * fetched again once on a 401; every request with connect and read timeouts of
 * {@code hub.http.read-timeout} (the socket timeout applies to every read, so a body that stops
 * arriving halfway fails too). The request to make is the exchange property {@link #REQUEST}, so a
 * redelivery makes the same request again whatever the last attempt left in the message.
 *
 * <p>Answers: 2xx is read by the request's {@link BodyReader}; 401 after a fresh token and a refused
 * password grant end the run ({@link FlowAbortedException}: no company can get past them); 408, 429
 * and 5xx are a {@link TransientFailure} (redelivered by the caller's error handler); other 4xx are
 * a {@link PermanentFailure}.
 */
@Component("maidCentralClient")
public class MaidCentralClient {
    /** Exchange property: the {@link Request} to make. */
    public static final String REQUEST = "HubMaidCentralRequest";
    /** Exchange property: the token the last request was sent with. */
    private static final String USED_TOKEN = "HubMaidCentralToken";
    /** Refetch a token this long before MaidCentral says it expires (capped at a tenth of its lifetime). */
    private static final Duration EARLY = Duration.ofSeconds(30);

    /** Reads a successful answer's body (it may be large: read it as a stream). */
    @FunctionalInterface
    public interface BodyReader {
        Object read(InputStream body) throws IOException;
    }

    /** A GET to make: what it is (for messages), path and query (already encoded), and how to read the answer. */
    public record Request(String what, String path, String query, BodyReader reader) {
    }

    private record Token(String value, long expiresAtNanos) {
    }

    private final ExportSettings settings;
    private final ObjectMapper json = new ObjectMapper();
    private final java.util.concurrent.atomic.AtomicReference<Token> token = new java.util.concurrent.atomic.AtomicReference<>();
    /** One token request at a time: companies exported in parallel that need a token wait for the one in flight. */
    private final java.util.concurrent.Semaphore tokenTurn = new java.util.concurrent.Semaphore(1);
    /** Exchange property: this exchange holds {@link #tokenTurn}. */
    private static final String HOLDS_TOKEN_TURN = "HubMaidCentralTokenTurn";

    public MaidCentralClient(ExportSettings settings) {
        this.settings = settings;
    }

    /** The http component's endpoint for MaidCentral's base URL (paths come per request). */
    public String endpoint() {
        HubSettings.MaidCentral mc = settings.maidCentral().orElseThrow(() -> new IllegalStateException(settings.disabledReason()));
        long ms = settings.readTimeout().toMillis();
        return mc.baseUrl().toString().replaceAll("/+$", "")
                + "?throwExceptionOnFailure=false&disableStreamCache=true&followRedirects=false"
                + "&httpClientConfigurer=#" + MaidCentralHttpConfigurer.BEAN
                + "&connectTimeout=" + ms + "&soTimeout=" + ms + "&responseTimeout=" + ms + "&connectionRequestTimeout=" + ms;
    }

    /** Whether a token must be fetched before the call (none yet, or it is about to expire). */
    public boolean needsToken(Exchange exchange) {
        Token t = token.get();
        return t == null || System.nanoTime() >= t.expiresAtNanos();
    }

    /**
     * Waits until no other exchange is fetching a token, then holds the turn (released by
     * {@link #endTokenTurn}): after the wait, {@link #needsToken} tells whether the one fetched
     * meanwhile will do, so parallel companies meeting a missing or revoked token fetch one, not one each.
     */
    public void beginTokenTurn(Exchange exchange) throws InterruptedException {
        Duration wait = settings.readTimeout().multipliedBy(10);
        if (!tokenTurn.tryAcquire(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new TransientFailure("waited " + wait.toSeconds() + " s for another MaidCentral token request to finish", 0, null);
        }
        exchange.setProperty(HOLDS_TOKEN_TURN, Boolean.TRUE);
    }

    /** Releases the turn taken by {@link #beginTokenTurn}, whether the token request succeeded or failed. */
    public void endTokenTurn(Exchange exchange) {
        if (exchange.removeProperty(HOLDS_TOKEN_TURN) != null) {
            tokenTurn.release();
        }
    }

    /** The token request: {@code POST /token} with the password grant as a form. */
    public void tokenRequest(Exchange exchange) {
        HubSettings.MaidCentral mc = settings.maidCentral().orElseThrow(() -> new IllegalStateException(settings.disabledReason()));
        var msg = exchange.getMessage();
        clearHeaders(exchange);
        msg.setHeader(Exchange.HTTP_METHOD, "POST");
        msg.setHeader(Exchange.HTTP_PATH, "/token");
        msg.setHeader(Exchange.CONTENT_TYPE, "application/x-www-form-urlencoded");
        msg.setHeader("Accept", "application/json");
        msg.setBody("grant_type=password&username=" + URLEncoder.encode(mc.username(), StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(mc.password(), StandardCharsets.UTF_8));
        count(exchange, "token_requests");
    }

    /** Reads the token answer: {@code {access_token, token_type, expires_in}}. */
    public void tokenAnswer(Exchange exchange) throws IOException {
        int status = status(exchange);
        String body = read(exchange, 65536);
        exchange.getMessage().setBody(null);
        if (status == 400 || status == 401 || status == 403) {
            String user = settings.maidCentral().map(HubSettings.MaidCentral::username).orElse("?");
            throw new FlowAbortedException("MaidCentral refused the password grant for MAIDCENTRAL_USERNAME=" + user + " (HTTP "
                    + status + " " + errorCode(body) + "): check MAIDCENTRAL_USERNAME and MAIDCENTRAL_PASSWORD");
        }
        failIfNot2xx(exchange, "MaidCentral token request", status, abbreviate(body));
        JsonNode answer;
        try {
            answer = json.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new MaidCentralDataException("MaidCentral's token answer is not JSON", e);
        }
        String value = answer.path("access_token").asText(null);
        if (value == null || value.isBlank()) {
            throw new MaidCentralDataException("MaidCentral's token answer has no access_token");
        }
        long lifetime = Math.max(1, answer.path("expires_in").asLong(3600));
        long early = Math.min(EARLY.toSeconds(), lifetime / 10);
        token.set(new Token(value, System.nanoTime() + Duration.ofSeconds(lifetime - early).toNanos()));
    }

    /** Sets up the request of property {@link #REQUEST}, with the current token. */
    public void prepare(Exchange exchange) {
        Request r = request(exchange);
        Token t = token.get();
        if (t == null) {
            throw new IllegalStateException("no MaidCentral token to call " + r.what() + " with");
        }
        exchange.setProperty(USED_TOKEN, t);
        var msg = exchange.getMessage();
        clearHeaders(exchange);
        msg.setBody(null);
        msg.setHeader(Exchange.HTTP_METHOD, "GET");
        msg.setHeader(Exchange.HTTP_PATH, r.path());
        if (r.query() != null) {
            msg.setHeader(Exchange.HTTP_QUERY, r.query());
        }
        msg.setHeader("Authorization", "Bearer " + t.value());
        msg.setHeader("Accept", "application/json");
        count(exchange, "maidcentral_requests");
    }

    /** Whether MaidCentral refused the token (it expired or was revoked before we expected). */
    public boolean unauthorized(Exchange exchange) {
        return status(exchange) == 401;
    }

    /** After a 401: drop the answer and the token, so the next step fetches a new one. */
    public void forgetToken(Exchange exchange) throws IOException {
        InputStream in = exchange.getMessage().getBody(InputStream.class);
        if (in != null) {
            in.close();
        }
        exchange.getMessage().setBody(null);
        // only the token this request used: another company may have fetched a new one meanwhile
        token.compareAndSet(exchange.getProperty(USED_TOKEN, Token.class), null);
    }

    /** Reads a 2xx answer with the request's reader (the body becomes what it returns); throws on any other status. */
    public void answer(Exchange exchange) throws IOException {
        Request r = request(exchange);
        int status = status(exchange);
        if (status == 401) {
            String body = text(exchange);
            throw new FlowAbortedException("MaidCentral answered 401 to " + r.what() + " with a token it had just issued ("
                    + errorCode(body) + "): check that MAIDCENTRAL_USERNAME may read the dr-schedule API");
        }
        if (status < 200 || status >= 300) {
            failIfNot2xx(exchange, "MaidCentral " + r.what(), status, text(exchange));
        }
        try (InputStream in = exchange.getMessage().getMandatoryBody(InputStream.class)) {
            exchange.getMessage().setBody(r.reader().read(in));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new MaidCentralDataException("MaidCentral's answer to " + r.what() + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (org.apache.camel.InvalidPayloadException e) {
            throw new MaidCentralDataException("MaidCentral answered " + r.what() + " with an empty body", e);
        }
    }

    /**
     * Drops every header (a previous answer's would be sent as request headers) but the error
     * handler's redelivery counters, which bound the retries.
     */
    static void clearHeaders(Exchange exchange) {
        exchange.getMessage().removeHeaders("*", Exchange.REDELIVERED, Exchange.REDELIVERY_COUNTER, Exchange.REDELIVERY_MAX_COUNTER);
    }

    private static Request request(Exchange exchange) {
        Request r = exchange.getProperty(REQUEST, Request.class);
        if (r == null) {
            throw new IllegalStateException("route " + exchange.getFromRouteId() + " called MaidCentral without a request");
        }
        return r;
    }

    private static int status(Exchange exchange) {
        return exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
    }

    private static void failIfNot2xx(Exchange exchange, String what, int status, String body) {
        if (status >= 200 && status < 300) {
            return;
        }
        Map<String, List<String>> headers = Map.of();
        String retryAfter = exchange.getMessage().getHeader("Retry-After", String.class);
        if (retryAfter != null) {
            headers = Map.of("Retry-After", List.of(retryAfter));
        }
        RuntimeException failure = Retrier.failureFor(what, status, java.net.http.HttpHeaders.of(headers, (k, v) -> true), body);
        throw failure != null ? failure : new PermanentFailure(what + " answered HTTP " + status, status, body);
    }

    /** The answer's body as text, abbreviated for messages; the stream is consumed and closed. */
    private static String text(Exchange exchange) throws IOException {
        return abbreviate(read(exchange, 4096));
    }

    /** The first {@code limit} bytes of the answer's body as text; the rest is drained and the stream closed. */
    private static String read(Exchange exchange, int limit) throws IOException {
        Object body = exchange.getMessage().getBody();
        if (body == null) {
            return "";
        }
        try (InputStream in = exchange.getMessage().getBody(InputStream.class)) {
            if (in == null) {
                return String.valueOf(body);
            }
            byte[] head = in.readNBytes(limit);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return new String(head, StandardCharsets.UTF_8);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }

    private String errorCode(String body) {
        try {
            JsonNode n = json.readTree(body);
            String code = n.path("error").asText("");
            return code.isEmpty() ? "no error code" : code;
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            return "no error code";
        }
    }

    private static void count(Exchange exchange, String stat) {
        RunContext run = exchange.getProperty(RunContext.PROPERTY, RunContext.class);
        if (run != null) {
            run.stats().increment(stat);
        }
    }
}
