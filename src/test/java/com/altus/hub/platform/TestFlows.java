package com.altus.hub.platform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.altus.hub.platform.dlq.DeadLetterChannel;
import com.altus.hub.platform.run.FlowParam;
import com.altus.hub.platform.run.FlowRouteBuilder;
import com.altus.hub.platform.run.RunContext;
import com.altus.hub.platform.run.Units;
import org.apache.camel.Exchange;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Flows that exercise the platform in tests (only with hub.test.flows=true), built as routes like the real ones. */
@Component
@ConditionalOnProperty("hub.test.flows")
public class TestFlows extends FlowRouteBuilder {
    /** Latches that block test-block runs, by the "latch" parameter. */
    public static final Map<String, CountDownLatch> LATCHES = new ConcurrentHashMap<>();
    /** Started signals of test-block runs, by the "latch" parameter. */
    public static final Map<String, CountDownLatch> STARTED = new ConcurrentHashMap<>();
    /** While true, replays of test-echo widgets fail. */
    public static final AtomicBoolean REPLAY_FAILS = new AtomicBoolean(true);

    private final JdbcTemplate jdbc;

    public TestFlows(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        jdbc.execute("CREATE TABLE IF NOT EXISTS test_ticks (run_id bigint PRIMARY KEY, fire_time text)");
    }

    @Override
    public void configure() {
        // test-echo: counts n items, sends `dead` broken widgets through its sub-route (each one is
        // dead-lettered there), then goes partial or fails as its parameters say
        flow("test-echo", FlowParam.integer("n", "items to count"), FlowParam.integer("dead", "broken widgets"),
                FlowParam.text("partial", "partial reason"), FlowParam.text("fail", "failure message"),
                FlowParam.integer("crash", "the widget that throws an Error instead"))
                .process(TestFlows::widgets).id("test-echo-plan")
                .split(body()).id("test-echo-widgets")
                    .to("direct:test-echo-widget").id("test-echo-each")
                .end()
                .process(TestFlows::outcome).id("test-echo-outcome");

        // a widget is broken in a run; replayed, it is broken while REPLAY_FAILS holds
        unit("test-echo-widget")
                .process(TestFlows::widget).id("test-echo-widget-inspect");

        flow("test-block", FlowParam.text("latch", "latch name"), FlowParam.integer("max_seconds", "give up after"))
                .process(TestFlows::block).id("test-block-wait");

        flow("test-tick")
                .process(ex -> {
                    RunContext ctx = RunContext.of(ex);
                    jdbc.update("INSERT INTO test_ticks VALUES (?, ?)", ctx.runId(), ctx.param("scheduled_fire_time", null));
                }).id("test-tick-insert");
    }

    static void widgets(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        ctx.stats().add("items", Long.parseLong(ctx.param("n", "1")));
        int dead = Integer.parseInt(ctx.param("dead", "0"));
        List<Map<String, Object>> widgets = new ArrayList<>();
        for (int i = 0; i < dead; i++) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("id", "w-" + i);
            w.put("n", i);
            if (String.valueOf(i).equals(ctx.param("crash", null))) {
                w.put("crash", true);
            }
            widgets.add(w);
        }
        ex.getMessage().setBody(widgets);
    }

    @SuppressWarnings("unchecked")
    static void widget(Exchange ex) {
        Map<String, Object> w = Units.body(ex, Map.class);
        Units.entity(ex, "widget", String.valueOf(w.get("id")));
        if (Boolean.TRUE.equals(w.get("crash"))) {
            throw new AssertionError("widget " + w.get("n") + " crashed");
        }
        boolean replay = ex.getProperty(DeadLetterChannel.REPLAY_OF) != null;
        if (!replay || REPLAY_FAILS.get()) {
            throw new IllegalStateException("widget " + w.get("n") + " is broken");
        }
        RunContext.of(ex).stats().increment("widgets_fixed");
    }

    static void outcome(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        if (ctx.params().containsKey("partial")) {
            ctx.partial(ctx.param("partial", "partial"));
        }
        if (ctx.params().containsKey("fail")) {
            throw new IllegalStateException(ctx.param("fail", "failed"));
        }
    }

    static void block(Exchange ex) throws InterruptedException {
        RunContext ctx = RunContext.of(ex);
        String key = ctx.param("latch", "default");
        STARTED.computeIfAbsent(key, k -> new CountDownLatch(1)).countDown();
        CountDownLatch latch = LATCHES.computeIfAbsent(key, k -> new CountDownLatch(1));
        ctx.stats().set("waiting_on", key);
        if (!latch.await(Long.parseLong(ctx.param("max_seconds", "600")), TimeUnit.SECONDS)) {
            throw new IllegalStateException("latch " + key + " never released");
        }
    }
}
