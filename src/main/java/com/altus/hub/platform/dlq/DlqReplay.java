package com.altus.hub.platform.dlq;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.altus.hub.platform.run.RunContext;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The steps of the {@code dlq-replay} flow ({@link DlqReplayRoutes}): claim due letters (or those
 * an operator named), replay one letter through its route, settle it. Success closes the letter;
 * failure adds one attempt, backs it off exponentially and parks it after the maximum.
 */
@Component("dlqReplay")
public class DlqReplay {
    /** Exchange property: whether the selection was explicit (ids or flow), which is covered once. */
    static final String EXPLICIT = "HubDlqExplicit";
    private final DeadLetterService letters;
    private final DeadLetterReplayRegistry registry;
    private final int batch;

    public DlqReplay(DeadLetterService letters, DeadLetterReplayRegistry registry,
                     @Value("${hub.dlq.replay-batch:500}") int batch) {
        this.letters = letters;
        this.registry = registry;
        this.batch = batch;
    }

    /** First claim of the run: answers the letters to replay now. */
    public List<StoredDeadLetter> claim(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        ctx.stats().declare("selected", "succeeded", "failed", "parked");
        boolean explicit = ids(ctx) != null || ctx.params().get("flow") != null;
        ex.setProperty(EXPLICIT, explicit);
        return claimBatch(ctx);
    }

    /**
     * The next batch: none after an explicit selection (covered once), else the next due letters
     * while the last batch was full (a scheduled run drains what is due).
     */
    public List<StoredDeadLetter> claimMore(Exchange ex, List<StoredDeadLetter> previous) throws InterruptedException {
        RunContext ctx = RunContext.of(ex);
        ctx.progress("replayed {} letters so far ({} succeeded, {} failed)", ctx.stats().get("selected"),
                ctx.stats().get("succeeded"), ctx.stats().get("failed"));
        ctx.checkNotCancelled();
        if (Boolean.TRUE.equals(ex.getProperty(EXPLICIT, Boolean.class)) || previous.size() < batch) {
            return List.of();
        }
        return claimBatch(ctx);
    }

    private List<StoredDeadLetter> claimBatch(RunContext ctx) {
        List<StoredDeadLetter> claimed = letters.claim(ids(ctx), ctx.param("flow", null), batch, Duration.ofMinutes(10));
        ctx.stats().add("selected", claimed.size());
        return claimed;
    }

    /** Replays one letter through its route and settles it (the sub-route dlq-replay-letter). */
    public void replay(Exchange ex) throws Exception {
        StoredDeadLetter letter = ex.getMessage().getBody(StoredDeadLetter.class);
        RunContext ctx = RunContext.of(ex);
        ctx.checkNotCancelled();
        try {
            registry.replay(letter, ctx.runId());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            ctx.stats().increment("failed");
            if ("parked".equals(letters.markFailed(letter.id(), letter.attempts(), e))) {
                ctx.stats().increment("parked");
            }
            return;
        }
        letters.markReplayed(letter.id());
        ctx.stats().increment("succeeded");
    }

    @SuppressWarnings("unchecked")
    private static List<Long> ids(RunContext ctx) {
        Object v = ctx.params().get("ids");
        if (v instanceof List<?> list && !list.isEmpty()) {
            List<Long> out = new ArrayList<>();
            for (Object o : list) {
                out.add(((Number) o).longValue());
            }
            return out;
        }
        return null;
    }
}
