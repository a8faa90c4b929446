#!/usr/bin/env bash
# targets_bench.sh - the target-quality audit (SELECT count(*) FROM
# pjeval.target_finding) over N generated target forms against a plain scan
# of the same target_indicator rows (joined to their form and project, every
# 指标值 and 计算公式 read), for each N of SIZES, printed side by side in
# one run.  Each size loads N forms into the database PGDATABASE etc. name,
# where pjeval is installed: 100 units, one project and one 2024 form each
# (half 延续, with 上年度实际水平), 6 indicators a form drawn from what real
# forms hold (a count, a rate with no 计算公式, a cost written ≥ on one form
# in ten, a bare benefit percentage, 满意度 with or without a survey, a
# qualitative one), so that every branch of the audit has rows to find and
# the same names and values recur across units (T7); it times both queries
# and removes the rows again.
#
#   pg_virtualenv -t -v 15 bash -c 'psql -c "CREATE EXTENSION pjeval" && bash bench/targets_bench.sh'
#
# prints a header and one line per size:  forms indicators findings plain_ms
# audit_ms ratio (median of ROUNDS, interleaved).  A benchmark: it asserts
# nothing.  Environment: SIZES ("10000 100000"), ROUNDS (3).  Needs a
# superuser (the load runs with session_replication_role = replica: no
# history, no workflow checks).
set -euo pipefail

SIZES="${SIZES:-10000 100000}"
ROUNDS="${ROUNDS:-3}"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 --no-psqlrc)

load() {
	"${PSQL[@]}" -v n="$1" <<-'EOF'
	SET session_replication_role = replica;
	INSERT INTO pjeval.unit (name) SELECT 'bench-unit-' || g FROM generate_series(1, 100) g;
	INSERT INTO pjeval.project (code, name, unit_id)
	SELECT 'TBENCH-' || g, 'bench project ' || g, (SELECT min(unit_id) FROM pjeval.unit WHERE name LIKE 'bench-unit-%') + g % 100
	FROM generate_series(1, :n) g;
	INSERT INTO pjeval.target (project_id, year, attribute)
	SELECT p.project_id, 2024, CASE WHEN p.project_id % 2 = 0 THEN '延续' ELSE '新增' END
	FROM pjeval.project p WHERE p.code LIKE 'TBENCH-%';
	INSERT INTO pjeval.target_indicator (target_id, position, level1, level2, level3, target_text, formula, last_year_text)
	SELECT t.target_id, x.k, x.l1, x.l2, x.l3, x.tt, x.f, x.ly
	FROM pjeval.target t JOIN pjeval.project p USING (project_id)
	CROSS JOIN LATERAL (VALUES
	    (1, '产出指标', '数量指标', '培训人次' || t.target_id % 50, '≥' || (100 + t.target_id % 900) || '人次', '实际人次/计划人次',
	        (50 + t.target_id % 1000) || '人次'),
	    (2, '产出指标', '质量指标', '验收合格率', '≥95%', NULL, '96.5%'),
	    (3, '产出指标', '成本指标', '项目支出', CASE WHEN t.target_id % 10 = 0 THEN '≥50万元' ELSE '≤50万元' END, '合同金额', NULL),
	    (4, '效益指标', '社会效益指标', '群众知晓率' || t.target_id % 20, '≥90%', NULL, NULL),
	    (5, '满意度指标', '服务对象满意度指标', '服务对象满意度', '≥90%',
	        CASE WHEN t.target_id % 2 = 0 THEN '问卷调查，抽样200人' END, NULL),
	    (6, '效益指标', '可持续影响指标', '治理水平', '有效提升', NULL, NULL)) x (k, l1, l2, l3, tt, f, ly)
	WHERE p.code LIKE 'TBENCH-%';
	ANALYZE pjeval.unit, pjeval.project, pjeval.target, pjeval.target_indicator;
	EOF
}

unload() {
	"${PSQL[@]}" <<-'EOF'
	SET session_replication_role = replica;
	DELETE FROM pjeval.target WHERE project_id IN (SELECT project_id FROM pjeval.project WHERE code LIKE 'TBENCH-%');
	DELETE FROM pjeval.project WHERE code LIKE 'TBENCH-%';
	DELETE FROM pjeval.unit WHERE name LIKE 'bench-unit-%';
	EOF
}

# Both reduce the rows to a few numbers: no output cost.
AUDIT_Q="SELECT count(*) FROM pjeval.target_finding"
PLAIN_Q="SELECT count(*), count(*) FILTER (WHERE pjeval.kind(ti.target) = 'quantity'),
       count(*) FILTER (WHERE ti.formula IS NULL), count(DISTINCT p.unit_id)
FROM pjeval.target_indicator ti
JOIN pjeval.target t ON t.target_id = ti.target_id
JOIN pjeval.project p ON p.project_id = t.project_id"

run_ms() {
	"${PSQL[@]}" -c '\timing on' -c "$1" | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '%-8s %-10s %-9s %-9s %-9s %s\n' forms indicators findings plain_ms audit_ms ratio
for n in $SIZES; do
	load "$n"
	run_ms "$PLAIN_Q" >/dev/null
	run_ms "$AUDIT_Q" >/dev/null
	plain=()
	audit=()
	for _ in $(seq "$ROUNDS"); do
		plain+=("$(run_ms "$PLAIN_Q")")
		audit+=("$(run_ms "$AUDIT_Q")")
	done
	p="$(printf '%s\n' "${plain[@]}" | median)"
	a="$(printf '%s\n' "${audit[@]}" | median)"
	findings="$("${PSQL[@]}" -At -c "$AUDIT_Q")"
	printf '%-8s %-10s %-9s %-9s %-9s %s\n' "$n" "$((n * 6))" "$findings" "$p" "$a" \
		"$(awk -v a="$a" -v b="$p" 'BEGIN { printf "%.1f", a / b }')"
	unload
done
