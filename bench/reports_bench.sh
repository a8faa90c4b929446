#!/usr/bin/env bash
# reports_bench.sh - what the dashboards and the scheduled reports cost, side
# by side in one run on one throwaway cluster, at SIZES forms (default 10000
# then 100000; about 20 indicators each, so 2,000,000 indicators at 100k):
#
#   refresh      CALL pjeval.refresh_reports(): the first build, then a
#                refresh with nothing changed and one after 1 % of the forms
#                changed, against a plain aggregate: the same GROUP BYs over
#                the tables (sums of amounts and reported scores, no scoring)
#   live views   typical dashboard queries (one unit's years, one year
#                across units, one project, a whole view) on the live views,
#                which score the forms as they read them
#   reports      the same queries on the refreshed *_report views
#   plain        the same figures from the tables by a plain GROUP BY
#
# each with max_parallel_workers_per_gather 0 and 2.  Queries run ROUNDS
# times (default 3) after a warm-up, the median counts, timed by EXPLAIN
# ANALYZE (TIMING OFF) so that every output column is computed and nothing
# is shipped to the client.  Prints every time, the ratios to the plain
# aggregate, and how each time grows from the first size to the last.
# A benchmark, not a test: it asserts nothing.
#
# The forms are generated with INSERT ... SELECT from generate_series,
# deterministic (setseed), as drafts and with triggers off
# (session_replication_role = replica: no history, no workflow); the typed
# values are the table's generated columns.
#
# Builds and installs into ./debian/pjeval, then runs on a throwaway cluster
# (pg_virtualenv -t -p pjeval), so nothing is installed system-wide.
# Environment: SIZES, ROUNDS, PG_MAJOR (15), SHARED_BUFFERS (2GB), WORK_MEM (64MB).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_MAJOR="${PG_MAJOR:-15}"
SIZES="${SIZES:-10000 100000}"
ROUNDS="${ROUNDS:-3}"
SHARED_BUFFERS="${SHARED_BUFFERS:-2GB}"
WORK_MEM="${WORK_MEM:-64MB}"

if [ "${1:-}" != --inside ]; then
	PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
	make -s PG_CONFIG="$PG_CONFIG"
	make -s install PG_CONFIG="$PG_CONFIG" DESTDIR="$PWD/debian/pjeval" >/dev/null
	exec pg_virtualenv -t -p pjeval -v "$PG_MAJOR" -o "shared_buffers=$SHARED_BUFFERS" \
		-o "work_mem=$WORK_MEM" -o max_parallel_workers_per_gather=2 bash "$0" --inside
fi

# ---- inside the throwaway cluster ------------------------------------------
export PGDATABASE=reportsbench PGCLIENTENCODING=UTF8
q() { psql -X -qAt -v ON_ERROR_STOP=1 "$@"; }
now_ms() { date +%s%3N; }
RESULTS="$(mktemp -t reports-bench.XXXXXX)"
trap 'rm -f "$RESULTS"' EXIT

echo "reports_bench: PostgreSQL $(q -d postgres -c 'SHOW server_version'), $(nproc) CPUs," \
	"shared_buffers=$(q -d postgres -c 'SHOW shared_buffers'), work_mem=$(q -d postgres -c 'SHOW work_mem')," \
	"jit=$(q -d postgres -c 'SHOW jit'), rounds=$ROUNDS"

# record SIZE KIND NAME WORKERS MS
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }

