package com.altus.hub.schedule;

import java.util.UUID;

/**
 * The embedded default's auth directory: provisioning is off (SUPABASE_URL unset). The flow
 * checks {@link #enabled()} and never calls the operations; calling one is a programming error.
 */
public final class NoAuthDirectory implements AuthDirectory {

    @Override
    public boolean enabled() {
        return false;
    }

    @Override
    public void create(AuthUser user) {
        throw off();
    }

    @Override
    public void update(AuthUser user) {
        throw off();
    }

    @Override
    public void delete(UUID id) {
        throw off();
    }

    private static IllegalStateException off() {
        return new IllegalStateException("auth provisioning is off (SUPABASE_URL is not set)");
    }
}
