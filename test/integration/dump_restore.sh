#!/usr/bin/env bash
# dump_restore.sh - pg_dump and restore keep every pjeval form, and nothing
# else changes on the way: evaluation_result, audit_finding, every user table
# (history included, without duplicates), the place of every key sequence,
# the workflow state and row-level security.
#
# Run it as root (or any user) with PGHOST/PGPORT/PGUSER pointing at a
# server where pjeval is installed and PGUSER is a superuser, e.g.
#     pg_virtualenv -t -p pjeval test/integration/dump_restore.sh
# It creates (and drops) three databases and a few roles named pjeval_dr_*.
# The last line is `N passed, N failed`; the exit status is non-zero when a
# check failed or the set-up did not work.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

TAG="pjeval_dr_$$"
SRC="${TAG}_src"
PLAIN="${TAG}_plain"
CUSTOM="${TAG}_custom"
WORK="$(mktemp -d -t pjeval-dump.XXXXXX)"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 --no-psqlrc)

. test/integration/lib/harness.sh


drop_all() {
	for db in "$SRC" "$PLAIN" "$CUSTOM"; do
		dropdb --if-exists "$db" >/dev/null 2>&1
	done
	"${PSQL[@]}" -d postgres >/dev/null 2>&1 <<-'EOF'
		DROP ROLE IF EXISTS pjeval_dr_alice;
		DROP ROLE IF EXISTS pjeval_dr_bob;
		DROP ROLE IF EXISTS pjeval_dr_rev;
		DROP ROLE IF EXISTS pjeval_dr_unit_a;
		DROP ROLE IF EXISTS pjeval_dr_unit_b;
		DROP ROLE IF EXISTS pjeval_dr_reviewers;
	EOF
}
cleanup() { drop_all; rm -rf "$WORK"; }
trap cleanup EXIT


# must STEP CMD...: a set-up step; if it fails nothing after it can be trusted.
must() {
	local step="$1"
	shift
	if "$@" >"$WORK/step.log" 2>&1; then
		ok "$step"
	else
		fail "$step"
		sed 's/^/    /' "$WORK/step.log"
		finish
	fi
}

# ---- a source database with both seed forms in every state -----------------
drop_all	# roles left behind by an interrupted run

must "create the source database" createdb -T template0 -E UTF8 "$SRC"
must "CREATE EXTENSION pjeval" "${PSQL[@]}" -d "$SRC" -c 'CREATE EXTENSION pjeval'
must "enter the two seed forms" "${PSQL[@]}" -d "$SRC" -f test/integration/seed_forms.sql
must "import the monitoring report of the worked example, submitted, with a due date" \
	"${PSQL[@]}" -d "$SRC" -c "\\set doc \`cat demo/seed/longhua-monitoring-2023.txt\`" -f - <<-'EOF'
	SELECT count(*) FROM pjeval.import_monitoring(:'doc');
	SELECT pjeval.submit_monitoring(m.monitoring_id) FROM pjeval.monitoring m;
	INSERT INTO pjeval.monitoring_due (year, month, due_date) VALUES (2023, 7, '2023-08-10');
	EOF