generate() {
	local forms="$1"
	q -v forms="$forms" <<-'SQL'
	SET session_replication_role = replica;
	SELECT setseed(0.20240601);
	-- 20 level-1 budget units, 10 implementing units under each
	INSERT INTO pjeval.unit (name, code)
	SELECT format('预算单位%s', b), format('B%s', b) FROM generate_series(1, 20) b;
	INSERT INTO pjeval.unit (name, code, parent_id)
	SELECT format('实施单位%s-%s', b, s), format('U%s-%s', b, s), u.unit_id
	FROM generate_series(1, 20) b JOIN pjeval.unit u ON u.code = format('B%s', b), generate_series(1, 10) s;
	-- a project per 5 forms, one form a year 2019-2023
	INSERT INTO pjeval.project (code, name, unit_id)
	SELECT format('4403092109015%s', lpad(g::text, 8, '0')), format('项目%s', g), u.unit_id
	FROM generate_series(1, :forms / 5) g
	JOIN pjeval.unit u ON u.code = format('U%s-%s', g % 20 + 1, (g / 20) % 10 + 1);
	INSERT INTO pjeval.evaluation (project_id, year, budget_unit_id, amount_unit, reported_weight_total, status)
	SELECT p.project_id, y, u.parent_id, CASE WHEN p.project_id % 4 = 0 THEN '万元' ELSE '元' END, 100,
	       CASE WHEN y < 2023 THEN 'approved' ELSE 'draft' END
	FROM pjeval.project p JOIN pjeval.unit u USING (unit_id), generate_series(2019, 2023) y;
	-- per form: a budget, an execution ratio, a quality (how well targets are met)
	CREATE TEMP TABLE form_q AS
	SELECT e.evaluation_id, e.project_id, e.amount_unit,
	       CASE WHEN e.amount_unit = '万元' THEN round((10 + random() * 990)::numeric, 2)
	            ELSE round((100000 + random() * 9900000)::numeric, 2) END AS b,
	       (0.45 + random() * 0.6)::numeric AS r,
	       0.35 + random() * 0.75 AS quality
	FROM pjeval.evaluation e;
	INSERT INTO pjeval.fund_line (evaluation_id, form_project_id, source, initial_budget, annual_budget, executed, reported_weight, reported_score)
	SELECT evaluation_id, project_id, 'total', b, b, round(b * r, 2), 10, pjeval.fund_score(b, round(b * r, 2), 10) FROM form_q;
	INSERT INTO pjeval.fund_line (evaluation_id, form_project_id, source, initial_budget, annual_budget, executed)
	SELECT evaluation_id, project_id, 'appropriation', b, b, round(b * r, 2) FROM form_q;
	INSERT INTO pjeval.fund_line (evaluation_id, form_project_id, source) SELECT evaluation_id, project_id, 'carryover' FROM form_q;
	INSERT INTO pjeval.fund_line (evaluation_id, form_project_id, source) SELECT evaluation_id, project_id, 'other' FROM form_q;
	-- 20 indicators a form: counts, percentages, days, a cost, qualitative
	-- rows and 不适用, in the standard places (one 社会成本 row under 效益)
	CREATE TEMP TABLE tmpl (position int, level1 text, level2 text, kind text, weight numeric);
	INSERT INTO tmpl VALUES
	 (1, '产出指标 (50分)', '数量指标', 'count', 5), (2, '产出指标 (50分)', '数量指标', 'count', 5),
	 (3, '产出指标 (50分)', '数量指标', 'count', 5), (4, '产出指标 (50分)', '数量指标', 'count', 5),
	 (5, '产出指标 (50分)', '质量指标', 'pct', 5), (6, '产出指标 (50分)', '质量指标', 'pct', 5),
	 (7, '产出指标 (50分)', '质量指标', 'qual', 5), (8, '产出指标 (50分)', '时效指标', 'days', 5),
	 (9, '产出指标 (50分)', '时效指标', 'pct', 5), (10, '产出指标 (50分)', '成本指标', 'cost', 5),
	 (11, '效益指标 (30分)', '社会效益指标', 'qual', 6), (12, '效益指标 (30分)', '社会效益指标', 'pct', 6),
	 (13, '效益指标 (30分)', '社会效益指标', 'count', 6), (14, '效益指标 (30分)', '经济效益指标', 'pct', 6),
	 (15, '效益指标 (30分)', '生态效益指标', 'na', 0), (16, '效益指标 (30分)', '可持续影响指标', 'qual', 6),
	 (17, '满意度指标 (10分)', '服务对象满意度指标', 'pct', 5), (18, '满意度指标 (10分)', '服务对象满意度指标', 'pct', 5),
	 (19, '满意度指标 (10分)', '其他满意度指标', 'na', 0), (20, '效益指标 (30分)', '社会成本指标', 'na', 0);
	INSERT INTO pjeval.indicator (evaluation_id, form_project_id, position, level1, level2, level3, target_text, actual_text,
	                              weight, reported_score, deviation_reason)
	SELECT x.evaluation_id, x.project_id, x.position, x.level1, x.level2, x.level3, x.tt, x.at, x.weight,
	       -- most report what the rules give; one row in ten claims the full weight
	       CASE WHEN x.claim THEN x.weight
	            ELSE coalesce(pjeval.indicator_score(pjeval.try_indicator_value(x.tt), pjeval.try_indicator_value(x.at),
	                                                 x.weight, x.level2), x.weight) END,
	       CASE WHEN x.explained THEN '已说明原因' END
	FROM (
	  SELECT v.evaluation_id, v.project_id, v.position, v.level1, v.level2, format('指标%s', v.position) AS level3, v.weight,
	         v.rnd2 < 0.5 AS explained, v.rnd2 > 0.9 AS claim,
	         CASE v.kind WHEN 'count' THEN format('≥%s次', v.n) WHEN 'pct' THEN format('≥%s%%', 80 + v.n % 20)
	                     WHEN 'days' THEN format('≤%s天', 10 + v.n % 50) WHEN 'cost' THEN format('≤%s万元', v.n)
	                     WHEN 'qual' THEN '有效提升' ELSE '不适用' END AS tt,
	         CASE v.kind WHEN 'count' THEN format('%s次', round(v.n * (v.quality + v.rnd * 0.6)))
	                     WHEN 'pct' THEN format('%s%%', round(least((80 + v.n % 20) * (v.quality + 0.15 + v.rnd * 0.2), 100)::numeric, 2))
	                     WHEN 'days' THEN format('%s天', round((10 + v.n % 50) * (1.6 - v.quality + v.rnd * 0.3)))
	                     WHEN 'cost' THEN format('%s万元', round((v.n * (0.8 + v.rnd * 0.3))::numeric, 2))
	                     WHEN 'qual' THEN CASE WHEN v.rnd < 0.9 THEN '有效提升' ELSE '部分提升' END
	                     ELSE '不适用' END AS at
	  FROM (SELECT f.evaluation_id, f.project_id, f.quality, t.*, random() AS rnd, random() AS rnd2, 1 + (random() * 500)::int AS n
	        FROM form_q f CROSS JOIN tmpl t) v
	) x;
	-- the reported total: the reported scores added up, a few rounded up
	UPDATE pjeval.evaluation e
	SET reported_total = least(100, s.total + CASE WHEN e.evaluation_id % 13 = 0 THEN 3 ELSE 0 END)
	FROM (SELECT i.evaluation_id, sum(i.reported_score) + max(f.reported_score) AS total
	      FROM pjeval.indicator i JOIN pjeval.fund_line f ON f.evaluation_id = i.evaluation_id AND f.source = 'total'
	      GROUP BY i.evaluation_id) s
	WHERE s.evaluation_id = e.evaluation_id;
	RESET session_replication_role;
	SQL
	q -c 'VACUUM ANALYZE'
}

