package com.altus.hub.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedProcessorMBean;
import org.apache.camel.api.management.mbean.ManagedRouteMBean;

/**
 * What the Camel steps of some routes cost, from Camel's own JMX statistics: per route the time its
 * exchanges took, and per step (by id) the total time spent in it. Printed to stderr (the bench
 * lines on stdout stay results only); reset between measurements.
 */
final class StepTimes {
    private StepTimes() {
    }

    static void reset(CamelContext camel, String... routeIds) throws Exception {
        ManagedCamelContext managed = camel.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class);
        for (String id : routeIds) {
            ManagedRouteMBean route = managed.getManagedRoute(id);
            if (route != null) {
                route.reset(true);
            }
        }
    }

    static void print(CamelContext camel, String title, String... routeIds) {
        ManagedCamelContext managed = camel.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class);
        System.err.println("-- Camel step times: " + title);
        for (String id : routeIds) {
            ManagedRouteMBean route = managed.getManagedRoute(id);
            if (route == null) {
                continue;
            }
            System.err.printf(Locale.ROOT, "route %-36s %6d exchanges %9d ms total%n", id, route.getExchangesTotal(),
                    route.getTotalProcessingTime());
            List<ManagedProcessorMBean> steps = new ArrayList<>();
            Route r = camel.getRoute(id);
            for (var p : r.filter("*")) {
                if (!(p instanceof org.apache.camel.spi.IdAware node)) {
                    continue;
                }
                ManagedProcessorMBean m = managed.getManagedProcessor(node.getId());
                if (m != null && m.getExchangesTotal() > 0) {
                    steps.add(m);
                }
            }
            steps.sort(Comparator.comparingLong(ManagedProcessorMBean::getTotalProcessingTime).reversed());
            for (ManagedProcessorMBean m : steps) {
                System.err.printf(Locale.ROOT, "  step %-44s %6d x %9d ms total %8.2f ms mean%n", m.getProcessorId(), m.getExchangesTotal(),
                        m.getTotalProcessingTime(), m.getMeanProcessingTime() * 1.0);
            }
        }
    }
}
