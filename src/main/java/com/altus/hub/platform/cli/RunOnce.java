package com.altus.hub.platform.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.altus.hub.HubApplication;
import com.altus.hub.platform.config.ConfigException;
import com.altus.hub.platform.db.EmbeddedDatabase;
import com.altus.hub.platform.run.FlowBusyException;
import com.altus.hub.platform.run.FlowDefinition;
import com.altus.hub.platform.run.FlowParameterException;
import com.altus.hub.platform.run.FlowRunner;
import com.altus.hub.platform.run.RunRecord;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code --hub.run-once=flow[,flow...]}: runs the flows in order without the web server, prints
 * one JSON run record per flow as the last lines of stdout (logs go to stderr) and answers
 * the exit code: 0 all succeeded, 3 some partial, 1 a failure, 2 a configuration error.
 */
public final class RunOnce {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_CONFIG = 2;
    public static final int EXIT_PARTIAL = 3;
    private static final String ARG = "--hub.run-once=";

    private RunOnce() {
    }

    public static String requestedFlows(String[] args) {
        for (String a : args) {
            if (a.startsWith(ARG)) {
                return a.substring(ARG.length());
            }
        }
        return System.getProperty("hub.run-once");
    }

    public static int execute(String[] args, String flowList) {
        List<String> flows = Arrays.stream(flowList.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (flows.isEmpty()) {
            System.err.println("altus-hub: configuration error: --hub.run-once needs at least one flow name");
            return EXIT_CONFIG;
        }
        // stdout carries only the run records; everything logged goes to stderr
        System.setProperty("HUB_LOG_TARGET", "System.err");
        List<String> fullArgs = new ArrayList<>(Arrays.asList(args));
        if (fullArgs.stream().noneMatch(a -> a.startsWith(ARG))) {
            fullArgs.add(ARG + flowList);
        }
        ConfigurableApplicationContext ctx;
        try {
            ctx = SpringApplication.run(HubApplication.class, fullArgs.toArray(String[]::new));
        } catch (RuntimeException e) {
            ConfigException config = findConfigError(e);
            System.err.println("altus-hub: " + (config != null ? "configuration error: " + config.getMessage()
                    : "failed to start: " + rootMessage(e)));
            return config != null ? EXIT_CONFIG : EXIT_FAILED;
        }
        List<RunRecord> records = new ArrayList<>();
        boolean configFailed = false;
        List<String> lines = new ArrayList<>();
        int code = EXIT_OK;
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        try {
            FlowRunner runner = ctx.getBean(FlowRunner.class);
            for (String flow : flows) {
                if (!runner.exists(flow)) {
                    System.err.println("altus-hub: configuration error: unknown flow '" + flow + "' (known: "
                            + String.join(", ", runner.flowNames()) + ")");
                    return EXIT_CONFIG;
                }
            }
            // each flow gets the parameters it declares; one no flow of the list declares is an error,
            // and every value is checked before the first flow runs
            Map<String, Object> given = params(args);
            Map<String, Map<String, Object>> perFlow = new LinkedHashMap<>();
            Set<String> used = new HashSet<>();
            try {
                for (String flow : flows) {
                    FlowDefinition def = runner.definition(flow);
                    Map<String, Object> mine = new LinkedHashMap<>();
                    given.forEach((k, v) -> {
                        if (def.accepts(k)) {
                            mine.put(k, v);
                            used.add(k);
                        }
                    });
                    def.validate(mine);
                    perFlow.put(flow, mine);
                }
            } catch (FlowParameterException bad) {
                System.err.println("altus-hub: configuration error: " + bad.getMessage());
                return EXIT_CONFIG;
            }
            for (String name : given.keySet()) {
                if (!used.contains(name)) {
                    System.err.println("altus-hub: configuration error: --hub.param." + name + " is a parameter of none of "
                            + String.join(", ", flows));
                    return EXIT_CONFIG;
                }
            }
            for (String flow : flows) {
                try {
                    FlowRunner.Outcome outcome = runner.runWithOutcome(flow, "cli", perFlow.get(flow));
                    RunRecord r = outcome.record();
                    records.add(r);
                    lines.add(json.writeValueAsString(r));
                    ConfigException config = findConfigError(outcome.failure());
                    if (config != null) {
                        // a flow that needs settings it does not have (e.g. teamspace-migrate without TEAM_DROPBOX_*)
                        System.err.println("altus-hub: configuration error: " + config.getMessage());
                        configFailed = true;
                    }
                } catch (FlowBusyException busy) {
                    lines.add(json.writeValueAsString(Map.of("flow", flow, "status", RunRecord.FAILED,
                            "error", busy.getMessage())));
                    code = EXIT_FAILED;
                }
            }
        } catch (Exception e) {
            System.err.println("altus-hub: " + rootMessage(e));
            code = EXIT_FAILED;
        } finally {
            ctx.close();
            EmbeddedDatabase.stopAll();
        }
        for (RunRecord r : records) {
            if (r.failed()) {
                code = EXIT_FAILED;
            } else if (RunRecord.PARTIAL.equals(r.status()) && code == EXIT_OK) {
                code = EXIT_PARTIAL;
            }
        }
        if (configFailed) {
            code = EXIT_CONFIG;
        }
        lines.forEach(System.out::println);
        System.out.flush();
        return code;
    }

    /** {@code --hub.param.NAME=VALUE} arguments become run parameters (e.g. --hub.param.as_of=2025-12-15). */
    static Map<String, Object> params(String[] args) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String a : args) {
            if (a.startsWith("--hub.param.") && a.contains("=")) {
                int eq = a.indexOf('=');
                out.put(a.substring("--hub.param.".length(), eq), a.substring(eq + 1));
            }
        }
        return out;
    }

    public static ConfigException findConfigError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException c) {
                return c;
            }
        }
        return null;
    }

    public static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
