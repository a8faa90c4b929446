#!/usr/bin/env bash
# upgrade.sh - ALTER EXTENSION pjeval UPDATE from every released version
# (upgrade/RELEASES: each one's install script is built from its commit with
# git archive and make, and copied into the server's extension directory)
# gives what a fresh CREATE EXTENSION gives: the same
# member objects with the same definitions, options, grants, policies and
# comments, and the forms entered before the update score as the same forms
# entered after it.
#
# Run it with PGHOST/PGPORT/PGUSER pointing at a server where pjeval is
# installed and PGUSER is a superuser, e.g.
#     pg_virtualenv -t -p pjeval test/integration/upgrade.sh
# It creates (and drops) two databases per released version.  The last line
# is `N passed, N failed`; the exit status is non-zero when a check failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

TAG="pjeval_up_$$"
WORK="$(mktemp -d -t pjeval-upgrade.XXXXXX)"
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1 --no-psqlrc)
SEED="demo/seed/longhua-2022.txt"
CURRENT="$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" pjeval.control)"

. test/integration/lib/harness.sh

dbs=()
cleanup() {
	for db in "${dbs[@]}"; do dropdb --if-exists "$db" >/dev/null 2>&1; done
	rm -rf "$WORK"
}
trap cleanup EXIT

# Every member of the extension, one line each, with what defines it (a
# table's indexes, constraints, triggers and policies sorted by name: the
# order they were made in differs after an update).
catalog() {
	"${PSQL[@]}" -d "$1" <<-'SQL'
		WITH m AS (
		    SELECT d.classid, d.objid
		    FROM pg_depend d
		    WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
		      AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pjeval')
		)
		SELECT pg_describe_object(m.classid, m.objid, 0) || ' | ' || coalesce(
		    CASE m.classid
		        WHEN 'pg_proc'::regclass THEN
		            (SELECT CASE p.prokind WHEN 'a'
		                        THEN format('aggregate(%s) %s %s %s %s', pg_get_function_arguments(p.oid),
		                                    a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggtranstype::regtype)
		                        ELSE pg_get_functiondef(p.oid) END
		                    || ' acl=' || coalesce(p.proacl::text, '-')
		             FROM pg_proc p LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid WHERE p.oid = m.objid)
		        WHEN 'pg_class'::regclass THEN
		            (SELECT format('kind=%s options=%s rls=%s/%s acl=%s def=%s columns=%s indexes=%s constraints=%s triggers=%s policies=%s',
		                    c.relkind, coalesce(c.reloptions::text, '-'), c.relrowsecurity, c.relforcerowsecurity,
		                    coalesce(c.relacl::text, '-'),
		                    CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END,
		                    (SELECT string_agg(format('%s %s%s%s %s', a.attname, format_type(a.atttypid, a.atttypmod),
		                                              CASE WHEN a.attnotnull THEN ' not null' END,
		                                              ' default ' || pg_get_expr(ad.adbin, ad.adrelid),
		                                              col_description(c.oid, a.attnum)), ', ' ORDER BY a.attnum)
		                     FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
		                     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
		                    (SELECT string_agg(pg_get_indexdef(i.indexrelid), '; ' ORDER BY pg_get_indexdef(i.indexrelid)) FROM pg_index i WHERE i.indrelid = c.oid),
		                    (SELECT string_agg(k.conname || ' ' || pg_get_constraintdef(k.oid), '; ' ORDER BY k.conname) FROM pg_constraint k WHERE k.conrelid = c.oid),
		                    (SELECT string_agg(pg_get_triggerdef(t.oid), '; ' ORDER BY t.tgname) FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal),
		                    (SELECT string_agg(format('%s %s %s %s %s', p.policyname, p.cmd, p.roles, p.qual, p.with_check), '; ' ORDER BY p.policyname)
		                     FROM pg_policies p WHERE p.schemaname = 'pjeval' AND p.tablename = c.relname))
		             FROM pg_class c WHERE c.oid = m.objid)
		        WHEN 'pg_type'::regclass THEN
		            (SELECT format('%s %s %s', t.typtype, t.typcategory,
		                           (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
		                            FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0))
		             FROM pg_type t WHERE t.oid = m.objid)
		        WHEN 'pg_operator'::regclass THEN
		            (SELECT format('%s %s %s', o.oprcode, o.oprrest, o.oprjoin) FROM pg_operator o WHERE o.oid = m.objid)
		    END, '') || ' | ' || coalesce(obj_description(m.objid, m.classid::regclass::name), '')
		FROM m
		ORDER BY 1;
		SELECT 'extconfig ' || string_agg(c::regclass::text || ' ' || coalesce(w, ''), ', ' ORDER BY c::regclass::text)
		FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x (c, w)
		WHERE e.extname = 'pjeval';
	SQL
}

# What the seed forms score: every form's numbers and findings, and how many
# stored results differ from the rules (none).
scores() {
	"${PSQL[@]}" -d "$1" <<-'SQL'
		SELECT project_code, year, execution_rate, fund_score, output_score, benefit_score,
		       satisfaction_score, total_score, grade, finding_count
		FROM pjeval.evaluation_result ORDER BY project_code;
		SELECT count(*), string_agg(DISTINCT code, ',' ORDER BY code) FROM pjeval.audit_finding;
		SELECT count(*) AS stored_results_differing FROM pjeval.verify_results();
	SQL
}

# install DB VERSION: a new database with pjeval at VERSION and the seed forms.
install() {
	dbs+=("$1")
	createdb -E UTF8 -T template0 --locale=C "$1" &&
		"${PSQL[@]}" -d "$1" -c "CREATE EXTENSION pjeval VERSION '$2'" &&
		"${PSQL[@]}" -d "$1" -v doc="$(cat "$SEED")" >/dev/null <<<"SELECT count(*) FROM pjeval.import_forms(:'doc')"
}

fresh="${TAG}_fresh"
install "$fresh" "$CURRENT" && ok "fresh install of $CURRENT, seed forms imported" || fail "fresh install of $CURRENT"
catalog "$fresh" >"$WORK/fresh.catalog"
scores "$fresh" >"$WORK/fresh.scores"
[ -s "$WORK/fresh.catalog" ] && [ "$(wc -l <"$WORK/fresh.catalog")" -gt 100 ] &&
	ok "fresh catalog lists $(wc -l <"$WORK/fresh.catalog") members" || fail "fresh catalog is empty"

# build VERSION COMMIT: the install script of a released version, from its
# commit, into the server's extension directory.
SHAREDIR="$(pg_config --sharedir)/extension"
build() {
	local src="$WORK/src-$1"
	mkdir -p "$src" &&
		git archive "$2" | tar -x -C "$src" &&
		make -s -C "$src" "pjeval--$1.sql" PG_CONFIG="$(command -v pg_config)" &&
		cp "$src/pjeval--$1.sql" "$SHAREDIR/pjeval--$1.sql"
}

git rev-parse --is-inside-work-tree >/dev/null 2>&1 && [ "$(git rev-parse --is-shallow-repository)" = false ] ||
	fail "upgrade.sh needs the project's full git history (a clone, not a copy or a shallow clone) to build released versions"
nreleased=0
while read -r from commit; do
	case "$from" in ''|'#'*) continue ;; esac
	[ "$from" != "$CURRENT" ] || continue
	nreleased=$((nreleased + 1))
	if build "$from" "$commit"; then
		ok "$from built from $commit"
	else
		fail "$from: cannot build its install script from $commit"
		continue
	fi
	db="${TAG}_${from//./_}"
	if install "$db" "$from"; then
		ok "$from installed, seed forms imported"
	else
		fail "$from install"
		continue
	fi
	if "${PSQL[@]}" -d "$db" -c 'ALTER EXTENSION pjeval UPDATE' >"$WORK/update.log" 2>&1; then
		ok "ALTER EXTENSION pjeval UPDATE from $from"
	else
		fail "ALTER EXTENSION pjeval UPDATE from $from: $(cat "$WORK/update.log")"
		continue
	fi
	v="$("${PSQL[@]}" -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'pjeval'")"
	[ "$v" = "$CURRENT" ] && ok "$from updated to $v" || fail "$from updated to '$v', expected $CURRENT"
	catalog "$db" >"$WORK/up.catalog"
	if diff -u "$WORK/fresh.catalog" "$WORK/up.catalog" >"$WORK/catalog.diff"; then
		ok "$from -> $CURRENT: every member object as a fresh install defines it"
	else
		fail "$from -> $CURRENT: member objects differ from a fresh install:"
		cut -c1-400 "$WORK/catalog.diff" | head -40
	fi
	scores "$db" >"$WORK/up.scores"
	if diff -u "$WORK/fresh.scores" "$WORK/up.scores" >"$WORK/scores.diff" && grep -q '99.93' "$WORK/up.scores"; then
		ok "$from -> $CURRENT: forms entered before the update score as in a fresh install (99.93 found)"
	else
		fail "$from -> $CURRENT: scores differ:"
		head -20 "$WORK/scores.diff"
	fi
