package com.altus.hub.doorloop.kpi;

import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Owns the SQL of doorloop-kpis: computes every metric of CONTRACT section 8 for the portfolio,
 * each property and each owner in one set-based statement over the normalized tables, and
 * replaces that date's rows of {@code kpi_summary} in one transaction (other dates are kept).
 */
@Repository
public class KpiRepository {
    /**
     * Per property a vector of the additive quantities; portfolio and owners are sums of
     * property vectors (owners unweighted by share), rates derived last. Deleted rows count nowhere.
     * Parameters: D (as date) repeated where marked.
     */
    static final String COMPUTE = """
            WITH d AS (SELECT CAST(? AS date) AS d),
            prop AS (
              SELECT p.id, p.doorloop_id, p.active FROM normalized_properties p WHERE p.deleted_at IS NULL
            ),
            active_lease AS (
              SELECT l.id, l.property_id, l.end_date, l.total_recurring_rent, l.total_balance_due, l.unit_ids
              FROM normalized_leases l, d
              WHERE l.deleted_at IS NULL AND l.status = 'ACTIVE' AND l.start_date <= d.d
                AND (l.end_date IS NULL OR l.end_date >= d.d OR l.term = 'ATWILL')
            ),
            occupied AS (SELECT DISTINCT unnest(unit_ids) AS unit_id FROM active_lease),
            unit_agg AS (
              SELECT u.property_id, count(*) AS total_units, count(o.unit_id) AS occupied_units,
                     coalesce(sum(u.market_rent) FILTER (WHERE o.unit_id IS NULL), 0) AS vacancy_loss
              FROM normalized_units u LEFT JOIN occupied o ON o.unit_id = u.id
              WHERE u.deleted_at IS NULL AND u.active
              GROUP BY u.property_id
            ),
            lease_agg AS (
              SELECT a.property_id, count(*) AS active_leases,
                     count(*) FILTER (WHERE a.end_date BETWEEN d.d AND d.d + %d) AS leases_expiring_30d,
                     coalesce(sum(a.total_recurring_rent), 0) AS rent_roll,
                     coalesce(sum(a.total_balance_due) FILTER (WHERE a.total_balance_due > 0), 0) AS delinquent_balance,
                     count(*) FILTER (WHERE a.total_balance_due > 0) AS delinquent_leases
              FROM active_lease a, d GROUP BY a.property_id
            ),
            wo_agg AS (
              SELECT t.property_id, count(*) AS open_work_orders
              FROM normalized_tasks t
              WHERE t.deleted_at IS NULL AND t.type = 'WORK_ORDER' AND t.status NOT IN ('COMPLETED', 'ARCHIVED')
                AND t.property_id IS NOT NULL
              GROUP BY t.property_id
            ),
            pay_agg AS (
              SELECT l.property_id, sum(x.amount_received) AS payments_collected_mtd
              FROM normalized_lease_payments x JOIN normalized_leases l ON l.id = x.lease_id, d
              WHERE x.deleted_at IS NULL AND NOT x.reversed
                AND x.payment_date >= date_trunc('month', d.d)::date
                AND x.payment_date < (date_trunc('month', d.d) + interval '1 month')::date
              GROUP BY l.property_id
            ),
            vec AS (
              SELECT p.id AS property_id, p.doorloop_id,
                     CASE WHEN p.active THEN 1 ELSE 0 END::numeric AS total_properties,
                     coalesce(u.total_units, 0)::numeric AS total_units,
                     coalesce(u.occupied_units, 0)::numeric AS occupied_units,
                     coalesce(la.active_leases, 0)::numeric AS active_leases,
                     coalesce(la.leases_expiring_30d, 0)::numeric AS leases_expiring_30d,
                     coalesce(la.rent_roll, 0) AS rent_roll,
                     coalesce(la.delinquent_balance, 0) AS delinquent_balance,
                     coalesce(la.delinquent_leases, 0)::numeric AS delinquent_leases,
                     coalesce(w.open_work_orders, 0)::numeric AS open_work_orders,
                     coalesce(pa.payments_collected_mtd, 0) AS payments_collected_mtd,
                     coalesce(u.vacancy_loss, 0) AS vacancy_loss
              FROM prop p
              LEFT JOIN unit_agg u ON u.property_id = p.id
              LEFT JOIN lease_agg la ON la.property_id = p.id
              LEFT JOIN wo_agg w ON w.property_id = p.id
              LEFT JOIN pay_agg pa ON pa.property_id = p.id
            ),
            scoped AS (
              SELECT 'property' AS scope, v.property_id AS scope_id, v.doorloop_id AS scope_doorloop_id,
                     v.total_properties, v.total_units, v.occupied_units, v.active_leases, v.leases_expiring_30d, v.rent_roll,
                     v.delinquent_balance, v.delinquent_leases, v.open_work_orders, v.payments_collected_mtd, v.vacancy_loss
              FROM vec v
              UNION ALL
              SELECT 'portfolio', NULL, NULL,
                     coalesce(sum(total_properties), 0), coalesce(sum(total_units), 0), coalesce(sum(occupied_units), 0),
                     coalesce(sum(active_leases), 0), coalesce(sum(leases_expiring_30d), 0), coalesce(sum(rent_roll), 0),
                     coalesce(sum(delinquent_balance), 0), coalesce(sum(delinquent_leases), 0),
                     coalesce(sum(open_work_orders), 0), coalesce(sum(payments_collected_mtd), 0), coalesce(sum(vacancy_loss), 0)
              FROM vec
              UNION ALL
              SELECT 'owner', o.id, o.doorloop_id,
                     sum(v.total_properties), sum(v.total_units), sum(v.occupied_units), sum(v.active_leases),
                     sum(v.leases_expiring_30d), sum(v.rent_roll), sum(v.delinquent_balance), sum(v.delinquent_leases),
                     sum(v.open_work_orders), sum(v.payments_collected_mtd), sum(v.vacancy_loss)
              FROM normalized_owners o
              JOIN (SELECT DISTINCT owner_id, property_id FROM normalized_property_owners WHERE deleted_at IS NULL) po
                ON po.owner_id = o.id
              JOIN vec v ON v.property_id = po.property_id
              WHERE o.deleted_at IS NULL
              GROUP BY o.id, o.doorloop_id
            )
            INSERT INTO kpi_summary (as_of, scope, scope_id, scope_doorloop_id, metric, value, run_id)
            SELECT d.d, s.scope, s.scope_id, s.scope_doorloop_id, m.metric, m.value, ?
            FROM scoped s, d
            CROSS JOIN LATERAL (VALUES
              ('total_properties', s.total_properties),
              ('total_units', s.total_units),
              ('occupied_units', s.occupied_units),
              ('vacant_units', s.total_units - s.occupied_units),
              ('occupancy_rate', CASE WHEN s.total_units = 0 THEN 0
                                      ELSE round(s.occupied_units * 100 / s.total_units, 2) END),
              ('active_leases', s.active_leases),
              ('leases_expiring_30d', s.leases_expiring_30d),
              ('rent_roll', s.rent_roll),
              ('delinquent_balance', s.delinquent_balance),
              ('delinquent_leases', s.delinquent_leases),
              ('open_work_orders', s.open_work_orders),
              ('payments_collected_mtd', s.payments_collected_mtd),
              ('vacancy_loss', s.vacancy_loss)
            ) AS m(metric, value)
            """.formatted(KpiMetrics.EXPIRING_DAYS);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public KpiRepository(JdbcTemplate jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /** What one computation wrote, per scope. */
    public record Written(long rows, long properties, long owners) {
    }

    /** Replaces the KPIs of date {@code asOf} (and only that date) in one transaction. */
    public Written replace(LocalDate asOf, Long runId) {
        Date d = Date.valueOf(asOf);
        return tx.execute(status -> {
            jdbc.update("DELETE FROM kpi_summary WHERE as_of = ?", d);
            long rows = jdbc.update(COMPUTE, d, runId);
            Map<String, Object> counts = jdbc.queryForMap("""
                    SELECT count(DISTINCT scope_id) FILTER (WHERE scope = 'property') AS properties,
                           count(DISTINCT scope_id) FILTER (WHERE scope = 'owner') AS owners
                    FROM kpi_summary WHERE as_of = ?
                    """, d);
            return new Written(rows, ((Number) counts.get("properties")).longValue(), ((Number) counts.get("owners")).longValue());
        });
    }

    /** The metrics of one scope on a date (scope id null for the portfolio), in metric order. */
    public Map<String, BigDecimal> read(LocalDate asOf, String scope, String scopeDoorloopId) {
        Map<String, BigDecimal> out = new LinkedHashMap<>();
        jdbc.query("""
                SELECT metric, value FROM kpi_summary
                WHERE as_of = ? AND scope = ? AND scope_doorloop_id IS NOT DISTINCT FROM ?
                """, rs -> {
            out.put(rs.getString("metric"), rs.getBigDecimal("value"));
        }, Date.valueOf(asOf), scope, scopeDoorloopId);
        Map<String, BigDecimal> ordered = new LinkedHashMap<>();
        for (String m : KpiMetrics.METRICS) {
            if (out.containsKey(m)) {
                ordered.put(m, out.get(m));
            }
        }
        return ordered;
    }
}
