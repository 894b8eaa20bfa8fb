package com.altus.hub.platform;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.altus.hub.platform.dlq.DeadLetterReplayer;
import com.altus.hub.platform.dlq.StoredDeadLetter;
import com.altus.hub.platform.run.Flow;
import com.altus.hub.platform.run.RunContext;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** Flows that exercise the platform in tests (only with hub.test.flows=true). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("hub.test.flows")
public class TestFlows {
    /** Latches that block test-block runs, by the "latch" parameter. */
    public static final Map<String, CountDownLatch> LATCHES = new ConcurrentHashMap<>();
    /** Started signals of test-block runs, by the "latch" parameter. */
    public static final Map<String, CountDownLatch> STARTED = new ConcurrentHashMap<>();
    /** While true, replays of test-echo widgets fail. */
    public static final AtomicBoolean REPLAY_FAILS = new AtomicBoolean(true);

    /** test-echo: counts, dead-letters, goes partial or fails as its parameters say. */
    @Bean
    Flow testEcho() {
        return new Flow() {
            @Override
            public String name() {
                return "test-echo";
            }

            @Override
            public void run(RunContext ctx) {
                int n = Integer.parseInt(ctx.param("n", "1"));
                ctx.stats().add("items", n);
                int dead = Integer.parseInt(ctx.param("dead", "0"));
                for (int i = 0; i < dead; i++) {
                    ctx.deadLetter("widget", "w-" + i, Map.of("id", "w-" + i, "n", i), "widget " + i + " is broken", null);
                }
                if (ctx.params().containsKey("partial")) {
                    ctx.partial(ctx.param("partial", "partial"));
                }
                if (ctx.params().containsKey("fail")) {
                    throw new IllegalStateException(ctx.param("fail", "failed"));
                }
            }
        };
    }

    /** test-block: signals it started, then waits for its latch (or an interrupt). */
    @Bean
    Flow testBlock() {
        return new Flow() {
            @Override
            public String name() {
                return "test-block";
            }

            @Override
            public void run(RunContext ctx) throws Exception {
                String key = ctx.param("latch", "default");
                STARTED.computeIfAbsent(key, k -> new CountDownLatch(1)).countDown();
                CountDownLatch latch = LATCHES.computeIfAbsent(key, k -> new CountDownLatch(1));
                ctx.stats().set("waiting_on", key);
                if (!latch.await(Long.parseLong(ctx.param("max_seconds", "600")), TimeUnit.SECONDS)) {
                    throw new IllegalStateException("latch " + key + " never released");
                }
            }
        };
    }

    /** test-tick: one row per run with the trigger's scheduled fire time (sync_jobs says which instance). */
    @Bean
    Flow testTick(JdbcTemplate jdbc) {
        jdbc.execute("CREATE TABLE IF NOT EXISTS test_ticks (run_id bigint PRIMARY KEY, fire_time text)");
        return new Flow() {
            @Override
            public String name() {
                return "test-tick";
            }

            @Override
            public void run(RunContext ctx) {
                jdbc.update("INSERT INTO test_ticks VALUES (?, ?)", ctx.runId(), ctx.param("scheduled_fire_time", null));
            }
        };
    }

    @Bean
    DeadLetterReplayer testEchoReplayer() {
        return new DeadLetterReplayer() {
            @Override
            public String flow() {
                return "test-echo";
            }

            @Override
            public boolean handles(String entityType) {
                return "widget".equals(entityType);
            }

            @Override
            public void replay(StoredDeadLetter letter) {
                if (REPLAY_FAILS.get()) {
                    throw new IllegalStateException("widget " + letter.entityKey() + " still broken");
                }
            }
        };
    }
}
