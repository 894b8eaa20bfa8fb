package com.altus.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import com.altus.hub.platform.run.FlowBusyException;
import com.altus.hub.platform.run.FlowParameterException;
import com.altus.hub.platform.run.FlowRunner;
import com.altus.hub.platform.run.RunRecord;
import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A flow is a route (CONTRACT section 4a): one run is one exchange of route {@code <flow>}, a
 * failed run a failed exchange, each unit an exchange of its sub-route; run parameters are
 * checked before anything runs; single flight holds when the database connections die.
 */
class FlowRoutesTest extends HubTestBase {
    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    @Autowired
    CamelContext camel;

    @Autowired
    FlowRunner runner;

    @Test
    void aRunIsOneExchangeOfItsRouteAndAFailedRunAFailedExchange() throws Exception {
        long[] echo = counters("test-echo");
        long[] widget = counters("test-echo-widget");

        JsonNode partial = json(post("/api/flows/test-echo/run", "{\"n\": 4, \"dead\": 2}"));
        assertThat(partial.get("status").asText()).isEqualTo("partial");
        JsonNode failed = json(post("/api/flows/test-echo/run", "{\"fail\": \"no\"}"));
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        // the REST route enriches from direct:test-echo synchronously: both exchanges are done
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            long[] c = counters("test-echo");
            return c[0] + c[1] - echo[0] - echo[1] >= 2;
        });
        long[] echoAfter = counters("test-echo");
        long[] widgetAfter = counters("test-echo-widget");
        // {completed, failed, failuresHandled}
        assertThat(echoAfter[0] - echo[0]).as("succeeded and partial runs are completed exchanges").isEqualTo(1);
        assertThat(echoAfter[1] - echo[1]).as("a failed run is a failed exchange").isEqualTo(1);
        assertThat(widgetAfter[0] - widget[0] + widgetAfter[1] - widget[1]).as("one exchange per unit").isEqualTo(2);
        assertThat(widgetAfter[1] - widget[1]).as("dead-lettered units are not failed exchanges").isZero();
        assertThat(widgetAfter[2] - widget[2]).as("the dead-letter channel handled both").isEqualTo(2);
        assertThat(jdbc.queryForList("SELECT DISTINCT route_id FROM dead_letters WHERE flow = 'test-echo'", String.class))
                .containsExactly("test-echo-widget");
    }

    @Test
    void anErrorInAUnitFailsTheRunAtOnceAndReleasesTheFlow() throws Exception {
        jdbc.update("DELETE FROM dead_letters WHERE flow = 'test-echo'");
        JsonNode crashed = json(post("/api/flows/test-echo/run", "{\"dead\": 4, \"crash\": 1}"));
        assertThat(crashed.get("status").asText()).isEqualTo("failed");
        assertThat(crashed.get("error").asText()).contains("AssertionError").contains("widget 1 crashed");
        // widget 0 was dead-lettered before the crash; 2 and 3 stopped at their first step
        assertThat(jdbc.queryForList("SELECT entity_key FROM dead_letters WHERE flow = 'test-echo'", String.class))
                .containsExactly("w-0");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM flow_leases WHERE flow = 'test-echo'", Long.class)).isZero();
        assertThat(json(post("/api/flows/test-echo/run", "{\"n\": 1}")).get("status").asText()).isEqualTo("succeeded");
    }

    @Test
    void nullUnknownAndWrongTypedParametersAre400AndLeaveNoRow() throws Exception {
        long before = runsOf("test-echo");
        for (String[] c : new String[][] {
                {"{\"n\": null}", "n"}, {"{\"n\": [1]}", "n"}, {"{\"n\": \"seven\"}", "n"},
                {"{\"partial\": 3}", "partial"}, {"{\"nope\": 1}", "nope"}}) {
            HttpResponse<String> res = post("/api/flows/test-echo/run", c[0]);
            assertThat(res.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(json(res).get("field").asText()).as(c[0]).isEqualTo(c[1]);
        }
        assertThat(runsOf("test-echo")).isEqualTo(before);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sync_jobs WHERE status = 'running' AND flow = 'test-echo'", Long.class))
                .isZero();
        // the same check from Java (the CLI's path)
        try {
            runner.run("test-echo", "cli", Map.of("n", "x"));
            throw new AssertionError("expected a FlowParameterException");
        } catch (FlowParameterException e) {
            assertThat(e.parameter()).isEqualTo("n");
        }
    }

    @Test
    void singleFlightSurvivesKilledConnectionsAndARowIsFinishedOnce() throws Exception {
        CountDownLatch releaseA = new CountDownLatch(1);
        TestFlows.LATCHES.put("leaseA", releaseA);
        CountDownLatch startedA = new CountDownLatch(1);
        TestFlows.STARTED.put("leaseA", startedA);
        CompletableFuture<RunRecord> a = CompletableFuture.supplyAsync(() ->
                runner.run("test-block", "rest", Map.of("latch", "leaseA")));
        assertThat(startedA.await(20, TimeUnit.SECONDS)).isTrue();

        // every other connection of this database dies (a pooler, a failover): the run goes on holding its lease
        int killed = jdbc.queryForObject("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                + "WHERE datname = current_database() AND pid <> pg_backend_pid()", Integer.class);
        assertThat(killed).isPositive();
        HttpResponse<String> second = post("/api/flows/test-block/run", "{\"latch\":\"other\"}");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
        try {
            runner.run("test-block", "cli", Map.of("latch", "other"));
            throw new AssertionError("expected FlowBusyException");
        } catch (FlowBusyException expected) {
            assertThat(expected.flow()).isEqualTo("test-block");
        }

        // the lease of run A runs out (its instance looks dead): run B takes over and fails A's row
        long idA = jdbc.queryForObject("SELECT run_id FROM flow_leases WHERE flow = 'test-block'", Long.class);
        jdbc.update("UPDATE flow_leases SET expires_at = now() - interval '1 second' WHERE flow = 'test-block'");
        CountDownLatch releaseB = new CountDownLatch(1);
        TestFlows.LATCHES.put("leaseB", releaseB);
        CountDownLatch startedB = new CountDownLatch(1);
        TestFlows.STARTED.put("leaseB", startedB);
        CompletableFuture<RunRecord> b = CompletableFuture.supplyAsync(() ->
                runner.run("test-block", "rest", Map.of("latch", "leaseB")));
        assertThat(startedB.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(jdbc.queryForObject("SELECT status FROM sync_jobs WHERE id = ?", String.class, idA)).isEqualTo("failed");

        // A ends later: its row stays as B's start left it, and B's lease is untouched
        releaseA.countDown();
        RunRecord doneA = a.get(20, TimeUnit.SECONDS);
        assertThat(doneA.id()).isEqualTo(idA);
        assertThat(doneA.status()).isEqualTo("failed");
        assertThat(doneA.error()).contains("interrupted");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM flow_leases WHERE flow = 'test-block'", Long.class)).isOne();

        releaseB.countDown();
        RunRecord doneB = b.get(20, TimeUnit.SECONDS);
        assertThat(doneB.status()).isEqualTo("succeeded");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM flow_leases WHERE flow = 'test-block'", Long.class)).isZero();
    }

    private long runsOf(String flow) {
        return jdbc.queryForObject("SELECT count(*) FROM sync_jobs WHERE flow = ?", Long.class, flow);
    }

    /** {ExchangesCompleted, ExchangesFailed, FailuresHandled} of a route of this test's Camel context. */
    private long[] counters(String routeId) throws Exception {
        Set<ObjectName> names = JMX.queryNames(new ObjectName("org.apache.camel:context=" + camel.getManagementName()
                + ",type=routes,name=\"" + routeId + "\""), null);
        assertThat(names).as("MBean of route " + routeId).hasSize(1);
        ObjectName n = names.iterator().next();
        return new long[] {
                ((Number) JMX.getAttribute(n, "ExchangesCompleted")).longValue(),
                ((Number) JMX.getAttribute(n, "ExchangesFailed")).longValue(),
                ((Number) JMX.getAttribute(n, "FailuresHandled")).longValue()};
    }
}