# The plain aggregates: the figures a dashboard shows that need no scoring,
# straight from the tables.  %s: the filter.
# The filter (%s) is applied where the forms are joined, so that a plain
# query for one unit reads that unit's rows only, like the live views do.
PLAIN_FORMS="SELECT e.evaluation_id, e.project_id, e.year, p.unit_id, e.budget_unit_id, e.reported_total,
       round(f.annual_budget * CASE e.amount_unit WHEN '万元' THEN 10000 ELSE 1 END, 2) AS annual_budget,
       round(f.executed * CASE e.amount_unit WHEN '万元' THEN 10000 ELSE 1 END, 2) AS executed,
       sum(i.reported_score) AS reported, count(i.indicator_id) AS indicators
FROM pjeval.evaluation e JOIN pjeval.project p ON p.project_id = e.project_id
LEFT JOIN pjeval.fund_line f ON f.evaluation_id = e.evaluation_id AND f.source = 'total'
LEFT JOIN pjeval.indicator i ON i.evaluation_id = e.evaluation_id
%s
GROUP BY e.evaluation_id, p.unit_id, f.annual_budget, f.executed"
PLAIN_UNIT_YEAR="SELECT t.year, t.unit_id, t.budget_unit_id, count(*) AS forms, sum(t.annual_budget), sum(t.executed),
       sum(t.reported_total), min(t.reported_total), max(t.reported_total), sum(t.reported), sum(t.indicators)
FROM ($PLAIN_FORMS) t GROUP BY t.year, t.unit_id, t.budget_unit_id"
PLAIN_TREND="SELECT t.*, t.reported_total - lag(t.reported_total) OVER w AS change,
       t.annual_budget - lag(t.annual_budget) OVER w AS budget_change
