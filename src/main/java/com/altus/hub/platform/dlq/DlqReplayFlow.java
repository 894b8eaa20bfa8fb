package com.altus.hub.platform.dlq;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.altus.hub.platform.run.Flow;
import com.altus.hub.platform.run.RunContext;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The {@code dlq-replay} flow: claims due dead letters (or those an operator named) and hands
 * each to its flow's replayer. Success closes the letter; failure backs it off exponentially
 * and parks it after the maximum attempts. Parameters: {@code ids} (list), {@code flow}.
 */
@Component
public class DlqReplayFlow implements Flow {
    public static final String NAME = "dlq-replay";
    private final DeadLetterService letters;
    private final DeadLetterReplayRegistry registry;
    private final int batch;

    public DlqReplayFlow(DeadLetterService letters, DeadLetterReplayRegistry registry,
                         @Value("${hub.dlq.replay-batch:500}") int batch) {
        this.letters = letters;
        this.registry = registry;
        this.batch = batch;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void run(RunContext ctx) throws Exception {
        List<Long> ids = new ArrayList<>();
        if (ctx.params().get("ids") instanceof List<?> list) {
            for (Object o : list) {
                ids.add(Long.valueOf(o.toString()));
            }
        }
        String flow = ctx.param("flow", null);
        ctx.stats().declare("selected", "succeeded", "failed", "parked");
        boolean explicit = !ids.isEmpty() || flow != null;
        List<StoredDeadLetter> claimed;
        do {
            ctx.checkNotCancelled();
            claimed = letters.claim(ids, flow, batch, Duration.ofMinutes(10));
            for (StoredDeadLetter letter : claimed) {
                ctx.stats().increment("selected");
                try {
                    registry.replay(letter);
                    letters.markReplayed(letter.id());
                    ctx.stats().increment("succeeded");
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    ctx.stats().increment("failed");
                    String status = letters.markFailed(letter.id(), letter.attempts(), e);
                    if ("parked".equals(status)) {
                        ctx.stats().increment("parked");
                    }
                }
            }
            if (!claimed.isEmpty()) {
                ctx.progress("replayed {} letters so far ({} succeeded, {} failed)", ctx.stats().get("selected"),
                        ctx.stats().get("succeeded"), ctx.stats().get("failed"));
            }
            // an explicit request covers its selection once; a scheduled run drains what is due
        } while (!explicit && claimed.size() == batch);
    }
}
