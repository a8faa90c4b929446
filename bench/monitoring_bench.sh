#!/usr/bin/env bash
# monitoring_bench.sh - pjeval.monitoring_result over N monitoring reports
# against a plain aggregate of the same rows (the view's joins, the total
# fund line and the indicators counted, without the light functions), in one
# run: it loads N reports (a total fund line and 3 indicators each: a count,
# a rate and a reverse money target) into the database PGDATABASE etc. name,
# where pjeval is installed, times both queries and removes the rows again.
#
#   pg_virtualenv -t -v 15 bash -c 'psql -c "CREATE EXTENSION pjeval" && bash bench/monitoring_bench.sh'
#
# prints one line:  n=N plain_ms=… view_ms=… ratio=… (median of ROUNDS,
# interleaved).  A benchmark: it asserts nothing.
# Environment: N (100000), ROUNDS (3).  Needs a superuser (the load runs
# with session_replication_role = replica: no history, no workflow checks).
set -euo pipefail

N="${N:-100000}"
ROUNDS="${ROUNDS:-3}"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 --no-psqlrc)

"${PSQL[@]}" -v n="$N" <<'EOF'
SET session_replication_role = replica;
INSERT INTO pjeval.unit (name) SELECT 'bench-unit-' || g FROM generate_series(1, 100) g;
INSERT INTO pjeval.project (code, name, unit_id)
SELECT 'BENCH-' || g, 'bench project ' || g, (SELECT min(unit_id) FROM pjeval.unit WHERE name LIKE 'bench-unit-%') + g % 100
FROM generate_series(1, :n) g;
INSERT INTO pjeval.monitoring (project_id, year, month, declared_on_schedule, declared_stage_met)
SELECT p.project_id, 2023, 6 + p.project_id % 3, p.project_id % 2 = 0, p.project_id % 3 = 0
FROM pjeval.project p WHERE p.code LIKE 'BENCH-%';
INSERT INTO pjeval.monitoring_fund_line (monitoring_id, source, initial_budget, adjusted_budget, executed, forecast)
SELECT m.monitoring_id, 'total', 100000 + m.monitoring_id % 900000, 100000 + m.monitoring_id % 900000,
       (100000 + m.monitoring_id % 900000) * (m.monitoring_id % 97) / 100, 100000 + m.monitoring_id % 900000
FROM pjeval.monitoring m JOIN pjeval.project p USING (project_id) WHERE p.code LIKE 'BENCH-%';
INSERT INTO pjeval.monitoring_indicator (monitoring_id, position, level1, level2, level3, target_text, actual_text, forecast_text)
SELECT m.monitoring_id, k, '产出指标', l2, l3, t, a, t
FROM pjeval.monitoring m JOIN pjeval.project p USING (project_id)
CROSS JOIN LATERAL (VALUES
    (1, '数量指标', '培训人次', '≥1000人次', (m.monitoring_id % 1300) || '人次'),
    (2, '质量指标', '合格率', '95%以上', (80 + m.monitoring_id % 20) || '.5%'),
    (3, '成本指标', '项目支出', '≤50万元', (m.monitoring_id % 60) || '万元')) x (k, l2, l3, t, a)
WHERE p.code LIKE 'BENCH-%';
ANALYZE pjeval.unit, pjeval.project, pjeval.monitoring, pjeval.monitoring_fund_line, pjeval.monitoring_indicator;
EOF

# Both reduce one row per report to a few sums: no output cost, no column
# planned away.
VIEW_Q="SELECT count(*), count(*) FILTER (WHERE fund_light = 'red'), count(*) FILTER (WHERE project_light = 'red'),
       sum(red + yellow + green + blue + unlit), count(*) FILTER (WHERE dual_light = 'green')
FROM pjeval.monitoring_result"
PLAIN_Q="SELECT count(*), count(*) FILTER (WHERE f.executed * 100 < f.adjusted_budget * 35),
       count(*) FILTER (WHERE i.n > 2), sum(i.n), count(*) FILTER (WHERE m.declared_on_schedule AND m.declared_stage_met)
FROM pjeval.monitoring m
JOIN pjeval.project p ON p.project_id = m.project_id
JOIN pjeval.profile pr ON pr.name = m.profile
LEFT JOIN pjeval.monitoring_fund_line f ON f.monitoring_id = m.monitoring_id AND f.source = 'total'
LEFT JOIN (SELECT mi.monitoring_id, count(*) AS n FROM pjeval.monitoring_indicator mi GROUP BY mi.monitoring_id) i
  ON i.monitoring_id = m.monitoring_id"

run_ms() {
	"${PSQL[@]}" -c '\timing on' -c "$1" | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

run_ms "$PLAIN_Q" >/dev/null
run_ms "$VIEW_Q" >/dev/null
plain=()
view=()
for _ in $(seq "$ROUNDS"); do
	plain+=("$(run_ms "$PLAIN_Q")")
	view+=("$(run_ms "$VIEW_Q")")
done
p="$(printf '%s\n' "${plain[@]}" | median)"
v="$(printf '%s\n' "${view[@]}" | median)"
rows="$("${PSQL[@]}" -At -c "SELECT count(*) FROM pjeval.monitoring_result")"
echo "n=$N reports=$rows indicators=$((rows * 3)) plain_ms=$p view_ms=$v ratio=$(awk -v a="$v" -v b="$p" 'BEGIN { printf "%.2f", a / b }')"

"${PSQL[@]}" <<'EOF'
SET session_replication_role = replica;
DELETE FROM pjeval.monitoring_indicator WHERE monitoring_id IN
    (SELECT m.monitoring_id FROM pjeval.monitoring m JOIN pjeval.project p USING (project_id) WHERE p.code LIKE 'BENCH-%');
DELETE FROM pjeval.monitoring_fund_line WHERE monitoring_id IN
    (SELECT m.monitoring_id FROM pjeval.monitoring m JOIN pjeval.project p USING (project_id) WHERE p.code LIKE 'BENCH-%');
DELETE FROM pjeval.monitoring WHERE project_id IN (SELECT project_id FROM pjeval.project WHERE code LIKE 'BENCH-%');
DELETE FROM pjeval.project WHERE code LIKE 'BENCH-%';
DELETE FROM pjeval.unit WHERE name LIKE 'bench-unit-%';
EOF
