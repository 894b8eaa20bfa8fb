package com.altus.hub.dropbox;

import java.util.Map;

import com.altus.hub.platform.rest.OpenApiContributor;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Puts the upload endpoints (Spring MVC, streaming) into the hub's one /api/openapi.json. */
@Component
class UploadOpenApiContributor implements OpenApiContributor {
    private final String version;

    UploadOpenApiContributor(@Value("${hub.version:0.1.0}") String version) {
        this.version = version;
    }

    @Override
    public Map<String, Object> openApi() {
        return UploadOpenApi.document(version);
    }
}
