package com.altus.hub.dropbox;

/** An upload-session append or finish at another offset than the store's (Dropbox's incorrect_offset). */
public class IncorrectOffsetException extends RuntimeException {
    private final long correctOffset;

    public IncorrectOffsetException(long correctOffset) {
        super("incorrect_offset: the session is at offset " + correctOffset);
        this.correctOffset = correctOffset;
    }

    public long correctOffset() {
        return correctOffset;
    }
}
