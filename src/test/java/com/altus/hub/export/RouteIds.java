package com.altus.hub.export;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.OnExceptionDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;

/**
 * The steps of a route that have no id of their own (Hawtio and JMX would show them as "to3",
 * "bean7"...). The onException clauses merged in from route configurations are not the route's.
 */
public final class RouteIds {
    private RouteIds() {
    }

    public static List<String> withoutId(CamelContext camel, String routeId) {
        RouteDefinition route = camel.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinition(routeId);
        if (route == null) {
            throw new IllegalArgumentException("no route " + routeId);
        }
        List<String> missing = new ArrayList<>();
        walk(route.getOutputs(), missing);
        return missing;
    }

    private static void walk(List<?> nodes, List<String> missing) {
        for (Object o : nodes) {
            if (!(o instanceof ProcessorDefinition<?> n) || o instanceof OnExceptionDefinition) {
                // onException clauses come from the shared route configurations (platform/), not from the route
                continue;
            }
            if (!n.hasCustomIdAssigned()) {
                missing.add(n.getShortName() + " " + n.getLabel());
            }
            if (n instanceof ChoiceDefinition choice) {
                List<Object> clauses = new ArrayList<>(choice.getWhenClauses());
                if (choice.getOtherwise() != null) {
                    clauses.add(choice.getOtherwise());
                }
                walk(clauses, missing);
            }
            walk(n.getOutputs(), missing);
        }
    }
}
