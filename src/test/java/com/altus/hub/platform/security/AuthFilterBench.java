package com.altus.hub.platform.security;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.altus.hub.HubApplication;
import com.altus.hub.bench.BenchReport;
import com.altus.hub.platform.rest.ApiSecurityFilter;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Requests/s of a small authenticated {@code GET /api/flows} through today's ApiSecurityFilter
 * and through the filter before the routed-path check ({@link OldApiSecurityFilter}), in the
 * same hub and the same run: one switch filter delegates to either, and the phases alternate.
 * Run: {@code mvn -o -q test-compile && java -cp target/test-classes:target/classes:$(cat cp.txt)
 * com.altus.hub.platform.security.AuthFilterBench [seconds-per-phase] [rounds] [client-threads]}.
 */
public final class AuthFilterBench {
    private static final String TOKEN = "bench-token-0123456789abcdef";
    private static volatile boolean useOld;

    private AuthFilterBench() {
    }

    /** Replaces the registration of ApiSecurityFilter with the switch (a source class, not scanned). */
    public static class Wiring {
        @Bean
        public FilterRegistrationBean<ApiSecurityFilter> disableApiSecurityFilter(ApiSecurityFilter filter) {
            FilterRegistrationBean<ApiSecurityFilter> r = new FilterRegistrationBean<>(filter);
            r.setEnabled(false);
            return r;
        }

        @Bean
        public FilterRegistrationBean<OncePerRequestFilter> switchFilter(ApiSecurityFilter current, ObjectMapper json) {
            OldApiSecurityFilter old = new OldApiSecurityFilter(TOKEN, true, json, DataSize.ofMegabytes(1),
                    DataSize.ofMegabytes(210), DataSize.ofMegabytes(150), DataSize.ofMegabytes(50));
            OncePerRequestFilter sw = new OncePerRequestFilter() {
                @Override
                protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
                        throws ServletException, IOException {
                    (useOld ? old : current).doFilter(req, res, chain);
                }
            };
            FilterRegistrationBean<OncePerRequestFilter> r = new FilterRegistrationBean<>(sw);
            r.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
            return r;
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        SpringApplication app = new SpringApplication(HubApplication.class, Wiring.class);
        app.setDefaultProperties(Map.of("hub.api.token", TOKEN, "hub.scheduling.enabled", "false",
                "spring.quartz.auto-startup", "false", "camel.component.quartz.auto-start-scheduler", "false",
                "server.port", "0", "HUB_DATA_DIR", "target/bench-data", "logging.level.root", "WARN"));
        try (ConfigurableApplicationContext ctx = app.run()) {
            int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/flows"))
                    .header("Authorization", "Bearer " + TOKEN).GET().build();
            for (boolean old : new boolean[] {true, false, true, false}) { // warm-up (JIT) of both paths
                useOld = old;
                measure(http, get, seconds, threads);
            }
            double oldSum = 0;
            double newSum = 0;
            for (int i = 0; i < rounds; i++) {
                // alternate which filter goes first, so drift in the machine's load hits both alike
                for (boolean old : i % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                    useOld = old;
                    double rate = measure(http, get, seconds, threads);
                    System.err.printf(java.util.Locale.ROOT, "round %d %s filter: %.0f req/s%n", i, old ? "old" : "new", rate);
                    if (old) {
                        oldSum += rate;
                    } else {
                        newSum += rate;
                    }
                }
            }
            BenchReport.line("auth_filter_get_api_flows", newSum / rounds, "req/s", oldSum / rounds);

            // the filters alone, without HTTP: nanoseconds per authenticated GET /api/flows
            ApiSecurityFilter current = ctx.getBean(ApiSecurityFilter.class);
            OldApiSecurityFilter old = new OldApiSecurityFilter(TOKEN, true, ctx.getBean(ObjectMapper.class),
                    DataSize.ofMegabytes(1), DataSize.ofMegabytes(210), DataSize.ofMegabytes(150), DataSize.ofMegabytes(50));
            double oldNs = 0;
            double newNs = 0;
            for (int i = 0; i < rounds + 1; i++) {
                double o = nanosPerCall(old, 500_000);
                double n = nanosPerCall(current, 500_000);
                if (i > 0) { // the first round warms up the JIT
                    oldNs += o;
                    newNs += n;
                }
            }
            BenchReport.line("auth_filter_alone_get_api_flows", newNs / rounds, "ns/request", oldNs / rounds);
        }
    }

    private static double nanosPerCall(OncePerRequestFilter filter, int calls) throws Exception {
        org.springframework.mock.web.MockHttpServletRequest req = new org.springframework.mock.web.MockHttpServletRequest("GET", "/api/flows");
        req.setServletPath("/api/flows");
        req.addHeader("Authorization", "Bearer " + TOKEN);
        org.springframework.mock.web.MockHttpServletResponse res = new org.springframework.mock.web.MockHttpServletResponse();
        long[] passed = {0};
        FilterChain chain = (rq, rs) -> passed[0]++;
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            filter.doFilter(req, res, chain);
        }
        long elapsed = System.nanoTime() - start;
        if (passed[0] != calls || res.getStatus() != 200) {
            throw new IllegalStateException("the filter refused the authenticated request");
        }
        return (double) elapsed / calls;
    }

    /** Requests/s of {@code threads} clients sending GETs back to back for {@code seconds}; every answer must be 200. */
    private static double measure(HttpClient http, HttpRequest get, int seconds, int threads) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Thread> clients = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException("GET /api/flows answered " + r.statusCode());
                        }
                        done.incrementAndGet();
                    }
                } catch (Exception e) {
                    failures.add(e);
                }
            });
            th.start();
            clients.add(th);
        }
        for (Thread th : clients) {
            th.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("bench client failed", failures.get(0));
        }
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }
}