FROM ($PLAIN_FORMS) t WINDOW w AS (PARTITION BY t.unit_id, t.project_id ORDER BY t.year)"
PLAIN_CATEGORY="SELECT e.year, p.unit_id, i.level1, i.level2, count(*), sum(i.weight), sum(i.reported_score)
FROM pjeval.indicator i JOIN pjeval.evaluation e ON e.evaluation_id = i.evaluation_id
JOIN pjeval.project p ON p.project_id = e.project_id
%s GROUP BY e.year, p.unit_id, i.level1, i.level2"

for size in $SIZES; do
	dropdb --if-exists reportsbench
	createdb -E UTF8 -T template0 --locale=C reportsbench
	q -c 'CREATE EXTENSION pjeval'
	t0=$(now_ms)
	generate "$size"
	t1=$(now_ms)
	counts="$(q -c "SELECT (SELECT count(*) FROM pjeval.evaluation) || ' forms, ' || (SELECT count(*) FROM pjeval.indicator) || ' indicators'")"
	echo
	echo "== $size forms: $counts, generated in $(((t1 - t0) / 1000)) s"

	q <<-'SQL'
	-- median of ROUNDS runs (after a warm-up) of EXPLAIN ANALYZE, in ms, and
	-- the parallel workers the last run launched
	CREATE SCHEMA bench;
	CREATE FUNCTION bench.run(query text, workers int, rounds int, OUT ms numeric, OUT launched int)
	LANGUAGE plpgsql AS $$
	DECLARE
	    j jsonb;
	    t numeric[] := '{}';
	BEGIN
	    PERFORM set_config('max_parallel_workers_per_gather', workers::text, true);
	    EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || query INTO j;
	    FOR i IN 1..rounds LOOP
	        EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || query INTO j;
	        t := t || round(((j->0->>'Planning Time')::numeric + (j->0->>'Execution Time')::numeric), 1);
	    END LOOP;
	    ms := (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(t) x);
	    launched := (SELECT coalesce(sum((w #>> '{}')::int), 0) FROM jsonb_path_query(j, 'strict $.**."Workers Launched"') w);
	END
	$$;
	SQL

	# ---- the refresh ------------------------------------------------------------
	t0=$(now_ms); q -c 'CALL pjeval.refresh_reports()'; t1=$(now_ms)
	record "$size" refresh "first build" 2 $((t1 - t0))
	for w in 0 2; do
		t0=$(now_ms); PGOPTIONS="-c max_parallel_workers_per_gather=$w" q -c 'CALL pjeval.refresh_reports()'; t1=$(now_ms)
		record "$size" refresh "nothing changed" "$w" $((t1 - t0))
		# 1 % of the forms: every 20th draft (the drafts are a fifth)
		q -c "UPDATE pjeval.indicator SET actual_text = '1次'
		      WHERE position = 1 AND evaluation_id % 20 = $w
		        AND evaluation_id IN (SELECT evaluation_id FROM pjeval.evaluation WHERE status = 'draft')" >/dev/null
		t0=$(now_ms); PGOPTIONS="-c max_parallel_workers_per_gather=$w" q -c 'CALL pjeval.refresh_reports()'; t1=$(now_ms)
		record "$size" refresh "1% of forms changed" "$w" $((t1 - t0))
		plain=0
		for p in "$PLAIN_UNIT_YEAR" "$PLAIN_TREND" "$PLAIN_CATEGORY"; do
			ms="$(q -F ' ' -c "SELECT ms FROM bench.run(\$q\$$(printf "$p" '')\$q\$, $w, $ROUNDS)")"
			plain="$(awk -v a="$plain" -v b="$ms" 'BEGIN { print a + b }')"
		done
		record "$size" refresh "plain: the three GROUP BYs" "$w" "$plain"
	done

	# ---- dashboard queries ---------------------------------------------------------
	unit="$(q -c "SELECT unit_id FROM pjeval.unit WHERE code = 'U7-3'")"
	project="$(q -c "SELECT min(project_id) FROM pjeval.project WHERE unit_id = $unit")"
	while IFS='|' read -r name live report plain; do
		[ -n "$name" ] || continue
		for w in 0 2; do
			for kind in live report plain; do
				case $kind in
					live) sql="$live" ;;
					report) sql="$report" ;;
					plain) sql="$plain" ;;
				esac
				sql="${sql//:unit/$unit}"; sql="${sql//:project/$project}"
				read -r ms launched <<<"$(q -F ' ' -c "SELECT ms, launched FROM bench.run(\$q\$$sql\$q\$, $w, $ROUNDS)")"
				record "$size" "$kind" "$name" "$w" "$ms"
				if [ "$launched" -gt 0 ]; then record "$size" "$kind-workers" "$name" "$w" "$launched"; fi
			done
		done
	done <<-EOF
	unit_year: one unit's years|SELECT * FROM pjeval.unit_year_summary WHERE unit_id = :unit|SELECT * FROM pjeval.unit_year_report WHERE unit_id = :unit|$(printf "$PLAIN_UNIT_YEAR" 'WHERE p.unit_id = :unit' | tr '\n' ' ')
	unit_year: one year, all units|SELECT * FROM pjeval.unit_year_summary WHERE year = 2022|SELECT * FROM pjeval.unit_year_report WHERE year = 2022|$(printf "$PLAIN_UNIT_YEAR" 'WHERE e.year = 2022' | tr '\n' ' ')
	unit_year: everything|SELECT * FROM pjeval.unit_year_summary|SELECT * FROM pjeval.unit_year_report|$(printf "$PLAIN_UNIT_YEAR" '' | tr '\n' ' ')
	project_trend: one project|SELECT * FROM pjeval.project_trend WHERE project_id = :project|SELECT * FROM pjeval.project_trend_report WHERE project_id = :project|$(printf "$PLAIN_TREND" 'WHERE e.project_id = :project' | tr '\n' ' ')
	project_trend: one unit|SELECT * FROM pjeval.project_trend WHERE unit_id = :unit|SELECT * FROM pjeval.project_trend_report WHERE unit_id = :unit|$(printf "$PLAIN_TREND" 'WHERE p.unit_id = :unit' | tr '\n' ' ')
	category: one year|SELECT * FROM pjeval.indicator_category_summary WHERE year = 2022|SELECT * FROM pjeval.indicator_category_report WHERE year = 2022|$(printf "$PLAIN_CATEGORY" 'WHERE e.year = 2022' | tr '\n' ' ')
	category: one unit, by unit|SELECT * FROM pjeval.indicator_category_by_unit WHERE unit_id = :unit|SELECT * FROM pjeval.indicator_category_by_unit_report WHERE unit_id = :unit|$(printf "$PLAIN_CATEGORY" 'WHERE p.unit_id = :unit' | tr '\n' ' ')
	EOF
done

# ---- the figures ---------------------------------------------------------------------
first="${SIZES%% *}"
last="${SIZES##* }"
echo
echo "== times in ms (median of $ROUNDS), ratio to the plain aggregate, growth from $first to $last forms"
awk -F '\t' -v first="$first" -v last="$last" '
	{ key = $2 "\t" $3 "\t" $4; v[$1 "\t" key] = $5; if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
	END {
		printf "%-8s %-32s %-2s", "kind", "query", "w"
		split("'"$SIZES"'", sizes, " ")
		for (s = 1; s in sizes; s++) printf " %12s %8s", sizes[s] " forms", "x plain"
		printf " %8s\n", "growth"
		for (i = 1; i <= n; i++) {
			split(order[i], k, "\t")
			if (k[1] ~ /-workers$/) continue
			printf "%-8s %-32s %-2s", k[1], k[2], k[3]
			for (s = 1; s in sizes; s++) {
				t = v[sizes[s] "\t" order[i]]
				if (k[1] == "refresh") p = v[sizes[s] "\trefresh\tplain: the three GROUP BYs\t" k[3]]
				else p = v[sizes[s] "\tplain\t" k[2] "\t" k[3]]
				printf " %12s %8s", t, (p > 0 && t != "" ? sprintf("%.1f", t / p) : "")
			}
			a = v[first "\t" order[i]]; b = v[last "\t" order[i]]
			printf " %8s\n", (a > 0 && b != "" && first != last ? sprintf("%.1f", b / a) : "")
		}
		printf "\nparallel workers launched (w=2):"
		for (i = 1; i <= n; i++) { split(order[i], k, "\t"); if (k[1] !~ /-workers$/) continue
			printf "\n  %-14s %-32s", k[1], k[2]; for (s = 1; s in sizes; s++) printf " %s", v[sizes[s] "\t" order[i]] }
		printf "\n"
	}' "$RESULTS"
