package com.altus.hub.platform.rest;

import java.util.Map;

/**
 * An area whose endpoints are not Camel REST DSL routes (Spring MVC handlers that stream bodies)
 * contributes its OpenAPI 3 paths and components here, so that {@code /api/openapi.json} stays
 * the one document of the whole API.
 */
public interface OpenApiContributor {

    /** An OpenAPI 3 document; its {@code paths} and {@code components} are merged into the hub's. */
    Map<String, Object> openApi();
}
