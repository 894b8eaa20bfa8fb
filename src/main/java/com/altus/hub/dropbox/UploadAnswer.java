package com.altus.hub.dropbox;

/** An upload endpoint's answer: status, JSON body, and whether it replays an earlier request with the same key. */
public record UploadAnswer(int status, String body, boolean replayed) {
}