done <upgrade/RELEASES
[ "$nreleased" -gt 0 ] && ok "$nreleased released versions updated" || fail "upgrade/RELEASES lists no released version"

# Rows that 0.2.0 took and the checks of 0.3.0 refuse (numbers beyond exact
# scoring: 10^19, NaN, a weight of 19 decimal places): the update keeps them,
# leaves those checks NOT VALID with a warning each (and validates the
# others), and every view, page and refresh still answers, flagging them
# (finding unscorable).
db="${TAG}_beyond"
if install "$db" 0.2.0 && "${PSQL[@]}" -d "$db" >/dev/null <<-'SQL'
	UPDATE pjeval.fund_line SET annual_budget = 1e19 WHERE source = 'total' AND evaluation_id = 1;
	UPDATE pjeval.fund_line SET executed = 'NaN' WHERE source = 'total' AND evaluation_id = 2;
	UPDATE pjeval.indicator SET weight = 6.1234567890123456789 WHERE evaluation_id = 1 AND position = 1;
SQL
then
	if "${PSQL[@]}" -d "$db" -c 'ALTER EXTENSION pjeval UPDATE' >"$WORK/update.log" 2>&1; then
		ok "0.2.0 with numbers beyond exact scoring: ALTER EXTENSION pjeval UPDATE"
	else
		fail "0.2.0 with numbers beyond exact scoring: ALTER EXTENSION pjeval UPDATE: $(cat "$WORK/update.log")"
	fi
	[ "$(grep -c 'WARNING:  pjeval: rows of .* left NOT VALID' "$WORK/update.log")" = 3 ] &&
		ok "one warning per check left NOT VALID" || fail "warnings: $(cat "$WORK/update.log")"
	got="$("${PSQL[@]}" -d "$db" 2>&1 <<-'SQL'
		SELECT string_agg(conname || CASE WHEN convalidated THEN '' ELSE ' NOT VALID' END, ', ' ORDER BY conname)
		FROM pg_constraint WHERE conname LIKE '%\_scorable' AND conrelid IN ('pjeval.fund_line'::regclass, 'pjeval.indicator'::regclass);
		SELECT count(*) FROM pjeval.evaluation_result WHERE grade IS NOT NULL;
		SELECT string_agg(evaluation_id || '/' || coalesce(position::text, '-'), ' ' ORDER BY evaluation_id, position NULLS FIRST)
		FROM pjeval.audit_finding WHERE code = 'unscorable';
		SELECT xml_is_well_formed_document(pjeval.report_html(2022)), length(pjeval.export_form(1, 'html')) > 0;
		CALL pjeval.refresh_reports();
		SELECT count(*) FROM pjeval.unit_year_report;
	SQL
	)"
	want="fund_line_annual_budget_scorable NOT VALID, fund_line_executed_scorable NOT VALID, fund_line_initial_budget_scorable, fund_line_reported_rate_scorable, fund_line_reported_score_scorable, fund_line_reported_weight_scorable, indicator_reported_score_scorable, indicator_weight_scorable NOT VALID