must "roles, units, members, reviewers, a profile, a third form, workflow steps" \
	"${PSQL[@]}" -d "$SRC" <<-'EOF'
	CREATE ROLE pjeval_dr_unit_a NOLOGIN;
	CREATE ROLE pjeval_dr_unit_b NOLOGIN;
	CREATE ROLE pjeval_dr_reviewers NOLOGIN;
	CREATE ROLE pjeval_dr_alice NOLOGIN IN ROLE pjeval_dr_unit_a;
	CREATE ROLE pjeval_dr_bob NOLOGIN IN ROLE pjeval_dr_unit_b;
	CREATE ROLE pjeval_dr_rev NOLOGIN IN ROLE pjeval_dr_reviewers;
	-- PUBLIC reads; the administrator grants the writes (dumped with the tables)
	GRANT INSERT, UPDATE, DELETE ON pjeval.unit, pjeval.unit_member, pjeval.reviewer, pjeval.project,
	    pjeval.evaluation, pjeval.fund_line, pjeval.indicator, pjeval.rectification, pjeval.review, pjeval.review_item
	    TO pjeval_dr_unit_a, pjeval_dr_unit_b, pjeval_dr_reviewers;

	INSERT INTO pjeval.unit (name, parent_id)
	SELECT '龙华区某下属单位', unit_id FROM pjeval.unit WHERE name = '深圳市龙华区平安建设中心';
	INSERT INTO pjeval.unit_member (unit_id, role_name)
	SELECT unit_id, 'pjeval_dr_unit_a' FROM pjeval.unit WHERE name = '深圳市龙华区平安建设中心';
	INSERT INTO pjeval.unit_member (unit_id, role_name)
	SELECT unit_id, 'pjeval_dr_unit_b' FROM pjeval.unit WHERE name = '龙华区某下属单位';
	INSERT INTO pjeval.reviewer VALUES ('pjeval_dr_reviewers');

	-- a user profile (dumped) next to the built-in one (not dumped)
	INSERT INTO pjeval.profile (name, description, execution_weight, output_weight, low_execution_rate)
	VALUES ('local-exec20', 'execution 20, output 40', 20, 40, 90);

	-- a third form, in 万元, under the user profile, entered by a member
	SET ROLE pjeval_dr_bob;
	INSERT INTO pjeval.project (name, unit_id)
	SELECT '无编号的项目', unit_id FROM pjeval.unit WHERE name = '龙华区某下属单位';
	INSERT INTO pjeval.evaluation (project_id, year, amount_unit, reported_total)
	SELECT project_id, 2023, '万元', 88 FROM pjeval.project WHERE name = '无编号的项目';
	INSERT INTO pjeval.fund_line (evaluation_id, source, initial_budget, annual_budget, executed, reported_weight, reported_score)
	SELECT e.evaluation_id, 'total', 100, 120.5, 90.25, 20, 15 FROM pjeval.evaluation e WHERE e.year = 2023;
	INSERT INTO pjeval.indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight, reported_score, deviation_reason)
	SELECT e.evaluation_id, v.*
	FROM pjeval.evaluation e,
	     (VALUES (1, '产出指标', '数量指标', '培训人次', '≥500人次', '450人次', 40, 36, '疫情影响'),
	             (2, '效益指标', '社会效益指标', '群众知晓率', '有效提升', '明显提升', 30, 25, NULL),
	             (3, '满意度指标', '服务对象满意度指标', '满意度', '≥90%', '9x%', 10, 10, NULL)) AS v
	WHERE e.year = 2023;
	UPDATE pjeval.indicator SET deviation_reason = '已说明' WHERE level3 = '培训人次';
	RESET ROLE;
	-- the reviewer chooses its profile, and raises a 整改 item from a finding,
	-- which the unit takes up
	SET ROLE pjeval_dr_rev;
	UPDATE pjeval.evaluation SET profile = 'local-exec20' WHERE year = 2023;
	SELECT pjeval.raise_rectification('evaluation', e.evaluation_id, 'actual_unreadable', '补正实际完成值',
	                                  '2024-06-30', 3)
	FROM pjeval.evaluation e WHERE e.year = 2023;
	SET ROLE pjeval_dr_bob;
	UPDATE pjeval.rectification SET status = 'in_progress', measures = '核对满意度调查结果';
	RESET ROLE;
	-- the daily job finds it overdue (due 2024-06-30)
	SELECT pjeval.record_overdue_rectifications('2024-07-01');

	-- form 1 approved, form 2 submitted, form 3 a draft
	SET ROLE pjeval_dr_alice;
	SELECT pjeval.submit(e.evaluation_id) FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id)
	WHERE p.code IN ('440309210901500004279', '440309210901500007728');
	SET ROLE pjeval_dr_rev;
	SELECT pjeval.approve(e.evaluation_id) FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id)
	WHERE p.code = '440309210901500004279';
	-- the reviewer re-scores a row of the submitted form
	INSERT INTO pjeval.review (evaluation_id, reviewed_on, conclusion)
	SELECT e.evaluation_id, '2023-06-30', '抽查' FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id)
	WHERE p.code = '440309210901500007728';
	INSERT INTO pjeval.review_item (evaluation_id, position, review_score, defect_class, reason, level)
	SELECT r.evaluation_id, 1, 4.00, 'moderate', '有方向无计算公式', 'P1' FROM pjeval.review r;
	RESET ROLE;
	EOF

