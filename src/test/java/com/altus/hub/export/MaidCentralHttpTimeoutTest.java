package com.altus.hub.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;

import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.schedule.BlobContainers;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * The MaidCentral endpoint as the exporter builds it (Camel's http component with
 * {@code hub.http.read-timeout}): a server that never answers, and one whose body stops halfway,
 * both fail with a socket timeout within about the read timeout instead of hanging.
 */
class MaidCentralHttpTimeoutTest {

    @Test
    void noAnswerAtAllTimesOut() throws Exception {
        try (StallingServer server = new StallingServer(0, -1); DefaultCamelContext camel = camel()) {
            String endpoint = client(server).endpoint();
            ProducerTemplate producer = camel.createProducerTemplate();
            long t0 = System.nanoTime();
            Exchange ex = producer.send(endpoint, e -> e.getMessage().setHeader(Exchange.HTTP_PATH, "/api/dr-schedule/companies"));
            assertThat(ex.getException()).isNotNull();
            assertThat(causes(ex.getException())).anyMatch(SocketTimeoutException.class::isInstance);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            assertThat(server.requests.get()).as("the client does not re-send on its own").isEqualTo(1);
        }
    }

    @Test
    void aBodyThatStopsHalfwayTimesOutWhileItIsRead() throws Exception {
        try (StallingServer server = new StallingServer(100_000, 5_000); DefaultCamelContext camel = camel()) {
            String endpoint = client(server).endpoint();
            // the body is read in the route, as the exporter's answer step does (the stream lives as long as the exchange)
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:read").noStreamCaching().to(endpoint).process(MaidCentralHttpTimeoutTest::readBody);
                }
            });
            long t0 = System.nanoTime();
            Exchange ex = camel.createProducerTemplate().send("direct:read",
                    e -> e.getMessage().setHeader(Exchange.HTTP_PATH, "/api/dr-schedule/users"));
            assertThat(ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(200);
            assertThat(causes(ex.getException())).anyMatch(SocketTimeoutException.class::isInstance);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        }
    }

    static void readBody(Exchange e) throws java.io.IOException {
        try (InputStream body = e.getMessage().getBody(InputStream.class)) {
            body.readAllBytes();
        }
    }

    private static DefaultCamelContext camel() {
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getRegistry().bind(MaidCentralHttpConfigurer.BEAN, new MaidCentralHttpConfigurer());
        camel.start();
        return camel;
    }

    private static MaidCentralClient client(StallingServer server) throws Exception {
        HubSettings settings = HubSettings.from(Map.of("MAIDCENTRAL_BASE_URL", server.baseUrl(), "MAIDCENTRAL_USERNAME", "u",
                "MAIDCENTRAL_PASSWORD", "p", "HUB_DATA_DIR", "target/test-data")::get);
        Duration timeout = Duration.ofSeconds(1);
        try (DefaultCamelContext registryOnly = new DefaultCamelContext()) {
            BlobContainers containers = new BlobContainers(settings, registryOnly, timeout);
            return new MaidCentralClient(new ExportSettings(settings, containers, "", 7, 15, timeout));
        }
    }

    private static java.util.List<Throwable> causes(Throwable t) {
        java.util.List<Throwable> out = new java.util.ArrayList<>();
        for (Throwable c = t; c != null; c = c.getCause()) {
            out.add(c);
        }
        return out;
    }
}
