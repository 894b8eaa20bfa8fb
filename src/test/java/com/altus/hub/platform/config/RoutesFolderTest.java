package com.altus.hub.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.altus.hub.platform.db.EmbeddedDatabase;
import com.altus.hub.test.HubProcess;
import com.altus.hub.test.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The YAML routes are packaged in the jar, so the hub starts from any working directory (as a
 * service does); HUB_ROUTES_DIR replaces them with a folder's. What Quartz stored in the database
 * (trigger and cron per schedule route) shows which routes started.
 */
class RoutesFolderTest {
    private static final String TOKEN = "routes-test-token-0123456789";
    private static final String TRIGGERS = """
            SELECT t.trigger_group || '/' || t.trigger_name AS trigger, c.cron_expression
            FROM qrtz_triggers t JOIN qrtz_cron_triggers c
              ON c.sched_name = t.sched_name AND c.trigger_name = t.trigger_name AND c.trigger_group = t.trigger_group
            """;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theHubStartsFromAnEmptyDirectoryWithThePackagedRoutesAndTheSampleFoldersFailOnlyTheirFlows() throws Exception {
        Path workDir = Files.createTempDirectory("hub-elsewhere");
        // no variable but the token: embedded PostgreSQL in ./data, samples/... relative to workDir (absent)
        try (HubProcess hub = HubProcess.startServerIn(workDir, "512m", Map.of("HUB_API_TOKEN", TOKEN))) {
            Path pg = workDir.resolve("data/postgres");
            int port = Integer.parseInt(Files.readAllLines(pg.resolve("postmaster.pid")).get(3).strip());
            String password = Files.readString(EmbeddedDatabase.passwordFile(pg)).strip();
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", password)) {
                JdbcTemplate jdbc = new JdbcTemplate(new SingleConnectionDataSource(c, true));
                Map<String, String> crons = await().atMost(Duration.ofSeconds(30)).until(() -> triggers(jdbc), t -> t.size() >= 3);
                assertThat(crons).containsEntry("hub/dlq-replay", "0 0/30 * * * ?")
                        .containsEntry("hub/azure-sync", "0 0/15 * * * ?")
                        .containsEntry("hub/doorloop-sync", "0 0 * * * ?")
                        .as("flows without a schedule of their own (routes/on-demand.yaml) stay unscheduled")
                        .doesNotContainKeys("hub/teamspace-migrate", "hub/doorloop-normalize", "hub/doorloop-kpis");
            }

            // the relative sample defaults do not exist here: their flows fail and say which variable to set
            JsonNode azure = json.readTree(post(hub, "/api/flows/azure-sync/run").body());
            assertThat(azure.get("status").asText()).isEqualTo("failed");
            assertThat(azure.get("error").asText()).contains("HUB_BLOB_DIR");
            JsonNode doorloop = json.readTree(post(hub, "/api/flows/doorloop-sync/run").body());
            assertThat(doorloop.get("status").asText()).isEqualTo("failed");
            String letters = get(hub, "/api/dlq?flow=doorloop-sync").body();
            assertThat(letters).contains("HUB_DOORLOOP_FIXTURES");

            assertThat(get(hub, "/actuator/health").statusCode()).isEqualTo(200);
            assertThat(hub.alive()).isTrue();
        }
        try (Stream<Path> left = Files.list(workDir)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("only local state lands in the working directory")
                    .containsOnly("data");
        }
    }

    @Test
    void hubRoutesDirReplacesThePackagedRoutes() throws Exception {
        Path routes = Files.createTempDirectory("hub-routes");
        Path packaged = Path.of(System.getProperty("hub.test.basedir", "."), "routes");
        Files.writeString(routes.resolve("schedules.yaml"),
                Files.readString(packaged.resolve("schedules.yaml")).replace("0 0/30 * * * ?", "0 0/7 * * * ?"));
        Files.copy(packaged.resolve("doorloop.yaml"), routes.resolve("doorloop.yaml"));
        Files.copy(packaged.resolve("on-demand.yaml"), routes.resolve("on-demand.yaml"));
        // no azure-sync.yaml: the folder replaces the packaged routes, it does not add to them

        String db = TestDatabase.createDatabase("routes_dir");
        JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.dataSource(db));
        Map<String, String> env = Map.of("DATABASE_URL", TestDatabase.jdbcUrl(db), "DATABASE_USER", "postgres",
                "DATABASE_PASSWORD", "postgres", "HUB_API_TOKEN", TOKEN, "HUB_ROUTES_DIR", routes.toString(),
                "HUB_SCHEDULE_DOORLOOP_KPIS", "0 30 6 * * ?");
        try (HubProcess hub = HubProcess.startServerIn(Files.createTempDirectory("hub-elsewhere"), "512m", env)) {
            Map<String, String> crons = await().atMost(Duration.ofSeconds(30)).until(() -> triggers(jdbc), t -> t.size() >= 3);
            assertThat(crons).containsEntry("hub/dlq-replay", "0 0/7 * * * ?").containsKey("hub/doorloop-sync")
                    .as("a flow without a schedule of its own gets one from HUB_SCHEDULE_<FLOW>")
                    .containsEntry("hub/doorloop-kpis", "0 30 6 * * ?").doesNotContainKey("hub/teamspace-migrate")
                    .doesNotContainKey("hub/azure-sync");
            assertThat(hub.alive()).isTrue();
        }
    }

    @Test
    void hubRoutesDirMustBeAFolderOfYamlFiles() throws Exception {
        Path empty = Files.createTempDirectory("hub-routes-empty");
        Path file = Files.createTempFile("hub-routes", ".yaml");
        assertThatThrownBy(() -> HubSettings.from(Map.of("HUB_ROUTES_DIR", empty.resolve("missing").toString())::get))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HUB_ROUTES_DIR: must be an existing directory");
        assertThatThrownBy(() -> HubSettings.from(Map.of("HUB_ROUTES_DIR", file.toString())::get))
                .hasMessageStartingWith("HUB_ROUTES_DIR: must be an existing directory");
        assertThatThrownBy(() -> HubSettings.from(Map.of("HUB_ROUTES_DIR", empty.toString())::get))
                .hasMessageStartingWith("HUB_ROUTES_DIR: has no route files (*.yaml)");

        Files.writeString(empty.resolve("mine.yaml"), "[]\n");
        HubSettings settings = HubSettings.from(Map.of("HUB_ROUTES_DIR", empty.toString())::get);
        assertThat(settings.routesIncludePattern()).contains("file:" + empty.toAbsolutePath() + "/*.yaml");
        assertThat(HubSettings.from(Map.<String, String>of()::get).routesIncludePattern()).isEmpty();

        // and the environment hands it to Camel; without it application.yml's classpath:routes/*.yaml stays
        assertThat(camelPattern(Map.of("HUB_ROUTES_DIR", empty.toString()))).isEqualTo("file:" + empty.toAbsolutePath() + "/*.yaml");
        assertThat(camelPattern(Map.of())).isNull();
    }

    private static String camelPattern(Map<String, Object> vars) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        Map<String, Object> m = new HashMap<>(vars);
        m.put("DATABASE_URL", "jdbc:postgresql://db.example.com:5432/hub");
        env.getPropertySources().addFirst(new MapPropertySource("test", m));
        new HubEnvironment().postProcessEnvironment(env, new org.springframework.boot.SpringApplication());
        return env.getProperty("camel.main.routes-include-pattern");
    }

    private static Map<String, String> triggers(JdbcTemplate jdbc) {
        Map<String, String> out = new HashMap<>();
        List<Map<String, Object>> rows = jdbc.queryForList(TRIGGERS);
        rows.forEach(r -> out.put((String) r.get("trigger"), (String) r.get("cron_expression")));
        return out;
    }

    private HttpResponse<String> post(HubProcess hub, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + path)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(HubProcess hub, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + path)).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