2
1/- 1/1 2/-
t|t
1"
	[ "$got" = "$want" ] && ok "0.2.0 with numbers beyond exact scoring: checks NOT VALID where rows break them, views total, rows flagged unscorable" ||
		fail "0.2.0 with numbers beyond exact scoring, got: $got"
else
	fail "0.2.0 with numbers beyond exact scoring: install"
fi

# Texts whose reading changed in 0.3.0 (units, issue 11 item 2): 0.2.0
# stored 5匹 as unreadable (NULL) and ≥ as qualitative text.  (The server
# runs this build's library, so those rows are written as 0.2.0 stored them:
# the reading trigger off, ≥ as the block 0.2.0 wrote.)  target and actual
# become generated columns in the update, so every stored value is read
# again from its text (a dump restores), and the update says how many rows
# now read otherwise.
db="${TAG}_reread"
if install "$db" 0.2.0 && "${PSQL[@]}" -d "$db" >/dev/null <<-'SQL'
	CREATE CAST (bytea AS pjeval.indicator_value) WITHOUT FUNCTION;
	ALTER TABLE pjeval.indicator DISABLE TRIGGER indicator_read_values;
	UPDATE pjeval.indicator SET target_text = '5匹', target = NULL WHERE evaluation_id = 1 AND position = 1;
	UPDATE pjeval.indicator SET actual_text = '≥', actual = decode('01020003e289a5', 'hex')::pjeval.indicator_value
	WHERE evaluation_id = 1 AND position = 2;
	ALTER TABLE pjeval.indicator ENABLE TRIGGER indicator_read_values;
	DROP CAST (bytea AS pjeval.indicator_value);
