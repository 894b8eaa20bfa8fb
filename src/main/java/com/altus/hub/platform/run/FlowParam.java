package com.altus.hub.platform.run;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run parameter a flow accepts, with its type. Values come as JSON from REST (a string, a
 * number, an array) or as text from the one-shot CLI ({@code --hub.param.as_of=2025-12-15},
 * {@code --hub.param.ids=3,4}); {@link #coerce} turns either into the one Java type the flow
 * reads, or refuses it with a {@link FlowParameterException} that names the parameter, before
 * any run row exists. A null is refused: leave a parameter out to get its default.
 */
public record FlowParam(String name, Type type, String description) {

    /** The parameter types flows use. */
    public enum Type {
        /** A string. */
        TEXT("a string"),
        /** A whole number (JSON number or its text). */
        INTEGER("an integer"),
        /** A calendar date, YYYY-MM-DD. */
        DATE("a date (YYYY-MM-DD)"),
        /** A list of whole numbers: a JSON array, or comma-separated text. */
        INTEGER_LIST("a list of integers"),
        /** A list of names: a JSON array of strings, or comma-separated text. */
        NAME_LIST("a list of names");

        private final String what;

        Type(String what) {
            this.what = what;
        }
    }

    public static FlowParam text(String name, String description) {
        return new FlowParam(name, Type.TEXT, description);
    }

    public static FlowParam integer(String name, String description) {
        return new FlowParam(name, Type.INTEGER, description);
    }

    public static FlowParam date(String name, String description) {
        return new FlowParam(name, Type.DATE, description);
    }

    public static FlowParam integers(String name, String description) {
        return new FlowParam(name, Type.INTEGER_LIST, description);
    }

    public static FlowParam names(String name, String description) {
        return new FlowParam(name, Type.NAME_LIST, description);
    }

    /**
     * The value as the flow reads it: TEXT -> String, INTEGER -> Long, DATE -> String (ISO, validated),
     * INTEGER_LIST -> List of Long, NAME_LIST -> List of String. Values stay JSON-friendly because
     * they are stored in {@code sync_jobs.params}.
     */
    public Object coerce(Object raw) {
        if (raw == null) {
            throw refuse("must not be null (leave it out for the default)");
        }
        return switch (type) {
            case TEXT -> {
                if (raw instanceof String s) {
                    yield s;
                }
                throw refuse("must be " + type.what);
            }
            case INTEGER -> integer(raw);
            case DATE -> {
                if (!(raw instanceof String s)) {
                    throw refuse("must be " + type.what);
                }
                try {
                    yield LocalDate.parse(s.trim()).toString();
                } catch (DateTimeParseException e) {
                    throw refuse("must be " + type.what + ", got '" + s + "'");
                }
            }
            case INTEGER_LIST -> {
                List<Long> out = new ArrayList<>();
                for (Object o : items(raw)) {
                    out.add(integer(o));
                }
                yield out;
            }
            case NAME_LIST -> {
                List<String> out = new ArrayList<>();
                for (Object o : items(raw)) {
                    if (!(o instanceof String s) || s.isBlank()) {
                        throw refuse("must be " + type.what);
                    }
                    out.add(s.trim());
                }
                yield out;
            }
        };
    }

    private List<?> items(Object raw) {
        if (raw instanceof List<?> list) {
            return list;
        }
        if (raw instanceof String s) {
            List<String> parts = new ArrayList<>();
            for (String p : s.split(",")) {
                if (!p.isBlank()) {
                    parts.add(p.trim());
                }
            }
            return parts;
        }
        throw refuse("must be " + type.what);
    }

    private Long integer(Object raw) {
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof java.math.BigInteger b && b.bitLength() < 64) {
            return b.longValue();
        }
        if (raw instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw refuse("must be " + type.what + ", got '" + s + "'");
            }
        }
        throw refuse("must be " + type.what);
    }

    private FlowParameterException refuse(String why) {
        return new FlowParameterException(name, "run parameter '" + name + "' " + why);
    }

    @Override
    public String toString() {
        return name + " (" + type.name().toLowerCase(Locale.ROOT) + ")";
    }
}