# snapshot DB: everything a restore must keep, in a stable order, as text
snapshot() {
	"${PSQL[@]}" -d "$1" -A -t <<-'EOF'
	\pset null '<null>'
	SELECT 'evaluation_result', r.* FROM pjeval.evaluation_result r ORDER BY r.project_code NULLS LAST, r.year;
	SELECT 'indicator_result', r.* FROM pjeval.indicator_result r ORDER BY r.evaluation_id, r.position;
	SELECT 'audit_finding', f.* FROM pjeval.audit_finding f ORDER BY f.evaluation_id, f.position NULLS FIRST, f.code;
	SELECT 'unit', t.* FROM pjeval.unit t ORDER BY 2;
	SELECT 'project', t.* FROM pjeval.project t ORDER BY 2;
	SELECT 'evaluation', t.* FROM pjeval.evaluation t ORDER BY 2;
	SELECT 'fund_line', t.* FROM pjeval.fund_line t ORDER BY 2;
	SELECT 'indicator', t.* FROM pjeval.indicator t ORDER BY 2;
	SELECT 'unit_member', t.* FROM pjeval.unit_member t ORDER BY 2, 3;
	SELECT 'reviewer', t.* FROM pjeval.reviewer t ORDER BY 2;
	SELECT 'history', t.* FROM pjeval.history t ORDER BY 2;
	SELECT 'profile', t.* FROM pjeval.profile t ORDER BY 2;
	SELECT 'rectification', t.* FROM pjeval.rectification t ORDER BY 2;
	SELECT 'rectification_overdue_record', t.* FROM pjeval.rectification_overdue_record t ORDER BY 2;
	SELECT 'monitoring', t.* FROM pjeval.monitoring t ORDER BY 2;
	SELECT 'monitoring_fund_line', t.* FROM pjeval.monitoring_fund_line t ORDER BY 2;
	SELECT 'monitoring_indicator', t.* FROM pjeval.monitoring_indicator t ORDER BY 2;
	SELECT 'monitoring_result', t.* FROM pjeval.monitoring_result t ORDER BY 2;
	SELECT 'monitoring_finding', t.* FROM pjeval.monitoring_finding t ORDER BY 2, 3 NULLS FIRST, 4;
	SELECT 'monitoring_due', t.* FROM pjeval.monitoring_due t ORDER BY 2, 3;
	SELECT 'review', t.* FROM pjeval.review t ORDER BY 2, 3;
	SELECT 'review_item', t.* FROM pjeval.review_item t ORDER BY 2, 3, 4;
	SELECT 'review_result', t.* FROM pjeval.review_result t ORDER BY 2, 3;
	SELECT 'sequence', s.sequencename, s.last_value FROM pg_catalog.pg_sequences s WHERE s.schemaname = 'pjeval' ORDER BY 2;
	EOF
}

must "snapshot the source" snapshot "$SRC"
snapshot "$SRC" >"$WORK/src.txt"

# The seed forms must arrive as the rules say (scoring-rules §2, §5).
if grep -q '^evaluation_result|[0-9]*|[0-9]*|440309210901500004279|.*|99\.93|99\.93|0\.00|优|' "$WORK/src.txt" &&
   grep -q '^evaluation_result|[0-9]*|[0-9]*|440309210901500007728|.*|100\.00|100|0\.00|优|' "$WORK/src.txt"; then
	ok "source: the seed forms total 99.93 and 100.00, grade 优"
else
	fail "source: the seed forms total 99.93 and 100.00, grade 优"
	grep '^evaluation_result' "$WORK/src.txt" | sed 's/^/    /'
fi

# ---- dump in both formats, restore into fresh databases ------------------------
must "pg_dump (plain)" pg_dump -d "$SRC" -f "$WORK/dump.sql"
must "pg_dump (custom)" pg_dump -d "$SRC" -Fc -f "$WORK/dump.custom"

if grep -q "^COPY pjeval.history " "$WORK/dump.sql" && grep -q "setval('pjeval.indicator_indicator_id_seq'" "$WORK/dump.sql"; then
	ok "the dump holds the user tables' rows and their sequences"
else
	fail "the dump holds the user tables' rows and their sequences"
fi
# target, actual and the level names are generated columns: the dump holds
# the texts only, and the restore computes them again (compared below).
copy_indicator="$(grep '^COPY pjeval.indicator (' "$WORK/dump.sql")"
if [ -n "$copy_indicator" ] && grep -q 'target_text' <<<"$copy_indicator" &&
	! echo "$copy_indicator" | grep -Eq '[(, ](target|actual|level1_name|level2_name)[,)]'; then
	ok "the dump holds the indicator texts, not their generated values"
else
	fail "the dump holds the indicator texts, not their generated values: $copy_indicator"
fi
if grep -q "^central-2020" "$WORK/dump.sql"; then
	fail "the built-in profile is not dumped (CREATE EXTENSION makes it)"
