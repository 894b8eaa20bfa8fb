package com.altus.hub.schedule;

import java.util.UUID;

/**
 * Port: the identity provider that gets one login per user of users.json (Supabase GoTrue's
 * admin API), or none in the embedded default (then only {@code user_profiles} is kept).
 * Every operation is idempotent, so replaying one after a crash is harmless.
 */
public interface AuthDirectory {

    /** A user as the directory should hold it: the id is users.json's UserId. */
    record AuthUser(UUID id, String email, String metadataJson) {
    }

    /** The email belongs to another auth user (a different id): a human has to sort it out. */
    class EmailTakenException extends Exception {
        public EmailTakenException(String message) {
            super(message);
        }
    }

    /** False for the "none" adapter: the flow then makes no auth calls at all. */
    boolean enabled();

    /** Creates the user with its id; an existing user with this id is brought up to date instead. */
    void create(AuthUser user) throws EmailTakenException, Exception;

    /** Sets email and metadata of the user; creates it when the directory has no user with this id. */
    void update(AuthUser user) throws EmailTakenException, Exception;

    /** Hard-deletes the user; a user that is already gone is fine. */
    void delete(UUID id) throws Exception;
}
