package com.altus.hub.platform.rest;

import java.util.Optional;

/**
 * An area's exceptions as problems (a Spring bean; {@link RestErrors} asks every mapper about
 * each cause of a failed REST exchange, outermost first). Keeps the platform's error handling
 * free of area types: the Dropbox side maps its store errors, the platform its own.
 */
public interface ProblemMapper {

    /** The problem for this exception, or empty when this mapper does not know it. */
    Optional<Problem> problemFor(Throwable t);
}
