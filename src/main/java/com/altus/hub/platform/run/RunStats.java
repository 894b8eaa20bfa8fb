package com.altus.hub.platform.run;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counters and values of one run, nested one level per group (e.g. per DoorLoop entity),
 * safe to update from several threads, serialized in insertion order into {@code sync_jobs.stats}.
 */
public final class RunStats {
    private final Map<String, Object> values = new LinkedHashMap<>();

    public synchronized long add(String key, long delta) {
        Object v = values.get(key);
        long n = (v instanceof Number num ? num.longValue() : 0L) + delta;
        values.put(key, n);
        return n;
    }

    public long increment(String key) {
        return add(key, 1);
    }

    /** Adds to {@code group.key}, e.g. add("properties", "inserted", 10). */
    public synchronized long add(String group, String key, long delta) {
        RunStats nested = group(group);
        return nested.add(key, delta);
    }

    public synchronized RunStats group(String group) {
        Object v = values.get(group);
        if (v instanceof RunStats rs) {
            return rs;
        }
        RunStats created = new RunStats();
        values.put(group, created);
        return created;
    }

    /** Sets a value (a number, string, boolean or list); replaces whatever was there. */
    public synchronized void set(String key, Object value) {
        values.put(key, value);
    }

    /** Makes sure a counter exists (so a zero is reported rather than missing). */
    public synchronized void declare(String... keys) {
        for (String k : keys) {
            values.putIfAbsent(k, 0L);
        }
    }

    public synchronized long get(String key) {
        Object v = values.get(key);
        return v instanceof Number n ? n.longValue() : 0L;
    }

    public synchronized Object value(String key) {
        Object v = values.get(key);
        return v instanceof RunStats rs ? rs.snapshot() : v;
    }

    /** A copy as plain maps, lists and numbers, for JSON. */
    public synchronized Map<String, Object> snapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, v instanceof RunStats rs ? rs.snapshot() : v));
        return out;
    }
}
