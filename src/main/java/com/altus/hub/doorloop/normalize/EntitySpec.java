package com.altus.hub.doorloop.normalize;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How one DoorLoop entity maps from its raw table to its normalized table: typed columns, the
 * references that must resolve, and the set-based SQL built from them. Plain Java: the SQL text
 * is assembled from these fixed fragments only; every value is a bind parameter.
 *
 * @param entityType   dead-letter entity type (e.g. {@code unit})
 * @param statsGroup   stats group of the run record (e.g. {@code units})
 * @param table        normalized table
 * @param source       FROM source yielding {@code id, data, deleted_at}: a raw table, or a subquery for derived entities
 * @param derived      true when the rows are derived from another entity's records (links that vanish are marked deleted)
 * @param columns      typed columns
 * @param refs         single references (foreign keys as uuid)
 * @param listRef      a list of references ({@code units[]} of a lease), or null
 */
public record EntitySpec(String entityType, String statsGroup, String table, String source, boolean derived,
                         List<Column> columns, List<Ref> refs, ListRef listRef) {

    /** A typed column: its SQL expression over {@code r.data}, and the PostgreSQL type its text must parse as (or null). */
    public record Column(String name, String expression, String jsonPath, String validateAs) {
    }

    /**
     * A reference to a parent by DoorLoop id at {@code jsonPath}; {@code required} means the record is
     * an orphan when the field is null too (otherwise only an id that does not resolve is).
     */
    public record Ref(String column, String parentTable, String jsonPath, boolean required, String label) {
    }

    /** A JSON array of parent ids: {@code idsColumn} gets all of them as uuid[], {@code firstColumn} the first. */
    public record ListRef(String idsColumn, String firstColumn, String parentTable, String jsonPath, String label) {
    }

    public EntitySpec {
        columns = List.copyOf(columns);
        refs = List.copyOf(refs);
        Set<String> names = new LinkedHashSet<>();
        List<String> all = new ArrayList<>();
        columns.forEach(c -> all.add(c.name()));
        refs.forEach(r -> all.add(r.column()));
        if (listRef != null) {
            all.add(listRef.idsColumn());
            all.add(listRef.firstColumn());
        }
        for (String n : all) {
            if (!names.add(n)) {
                throw new IllegalArgumentException(table + ": column " + n + " is mapped twice");
            }
        }
    }

    /** Columns written besides id and doorloop_id, in order (deleted_at last). */
    public List<String> targetColumns() {
        List<String> out = new ArrayList<>();
        columns.forEach(c -> out.add(c.name()));
        refs.forEach(r -> out.add(r.column()));
        if (listRef != null) {
            out.add(listRef.idsColumn());
            out.add(listRef.firstColumn());
        }
        out.add("deleted_at");
        return out;
    }

    /** The parent tables this entity references (for ordering and tests). */
    public Set<String> parentTables() {
        Set<String> out = new LinkedHashSet<>();
        refs.forEach(r -> out.add(r.parentTable()));
        if (listRef != null) {
            out.add(listRef.parentTable());
        }
        return out;
    }

    /**
     * The set-based upsert. Parameters: when {@code filtered}, a text[] of source ids to restrict
     * the run to; then the entity type (to find open dead letters).
     * Answers one row: candidates, inserted, updated, deleted, rejected (jsonb [{id, reason, data}]),
     * resolved (text[] of ids with an open dead letter that now normalized).
     */
    public String upsertSql(boolean filtered) {
        return upsertSql(filtered, false);
    }

    /**
     * As {@link #upsertSql(boolean)}; with {@code fileRejects}, the rejected records are written to
     * {@code dead_letters} by the same statement (one open letter per record, upserted on the
     * letters' natural key) instead of being answered: the answer's {@code rejected} is then empty
     * and {@code lettered} counts them. Extra parameters, after the ids: flow, route id, run id,
     * backoff seconds of the first retry.
     */
    public String upsertSql(boolean filtered, boolean fileRejects) {
        StringBuilder sql = new StringBuilder(ctes(source, filtered));
        sql.append("up AS (\n").append(insert()).append("\n  RETURNING t.doorloop_id, (t.xmax = 0) AS inserted, t.deleted_at\n)");
        String rejectedRows = " FROM src s WHERE (s.missing IS NOT NULL OR s.invalid IS NOT NULL) AND s.deleted_at IS NULL";
        if (fileRejects) {
            sql.append(",\nletters AS (\n  INSERT INTO dead_letters (flow, route_id, entity_type, entity_key, payload, error_class,")
                    .append(" error_message, run_id, next_attempt_at)")
                    .append("\n  SELECT CAST(? AS text), CAST(? AS text), ").append(quote(entityType)).append(", s.id,")
                    .append(" jsonb_build_object('entity', ").append(quote(entityType))
                    .append(", 'ids', jsonb_build_array(s.id), 'record', s.data), 'RejectedRecord',")
                    .append("\n    left(").append(quote(entityType + " ")).append(" || s.id || ' not normalized ('")
                    .append(" || CASE WHEN s.missing IS NOT NULL THEN 'unresolved reference' ELSE 'invalid field' END")
                    .append(" || '): ' || concat_ws('; ', s.missing, s.invalid), 4000),")
                    .append(" CAST(? AS bigint), now() + make_interval(secs => CAST(? AS double precision))")
                    .append("\n ").append(rejectedRows)
                    .append("\n  ON CONFLICT (flow, entity_type, entity_key) WHERE status <> 'replayed'")
                    .append("\n  DO UPDATE SET payload = EXCLUDED.payload, route_id = EXCLUDED.route_id,")
                    .append(" error_class = EXCLUDED.error_class, error_message = EXCLUDED.error_message,")
                    .append(" run_id = EXCLUDED.run_id, last_failed_at = now()")
                    .append("\n  RETURNING 1\n)");
        }
        sql.append("\n");
        // the main query reads the table as of the statement's snapshot, i.e. the old deleted_at
        sql.append("SELECT (SELECT count(*) FROM good) AS candidates,\n")
                .append("  (SELECT count(*) FROM up WHERE inserted) AS inserted,\n")
                .append("  (SELECT count(*) FROM up WHERE NOT inserted) AS updated,\n")
                .append("  (SELECT count(*) FROM up JOIN ").append(table).append(" o ON o.doorloop_id = up.doorloop_id")
                .append(" WHERE NOT up.inserted AND up.deleted_at IS NOT NULL AND o.deleted_at IS NULL) AS deleted,\n")
                .append("  (SELECT count(*)").append(rejectedRows).append(" AND s.missing IS NOT NULL) AS orphaned,\n")
                .append("  (SELECT count(*)").append(rejectedRows).append(" AND s.missing IS NULL) AS invalid,\n")
                .append(fileRejects ? "  (SELECT count(*) FROM letters) AS lettered, '[]' AS rejected,\n"
                        : "  0 AS lettered, (SELECT coalesce(jsonb_agg(jsonb_build_object('id', s.id, 'missing', s.missing,"
                        + " 'invalid', s.invalid, 'data', s.data) ORDER BY s.id), '[]'::jsonb)" + rejectedRows + ")::text AS rejected,\n")
                .append("  (SELECT coalesce(array_agg(g.doorloop_id), '{}') FROM good g WHERE EXISTS (SELECT 1 FROM dead_letters d")
                .append(" WHERE d.flow = 'doorloop-normalize' AND d.entity_type = ? AND d.status <> 'replayed'")
                .append(" AND d.entity_key = g.doorloop_id)) AS resolved");
        return sql.toString();
    }

    /**
     * The same mapping for one record given as parameters (id text, data jsonb, deleted_at
     * timestamptz), without stats: what a row-by-row upsert would send per record. The benchmark's
     * baseline; the flow never uses it.
     */
    public String singleRowUpsertSql() {
        return ctes("(SELECT CAST(? AS text) AS id, CAST(? AS jsonb) AS data, CAST(? AS timestamptz) AS deleted_at)", false)
                + "up AS (\n" + insert() + "\n  RETURNING 1\n)\nSELECT count(*) FROM up";
    }

    private String insert() {
        List<String> cols = targetColumns();
        return "  INSERT INTO " + table + " AS t (id, doorloop_id, " + String.join(", ", cols) + ")"
                + "\n  SELECT id, doorloop_id, " + String.join(", ", cols) + " FROM good"
                + "\n  ON CONFLICT (doorloop_id) DO UPDATE SET (" + String.join(", ", cols) + ", updated_at) = ("
                + prefixed("EXCLUDED.", cols) + ", now())"
                + "\n  WHERE (" + prefixed("t.", cols) + ") IS DISTINCT FROM (" + prefixed("EXCLUDED.", cols) + ")";
    }

    /** The src (raw records with resolved references and reasons) and good (mapped rows) CTEs. */
    private String ctes(String from, boolean filtered) {
        StringBuilder src = new StringBuilder();
        src.append("WITH src AS (\n  SELECT r.id, r.data, r.deleted_at");
        for (int i = 0; i < refs.size(); i++) {
            src.append(", p").append(i).append(".id AS ").append(refs.get(i).column());
        }
        if (listRef != null) {
            src.append(", lr.ids AS ").append(listRef.idsColumn()).append(", lr.ids[1] AS ").append(listRef.firstColumn());
        }
        src.append(",\n    NULLIF(concat_ws('; ', NULL::text");
        for (int i = 0; i < refs.size(); i++) {
            Ref ref = refs.get(i);
            String path = path(ref.jsonPath());
            src.append(",\n      CASE WHEN ").append(path).append(" IS NULL THEN ")
                    .append(ref.required() ? quote(ref.label() + " is missing") : "NULL")
                    .append(" WHEN p").append(i).append(".id IS NULL THEN ").append(quote(ref.label() + " ")).append(" || ")
                    .append(path).append(" || ' is unknown' END");
        }
        if (listRef != null) {
            src.append(",\n      CASE WHEN lr.unknown IS NOT NULL THEN ").append(quote(listRef.label() + " "))
                    .append(" || lr.unknown || ' unknown' END");
        }
        src.append("), '') AS missing,\n    NULLIF(concat_ws('; ', NULL::text");
        for (Column c : columns) {
            if (c.validateAs() != null) {
                String path = path(c.jsonPath());
                src.append(",\n      CASE WHEN ").append(path).append(" IS NOT NULL AND NOT ")
                        .append(validSql(path, c.validateAs())).append(" THEN ")
                        .append(quote(c.jsonPath() + " is not a valid " + c.validateAs() + ": ")).append(" || ")
                        .append(path).append(" END");
            }
        }
        src.append("), '') AS invalid\n  FROM ").append(from).append(" r");
        for (int i = 0; i < refs.size(); i++) {
            Ref ref = refs.get(i);
            src.append("\n  LEFT JOIN ").append(ref.parentTable()).append(" p").append(i).append(" ON p").append(i)
                    .append(".doorloop_id = ").append(path(ref.jsonPath()));
        }
        if (listRef != null) {
            String arr = path(listRef.jsonPath()).replace("->>", "->");
            src.append("\n  LEFT JOIN LATERAL (SELECT array_agg(lp.id ORDER BY e.ord) AS ids,")
                    .append(" string_agg(e.v, ', ' ORDER BY e.ord) FILTER (WHERE lp.id IS NULL) AS unknown")
                    .append("\n    FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(").append(arr)
                    .append(") = 'array' THEN ").append(arr).append(" ELSE '[]'::jsonb END) WITH ORDINALITY e(v, ord)")
                    .append("\n    LEFT JOIN ").append(listRef.parentTable()).append(" lp ON lp.doorloop_id = e.v) lr ON true");
        }
        if (filtered) {
            src.append("\n  WHERE r.id = ANY (?)");
        }
        src.append("\n),\n");

        StringBuilder sql = new StringBuilder(src);
        sql.append("good AS (\n  SELECT doorloop_uuid(r.id) AS id, r.id AS doorloop_id");
        for (Column c : columns) {
            sql.append(",\n    ").append(c.expression()).append(" AS ").append(c.name());
        }
        for (Ref ref : refs) {
            sql.append(", r.").append(ref.column());
        }
        if (listRef != null) {
            sql.append(", coalesce(r.").append(listRef.idsColumn()).append(", '{}') AS ").append(listRef.idsColumn())
                    .append(", r.").append(listRef.firstColumn());
        }
        sql.append(", r.deleted_at\n  FROM src r WHERE r.missing IS NULL AND r.invalid IS NULL\n),\n");
        return sql.toString();
    }

    /**
     * For derived entities in a full run: rows whose source record no longer lists them (an owner
     * removed from a property) are marked deleted. Answers the number of rows marked.
     */
    public String vanishedSql() {
        if (!derived) {
            throw new IllegalStateException(table + " is not derived");
        }
        return "UPDATE " + table + " t SET deleted_at = now(), updated_at = now() WHERE t.deleted_at IS NULL"
                + " AND NOT EXISTS (SELECT 1 FROM " + source + " r WHERE r.id = t.doorloop_id)";
    }

    /**
     * Whether the text {@code v} (an SQL expression) casts to {@code pgType}: {@code hub_input_is_valid}
     * of V8__pg15_compat.sql, which is pg_input_is_valid on PostgreSQL 16+ and a portable equivalent
     * on 15 (well-formed shapes recognized in the statement, the cast tried only for the others).
     */
    public static String validSql(String v, String pgType) {
        return "hub_input_is_valid(" + v + ", " + quote(pgType) + ")";
    }

    /** {@code a.b.c} -> {@code (r.data->'a'->'b'->>'c')}. */
    static String path(String jsonPath) {
        String[] parts = jsonPath.split("\\.");
        StringBuilder sb = new StringBuilder("r.data");
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("bad JSON path " + jsonPath);
            }
            sb.append(i == parts.length - 1 ? "->>'" : "->'").append(parts[i]).append("'");
        }
        // parenthesized: ->> binds no tighter than || in PostgreSQL
        return "(" + sb + ")";
    }

    private static String quote(String literal) {
        return "'" + literal.replace("'", "''") + "'";
    }

    private static String prefixed(String prefix, List<String> cols) {
        StringBuilder sb = new StringBuilder();
        for (String c : cols) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(prefix).append(c);
        }
        return sb.toString();
    }
}