SQL
then
	if "${PSQL[@]}" -d "$db" -c 'ALTER EXTENSION pjeval UPDATE' >"$WORK/update.log" 2>&1 &&
		[ "$(grep -c 'WARNING:  pjeval: 2 indicator rows held a target or actual that this version reads otherwise from its text; they are read again' "$WORK/update.log")" = 1 ] &&
		[ "$(grep -c 'WARNING' "$WORK/update.log")" = 1 ]; then
		ok "0.2.0 with texts read otherwise now: updated, one warning for the 2 rows read again"
	else
		fail "0.2.0 with texts read otherwise now: $(cat "$WORK/update.log")"
	fi
	got="$("${PSQL[@]}" -d "$db" 2>&1 <<-'SQL'
		-- every stored value is its own text read now: a dump restores
		SELECT count(*) FROM pjeval.indicator
		WHERE target::text IS DISTINCT FROM pjeval.try_indicator_value(coalesce(target_text, ''))::text
		   OR actual::text IS DISTINCT FROM pjeval.try_indicator_value(coalesce(actual_text, ''))::text;
		SELECT coalesce(target::text, 'NULL') || ' ' || coalesce(pjeval.kind(actual), 'NULL') FROM pjeval.indicator WHERE evaluation_id = 1 AND position IN (1, 2) ORDER BY position;
	SQL
	)"
	want="0
5匹 quantity
≥2次/周 NULL"
	[ "$got" = "$want" ] && ok "0.2.0 with texts read otherwise now: every value read again from its text" ||
		fail "0.2.0 with texts read otherwise now, got: $got"
else
	fail "0.2.0 with texts read otherwise now: install"
fi

finish
