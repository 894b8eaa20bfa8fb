package com.altus.hub.platform.security;

import com.fasterxml.jackson.core.StreamReadConstraints;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Parsing limits of the Spring-managed ObjectMapper (and so of its JsonFactory, which the
 * streaming upload parser uses too): every JSON the hub reads with it, request bodies as well
 * as SaaS responses and stored payloads, fails fast past these instead of filling the heap or
 * burning CPU. A violation surfaces as Jackson's {@code StreamConstraintsException}, which
 * {@code JsonBodies} answers with a 400 naming the field. Large file members are not affected:
 * they are read with {@code readBinaryValue}, which streams and never builds a string.
 */
@Configuration(proxyBeanMethods = false)
public class JsonReadLimits {
    /** Real payloads (DoorLoop pages, schedule files, OpenAPI) nest fewer than 20 levels. */
    public static final int MAX_NESTING_DEPTH = 64;
    /** Longest text value, in characters; file contents are streamed, never held as one string. */
    public static final int MAX_STRING_LENGTH = 8 * 1024 * 1024;
    /** Longest number, in characters (long numbers cost quadratic time to convert). */
    public static final int MAX_NUMBER_LENGTH = 100;
    /** Longest member name, in characters. */
    public static final int MAX_NAME_LENGTH = 1_000;

    public static StreamReadConstraints constraints() {
        return StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .build();
    }

    @Bean
    public Jackson2ObjectMapperBuilderCustomizer jsonReadLimitsCustomizer() {
        return builder -> builder.postConfigurer(mapper -> mapper.getFactory().setStreamReadConstraints(constraints()));
    }
}
