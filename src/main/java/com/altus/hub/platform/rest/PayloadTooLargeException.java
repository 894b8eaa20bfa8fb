package com.altus.hub.platform.rest;

/** A request body grew past its endpoint's limit while being read (answered 413). */
public class PayloadTooLargeException extends RuntimeException {
    public PayloadTooLargeException(long limit) {
        super("request body exceeds the limit of " + limit + " bytes for this endpoint");
    }
}