else
	ok "the built-in profile is not dumped (CREATE EXTENSION makes it)"
fi

must "restore the plain dump with psql" createdb -T template0 -E UTF8 "$PLAIN"
must "psql -f dump.sql (ON_ERROR_STOP)" "${PSQL[@]}" -d "$PLAIN" -f "$WORK/dump.sql"
must "restore the custom dump with pg_restore" createdb -T template0 -E UTF8 "$CUSTOM"
must "pg_restore --exit-on-error" pg_restore --exit-on-error -d "$CUSTOM" "$WORK/dump.custom"

for db in "$PLAIN" "$CUSTOM"; do
	kind="${db##*_}"
	snapshot "$db" >"$WORK/$kind.txt"

	if diff <(grep '^evaluation_result|' "$WORK/src.txt") <(grep '^evaluation_result|' "$WORK/$kind.txt") >"$WORK/diff" &&
	   [ "$(grep -c '^evaluation_result|' "$WORK/$kind.txt")" -eq 3 ]; then
		ok "$kind: evaluation_result is identical (3 forms)"
	else
		fail "$kind: evaluation_result is identical (3 forms)"
		sed 's/^/    /' "$WORK/diff"
	fi
	for part in indicator_result audit_finding unit project evaluation fund_line indicator unit_member reviewer history profile rectification rectification_overdue_record review review_item review_result monitoring monitoring_fund_line monitoring_indicator monitoring_result monitoring_finding monitoring_due sequence; do
		if diff <(grep "^$part|" "$WORK/src.txt") <(grep "^$part|" "$WORK/$kind.txt") >"$WORK/diff"; then
			ok "$kind: $part is identical ($(grep -c "^$part|" "$WORK/$kind.txt") rows)"
		else
			fail "$kind: $part is identical"
			sed 's/^/    /' "$WORK/diff" | head -n 20
		fi
	done

	# After the restore the database behaves as before it.
	out="$("${PSQL[@]}" -d "$db" -A -t 2>&1 <<-'EOF'
	SET ROLE pjeval_dr_bob;
	SELECT 'bob sees ' || count(*) FROM pjeval.evaluation_result;
	RESET ROLE;
	SET ROLE pjeval_dr_alice;
	SELECT 'alice sees ' || count(*) FROM pjeval.evaluation_result;
	RESET ROLE;
	BEGIN;
	SET LOCAL ROLE pjeval_dr_bob;
	WITH u AS (UPDATE pjeval.evaluation SET notes = '恢复后修改' RETURNING 1) SELECT 'bob changes ' || count(*) FROM u;
	ROLLBACK;
	EOF
	)"
	if [ "$out" = "bob sees 1
alice sees 2
bob changes 1" ]; then
		ok "$kind: row-level security still keeps the units apart, the granted writes came along"
	else
		fail "$kind: row-level security still keeps the units apart, the granted writes came along"
		echo "$out" | sed 's/^/    /'
	fi

	out="$("${PSQL[@]}" -d "$db" -A -t -v ON_ERROR_STOP=0 2>&1 <<-'EOF'
	\set VERBOSITY sqlstate
	UPDATE pjeval.indicator SET weight = 1
	WHERE evaluation_id = (SELECT e.evaluation_id FROM pjeval.evaluation e JOIN pjeval.project p USING (project_id)
	                       WHERE p.code = '440309210901500004279');
	EOF
	)"
	if grep -q '55000' <<<"$out"; then
		ok "$kind: the approved form is still read-only (55000)"
	else
		fail "$kind: the approved form is still read-only (55000)"
		echo "$out" | sed 's/^/    /'
	fi

	out="$("${PSQL[@]}" -d "$db" -A -t 2>&1 <<-'EOF'
	SELECT count(*) FROM pjeval.history \gset before_
	INSERT INTO pjeval.unit (name) VALUES ('恢复后新增单位');
	SELECT CASE WHEN (SELECT max(unit_id) FROM pjeval.unit) = (SELECT unit_id FROM pjeval.unit WHERE name = '恢复后新增单位')
	             AND (SELECT count(*) FROM pjeval.history) = :before_count + 1
	            THEN 'fresh keys, one history row' ELSE 'wrong' END;
	EOF
	)"
	if [ "$out" = "fresh keys, one history row" ]; then
		ok "$kind: new rows get fresh keys and exactly one history row each"
	else
		fail "$kind: new rows get fresh keys and exactly one history row each"
		echo "$out" | sed 's/^/    /'
	fi
done

finish
