package com.altus.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.altus.hub.test.HubProcess;
import com.altus.hub.test.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Two hub instances (two JVMs) on one database: a Quartz trigger fires once per fire time across
 * both, and when the first instance stops the second keeps firing it.
 */
class ClusteredSchedulingTest {

    @Test
    void twoInstancesFireEachTriggerOnceAndTheSecondTakesOver() throws Exception {
        String db = TestDatabase.createDatabase("cluster_it");
        JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.dataSource(db));
        Map<String, String> env = Map.of(
                "DATABASE_URL", TestDatabase.jdbcUrl(db),
                "DATABASE_USER", "postgres",
                "DATABASE_PASSWORD", "postgres",
                "HUB_API_TOKEN", "cluster-test-token-0123456789",
                "HUB_SCHEDULE_DLQ_REPLAY", "off");
        String[] args = {"--hub.test.flows=true", "--hub.test.tick.enabled=true",
                "--camel.main.routes-include-pattern=classpath:routes/*.yaml,classpath:test-routes/*.yaml",
                "--spring.quartz.properties.org.quartz.jobStore.clusterCheckinInterval=1000"};
        try (HubProcess a = HubProcess.startServer(env, args); HubProcess b = HubProcess.startServer(env, args)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> ticks(jdbc) >= 6);
            assertNoFireTimeRanTwice(jdbc);

            a.stop();
            long afterStop = jdbc.queryForObject("SELECT coalesce(max(run_id), 0) FROM test_ticks", Long.class);
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    jdbc.queryForObject("SELECT count(*) FROM test_ticks WHERE run_id > ?", Long.class, afterStop) >= 3);
            assertNoFireTimeRanTwice(jdbc);

            List<String> lateInstances = jdbc.queryForList("""
                    SELECT DISTINCT j.instance FROM test_ticks t JOIN sync_jobs j ON j.id = t.run_id
                    WHERE t.run_id > ? + 1
                    """, String.class, afterStop);
            assertThat(lateInstances).hasSize(1);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM sync_jobs WHERE flow = 'test-tick' AND status <> 'succeeded' AND status <> 'running'",
                    Long.class)).isZero();
        }
    }

    private static long ticks(JdbcTemplate jdbc) {
        Long n = jdbc.queryForObject("SELECT CASE WHEN to_regclass('test_ticks') IS NULL THEN 0 ELSE 1 END", Long.class);
        return n == 0 ? 0 : jdbc.queryForObject("SELECT count(*) FROM test_ticks", Long.class);
    }

    private static void assertNoFireTimeRanTwice(JdbcTemplate jdbc) {
        List<String> dupes = jdbc.queryForList(
                "SELECT fire_time FROM test_ticks GROUP BY fire_time HAVING count(*) > 1", String.class);
        assertThat(dupes).as("fire times that ran on both instances").isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM test_ticks WHERE fire_time IS NULL", Long.class)).isZero();
    }
}
