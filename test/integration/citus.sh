#!/usr/bin/env bash
# citus.sh - pjeval on a real Citus cluster (issue 14): a coordinator and
# two workers on loopback, the distribution plan of docs/scaling.md
# (bench/distribution_plan.sql) applied as documented, and every view's rows
# compared with a single node loaded with the same forms.
#
# Skipped (`0 passed, 0 failed, 1 skipped`, exit 0) where Citus is not
# installed: it is not in Debian's archive; scripts/build-citus.sh builds it.
#
# What it does, each step counted:
#   1. four clusters in a temporary directory (initdb, trust on 127.0.0.1,
#      own ports, stopped and removed at exit): a coordinator and two
#      workers with shared_preload_libraries = citus, and a single node;
#   2. citus on the three, the workers added, CREATE EXTENSION pjeval on the
#      coordinator (Citus propagates it) and on the single node;
#   3. the seed forms (demo/seed/longhua-2022.txt) and FORMS generated forms
#      (bench/gen_forms.sql, a fixed seed) imported into both with
#      import_forms, while the coordinator's tables are still local;
#   4. the documented distribution, literally: citus.enable_unsafe_triggers
#      on, then create_reference_table / create_distributed_table per the
#      plan, referenced tables first.  Each refusal that issue 14 lists is
#      printed as `known` and passes; any other error fails, and so does a
#      known refusal that no longer happens (the list must then shrink,
#      together with docs/scaling.md);
#   5. the workarounds that let the tables distribute anyway (test-only,
#      on this throwaway cluster, each printed): form-less history rows
#      removed; on every node, policies with sub-selects dropped, keys
#      widened to include evaluation_id, the foreign keys between plan
#      tables dropped (added back once all are placed); user triggers
#      disabled while rows are copied into shards.  Then every table must
#      be placed as the plan says, the distributed ones co-located;
#   6. CALL refresh_reports() on both; every view and materialized view of
#      pjeval: the md5 of its ordered rows (timestamp columns left out: the
#      clusters loaded at different times) on the coordinator equals the
#      single node's; one form is a single-shard (router) query, all forms
#      run on the 32 shards;
#   7. what does not work on the cluster yet (issue 14), each statement
#      run and its error compared with the known one: `known` while it fails
#      as listed, FAILED when it fails otherwise or starts to work.
#
# Run as root or as a user who can run initdb (as root the clusters belong
# to postgres).  Needs no running server: under scripts/test.sh it ignores
# pg_virtualenv's.  Environment: PG_MAJOR (15), FORMS (generated forms,
# default 1000).  The last line is `N passed, N failed`.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
ROOT="$PWD"
. test/integration/lib/harness.sh

PG_MAJOR="${PG_MAJOR:-15}"
BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
FORMS="${FORMS:-1000}"
export PGCLIENTENCODING=UTF8

[ -x "$BIN/pg_config" ] || skip "citus: no PostgreSQL $PG_MAJOR server development files ($BIN/pg_config)"
if [ ! -f "$("$BIN/pg_config" --pkglibdir)/citus.so" ]; then
	skip "citus: Citus is not installed ($("$BIN/pg_config" --pkglibdir)/citus.so absent; it is not in Debian's archive: scripts/build-citus.sh builds it from a Citus source tree)"
fi

WORK="$(mktemp -d -t pjeval-citus.XXXXXX)"
chmod 755 "$WORK"
AS=()
if [ "$(id -u)" = 0 ]; then
	AS=(runuser -u postgres --)
	chown postgres "$WORK"
fi
NODES=(coord w1 w2 single)
declare -A PORT
cleanup() {
	[ -n "${CITUS_KEEP:-}" ] && { echo "kept: $WORK (ports ${PORT[*]})"; return; }
	for n in "${NODES[@]}"; do
		[ -f "$WORK/$n/postmaster.pid" ] && "${AS[@]}" "$BIN/pg_ctl" -D "$WORK/$n" -m immediate stop >/dev/null 2>&1
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# A port nothing listens on, from a start that differs per run.
free_port() {
	local p=$1
	while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || [ -e "/tmp/.s.PGSQL.$p" ]; do
		p=$((p + 1))
	done
	echo "$p"
}

# q NODE SQL...: psql on a node, unaligned, errors to stdout.
q() {
	local n=$1; shift
	psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${PORT[$n]}" -U postgres -d postgres "$@" 2>&1
}

# ---- 1. the clusters --------------------------------------------------------
next=$((20000 + ($$ % 20000)))
up=1
for n in "${NODES[@]}"; do
	PORT[$n]="$(free_port "$next")"
	next=$((PORT[$n] + 1))
	preload=citus; [ "$n" = single ] && preload=''
	if ! "${AS[@]}" "$BIN/initdb" -D "$WORK/$n" -U postgres -E UTF8 --locale=C -A trust >"$WORK/$n.initdb.log" 2>&1; then
		cat "$WORK/$n.initdb.log"; up=0; break
	fi
	cat >>"$WORK/$n/postgresql.conf" <<-EOF
		port = ${PORT[$n]}
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$WORK'
		shared_preload_libraries = '$preload'
		shared_buffers = 64MB
		max_connections = 60
		fsync = off
		jit = off
	EOF
	if ! "${AS[@]}" "$BIN/pg_ctl" -D "$WORK/$n" -l "$WORK/$n.log" -w -t 60 start >/dev/null; then
		cat "$WORK/$n.log"; up=0; break
	fi
done
if [ "$up" = 1 ]; then
	ok "four clusters on 127.0.0.1: coordinator ${PORT[coord]}, workers ${PORT[w1]} and ${PORT[w2]} (citus preloaded), single node ${PORT[single]}"
else
	fail "four clusters on 127.0.0.1"
	finish
fi

# ---- 2. Citus and pjeval -----------------------------------------------------
out="$(for n in coord w1 w2; do q "$n" -c 'CREATE EXTENSION citus' || exit 1; done
       q coord -c "SELECT citus_set_coordinator_host('127.0.0.1', ${PORT[coord]})" \
	       -c "SELECT citus_add_node('127.0.0.1', ${PORT[w1]})" \
	       -c "SELECT citus_add_node('127.0.0.1', ${PORT[w2]})" >/dev/null || exit 1
       q coord -c "SELECT citus_version()" -c "SELECT count(*) FROM citus_get_active_worker_nodes()")"
if [ "$(echo "$out" | tail -n 1)" = 2 ]; then
	ok "$(echo "$out" | head -n 1 | cut -d' ' -f1-2): a coordinator and 2 active workers"
else
	fail "Citus with two workers: $out"
	finish
fi

out="$(q coord -c 'CREATE EXTENSION pjeval' \
	-c "SELECT string_agg(result, ',' ORDER BY nodeport) FROM run_command_on_workers(\$\$SELECT extversion FROM pg_extension WHERE extname = 'pjeval'\$\$)" \
	-c "SELECT extversion FROM pg_extension WHERE extname = 'pjeval'" && q single -c 'CREATE EXTENSION pjeval')"
v="$(echo "$out" | sed -n 2p)"
if [ -n "$v" ] && [ "$(echo "$out" | sed -n 1p)" = "$v,$v" ]; then
	ok "CREATE EXTENSION pjeval $v on the coordinator, propagated to both workers; and on the single node"
else
	fail "CREATE EXTENSION pjeval on the cluster and the single node: $out"
	finish
fi

# ---- 3. the same forms on both --------------------------------------------------
q single -f bench/gen_forms.sql -c "SELECT pg_temp.gen_forms($FORMS, 0.42, 1)" >"$WORK/generated.txt"
gen_rc=$?
cp demo/seed/longhua-2022.txt "$WORK/seed.txt"
import() { # NODE FILE: the documented psql command
	(cd "$WORK" && q "$1" -c "\\set doc \`cat $2\`" -f - <<<"SELECT count(*) FROM pjeval.import_forms(:'doc')")
}
a="$(import single seed.txt; import single generated.txt)"
b="$(import coord seed.txt; import coord generated.txt)"
n_single="$(q single -c 'SELECT count(*) FROM pjeval.evaluation')"
n_coord="$(q coord -c 'SELECT count(*) FROM pjeval.evaluation')"
if [ "$gen_rc" = 0 ] && [ "$a" = "$b" ] && [ "$n_single" = $((FORMS + 2)) ] && [ "$n_coord" = "$n_single" ]; then
	ok "the 2 seed forms and $FORMS generated forms imported on both (import_forms, tables still local on the coordinator)"
else
	fail "the same forms on both: generator rc $gen_rc, single '$a' ($n_single forms), coordinator '$b' ($n_coord forms)"
	finish
fi

# The plan, referenced tables first (depth in the graph of foreign keys
# between plan tables), then evaluation, then the tables co-located with it.
q coord -c '\ir bench/distribution_plan.sql' -c "
	WITH RECURSIVE fk (child, parent) AS (
	    SELECT c.conrelid::regclass::text, c.confrelid::regclass::text
	    FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid <> c.confrelid
	      AND c.connamespace = 'pjeval'::regnamespace),
	depth (t, d) AS (
	    SELECT 'pjeval.' || table_name, 0 FROM dist_plan
	    UNION ALL
	    SELECT fk.child, depth.d + 1 FROM fk JOIN depth ON fk.parent = depth.t WHERE depth.d < 20)
	SELECT p.table_name || ' ' || p.placement
	FROM dist_plan p JOIN depth ON depth.t = 'pjeval.' || p.table_name
	GROUP BY p.table_name, p.placement
	ORDER BY p.placement DESC, p.table_name <> 'evaluation', max(depth.d), p.table_name" >"$WORK/plan.txt"
if [ "$(grep -c ' reference$\| distributed$' "$WORK/plan.txt")" -lt 10 ]; then
	fail "the plan could not be read: $(cat "$WORK/plan.txt")"
	finish
fi
place() { # TABLE PLACEMENT: the documented call
	if [ "$2" = reference ]; then
		echo "SELECT create_reference_table('pjeval.$1')"
	elif [ "$1" = evaluation ]; then
		echo "SELECT create_distributed_table('pjeval.evaluation', 'evaluation_id', colocate_with => 'none')"
	else
		echo "SELECT create_distributed_table('pjeval.$1', 'evaluation_id', colocate_with => 'pjeval.evaluation')"
	fi
}

# ---- 4. the documented distribution, literally --------------------------------
# What issue 14 found, per table: the first error of the documented call.
declare -A KNOWN_PLACE=(
	[finding_catalogue]='cannot drop view pjeval\.[a-z_]+ because extension pjeval requires it|the table referencing it (finding_message) is converted to a Citus local table, which recreates the views on it, and they belong to the extension'
	[finding_message]='cannot drop view pjeval\.[a-z_]+ because extension pjeval requires it|it references a local table, so Citus converts it to a Citus local table, which recreates the views on it, and they belong to the extension'
	[profile]='profile "[^"]*" is built in|cannot create policy|profile_protect refuses the copy of the built-in profiles into the shard; or converted with the monitoring tables, which reference it and whose policies have sub-selects (docs/scaling.md, must change 7)'
	[unit]='Subqueries are not supported in policies on distributed tables|every policy has a (SELECT is_reviewer(...)) sub-select'
	[project]='Subqueries are not supported in policies on distributed tables|every policy has a (SELECT ...) sub-select'
	[unit_member]='Subqueries are not supported in policies on distributed tables|every policy has a (SELECT ...) sub-select'
	[reviewer]='Subqueries are not supported in policies on distributed tables|every policy has a (SELECT ...) sub-select'
	[report_snapshot]='Subqueries are not supported in policies on distributed tables|every policy has a (SELECT ...) sub-select'
	[report_refresh]='cannot create policy|its policies, converted with the tables it is joined to by foreign keys, have sub-selects'
	[standard_fund_source]='cannot create policy|converted with monitoring_fund_line, which references it and whose policies have sub-selects (docs/scaling.md, must change 7)'
	[evaluation]='referenced table "unit" must be a distributed table or a reference table|its foreign keys reach unit, which did not distribute'
	[fund_line]='relation evaluation is not distributed|co-located with evaluation, which did not distribute'
	[indicator]='relation evaluation is not distributed|co-located with evaluation, which did not distribute'
	[read_finding]='relation evaluation is not distributed|co-located with evaluation, which did not distribute'
	[history]='relation evaluation is not distributed|co-located with evaluation, which did not distribute'
)
# known LABEL KNOWN_ENTRY OUTPUT RC: count a step that issue 14 says fails
known() {
	local label=$1 entry=$2 out=$3 rc=$4 pat why err
	pat="${entry%|*}"; why="${entry##*|}"	# the pattern may hold | alternatives
	err="$(echo "$out" | grep -m1 -E '^(psql:.*)?ERROR:' | sed -E 's/^psql:[^E]*ERROR:/ERROR:/')"
	if [ "$rc" -eq 0 ]; then
		fail "$label: works now, but is listed as a known failure ($why): update this list and docs/scaling.md"
	elif echo "$out" | grep -qE "$pat"; then
		passed=$((passed + 1)); echo "known  - $label: $err ($why)"
	else
		fail "$label: $(echo "$out" | grep -E 'ERROR|DETAIL' | head -n 2 | tr '\n' ' ')"
	fi
}
while read -r t placement; do
	out="$(q coord -c 'SET citus.enable_unsafe_triggers = on' -c "$(place "$t" "$placement")")"
	rc=$?
	if [ -n "${KNOWN_PLACE[$t]:-}" ]; then
		known "documented: $(place "$t" "$placement")" "${KNOWN_PLACE[$t]}" "$out" "$rc"
	elif [ "$rc" -eq 0 ]; then
		ok "documented: $(place "$t" "$placement")"
	else
		fail "documented: $(place "$t" "$placement"): $(echo "$out" | grep -E 'ERROR|DETAIL' | head -n 2 | tr '\n' ' ')"
	fi
done <"$WORK/plan.txt"

# ---- 5. the workarounds, so that the rest can be compared ---------------------
# Test-only, on this throwaway cluster: they take away row-level security,
# the history of form-less rows and the one-form-per-project-and-year key.
# The same DDL on the workers: CREATE EXTENSION made pjeval's tables there
# too, and Citus keeps those (not the coordinator's changed definition) as
# the workers' shell tables, so a change made on the coordinator before
# distributing does not reach them (a foreign key added back later would
# then exist twice there).
# form-less history rows (units, projects) have no shard to go to
out="$(q coord -c 'ALTER TABLE pjeval.history DISABLE TRIGGER USER' \
	-c 'DELETE FROM pjeval.history WHERE evaluation_id IS NULL' \
	-c 'SELECT count(*) FROM pjeval.history')"
if [ $? -eq 0 ]; then
	ok "workaround: form-less history rows removed ($(echo "$out" | tail -n 1) form rows kept)"
else
	fail "workaround on history: $out"
fi
# foreign keys between plan tables dropped while the tables distribute (a
# key from a local table to a distributed one makes Citus convert the local
# table, which recreates the extension's views on it: see 4), added back after
q coord -c '\ir bench/distribution_plan.sql' -F $'\t' -c "
	SELECT c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)
	FROM pg_constraint c
	WHERE c.contype = 'f'
	  AND c.conrelid IN (SELECT ('pjeval.' || table_name)::regclass FROM dist_plan)
	  AND c.confrelid IN (SELECT ('pjeval.' || table_name)::regclass FROM dist_plan)
	ORDER BY 1, 2" >"$WORK/fkeys.txt"
{
	echo '\i bench/distribution_plan.sql'
	while IFS=$'\t' read -r rel con def; do
		echo "ALTER TABLE $rel DROP CONSTRAINT $con;"
	done <"$WORK/fkeys.txt"
	cat <<-'EOF'
		DO $$
		DECLARE r record;
		BEGIN
		    -- policies with a sub-select (Citus refuses them on distributed tables)
		    FOR r IN SELECT pol.polname, pol.polrelid::regclass AS rel
		             FROM pg_policy pol JOIN dist_plan d ON ('pjeval.' || d.table_name)::regclass = pol.polrelid
		             WHERE coalesce(pg_get_expr(pol.polqual, pol.polrelid), '')
		                   || coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '') ~ 'SELECT'
		    LOOP
		        EXECUTE format('DROP POLICY %I ON %s', r.polname, r.rel);
		    END LOOP;
		    -- tables the plan does not place yet (docs/scaling.md, must change
		    -- 7) stay on the coordinator: their keys to plan tables would make
		    -- Citus convert them
		    FOR r IN SELECT c.conname, c.conrelid::regclass AS rel
		             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
		             WHERE c.contype = 'f' AND t.relnamespace = 'pjeval'::regnamespace
		               AND t.relname NOT IN (SELECT table_name FROM dist_plan)
		               AND c.confrelid IN (SELECT ('pjeval.' || table_name)::regclass FROM dist_plan)
		    LOOP
		        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
		    END LOOP;
		END
		$$;
		-- keys of distributed tables include evaluation_id; the one across
		-- shards cannot be kept
		ALTER TABLE pjeval.evaluation DROP CONSTRAINT evaluation_project_year_key;
		ALTER TABLE pjeval.fund_line DROP CONSTRAINT fund_line_pkey, ADD PRIMARY KEY (evaluation_id, fund_line_id);
		ALTER TABLE pjeval.indicator DROP CONSTRAINT indicator_pkey, ADD PRIMARY KEY (evaluation_id, indicator_id);
		ALTER TABLE pjeval.history DROP CONSTRAINT history_pkey, ADD PRIMARY KEY (evaluation_id, history_id);
		SELECT count(*) FROM pg_policy WHERE polrelid IN (SELECT ('pjeval.' || table_name)::regclass FROM dist_plan);
	EOF
} >"$WORK/workaround.sql"
for n in coord w1 w2; do
	out="$(q "$n" -f "$WORK/workaround.sql")"
	if [ $? -eq 0 ]; then
		ok "workaround on $n: $(wc -l <"$WORK/fkeys.txt") foreign keys between plan tables dropped (added back below), policies with sub-selects dropped ($(echo "$out" | tail -n 1) left), primary keys of fund_line, indicator, history widened to (evaluation_id, id), evaluation's (project_id, year) key dropped"
	else
		fail "workaround on $n: $out"
	fi
done
placed=0; total=0
while read -r t placement; do
	total=$((total + 1))
	if q coord -c "SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'pjeval.$t'::regclass" | grep -q 1; then
		placed=$((placed + 1)); continue
	fi
	out="$(q coord -c 'SET citus.enable_unsafe_triggers = on' \
		-c "ALTER TABLE pjeval.$t DISABLE TRIGGER USER" \
		-c "$(place "$t" "$placement")" \
		-c "SELECT truncate_local_data_after_distributing_table('pjeval.$t')" \
		-c "ALTER TABLE pjeval.$t ENABLE TRIGGER USER")"
	if [ $? -eq 0 ]; then
		placed=$((placed + 1))
	else
		fail "workaround: $(place "$t" "$placement") with its triggers disabled: $(echo "$out" | grep -E 'ERROR|DETAIL' | head -n 2 | tr '\n' ' ')"
	fi
done <"$WORK/plan.txt"
q coord -c 'ALTER TABLE pjeval.history ENABLE TRIGGER USER' >/dev/null
while IFS=$'\t' read -r rel con def; do
	out="$(q coord -c "ALTER TABLE $rel ADD CONSTRAINT $con $def")"
	if [ $? -eq 0 ]; then
		ok "foreign key $rel.$con added back on the distributed tables: $def"
	else
		fail "foreign key $rel.$con ($def) on the distributed tables: $(echo "$out" | grep -E 'ERROR|DETAIL' | head -n 2 | tr '\n' ' ')"
	fi
done <"$WORK/fkeys.txt"
out="$(q coord -c '\ir bench/distribution_plan.sql' -c "
	SELECT count(*) FILTER (WHERE d.placement = 'reference' AND p.partmethod = 'n' AND p.repmodel = 't'),
	       count(*) FILTER (WHERE d.placement = 'distributed' AND p.partmethod = 'h'
	                        AND p.colocationid = (SELECT colocationid FROM pg_dist_partition
	                                              WHERE logicalrelid = 'pjeval.evaluation'::regclass)
	                        AND column_to_column_name(p.logicalrelid, p.partkey) = 'evaluation_id'),
	       count(*)
	FROM dist_plan d LEFT JOIN pg_dist_partition p ON p.logicalrelid = ('pjeval.' || d.table_name)::regclass")"
IFS='|' read -r nref ndist nplan <<<"$out"
if [ "$placed" = "$total" ] && [ -n "$nplan" ] && [ $((nref + ndist)) = "$nplan" ]; then
	ok "with the workarounds every table is placed as planned: $nref reference tables, $ndist distributed by evaluation_id and co-located"
else
	fail "placement after the workarounds: $placed of $total placed; reference/distributed/plan: $out"
fi

if [ "$placed" != "$total" ]; then
	fail "the tables did not distribute: the views and writes cannot be compared on the cluster"
	finish
fi

# ---- 6. the same answers ----------------------------------------------------------
q single -c 'CALL pjeval.refresh_reports()' >/dev/null
out="$(q coord -c 'CALL pjeval.refresh_reports()')"
if [ $? -eq 0 ]; then
	ok "CALL pjeval.refresh_reports() on the cluster (the materialized reports, from distributed queries)"
else
	fail "CALL pjeval.refresh_reports() on the cluster: $out"
fi
# md5 of the ordered rows of every view, timestamp columns left out
digest_sql="
	SELECT c.relname, format('SELECT count(*) || '' '' || md5(coalesce(string_agg(r, E''\\n'' ORDER BY r COLLATE \"C\"), '''')) FROM (SELECT ROW(%s)::text AS r FROM pjeval.%I) s',
	                         string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum), c.relname)
	FROM pg_class c
	JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	WHERE c.relnamespace = 'pjeval'::regnamespace AND c.relkind IN ('v', 'm')
	  AND a.atttypid NOT IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype)
	GROUP BY c.relname ORDER BY c.relname"
q single -F $'\t' -c "$digest_sql" >"$WORK/views.txt"
nviews=0
while IFS=$'\t' read -r view sql; do
	nviews=$((nviews + 1))
	case "$view" in
	monitoring*)
		# its tables are not placed yet: docs/scaling.md, must change 7
		passed=$((passed + 1)); echo "known  - view $view: the monitoring tables stay on the coordinator (docs/scaling.md, must change 7)"
		continue ;;
	esac
	s="$(q single -c "$sql")"; c="$(q coord -c "$sql")"
	if [ "$s" = "$c" ] && [ "${s%% *}" -gt 0 ] 2>/dev/null; then
		ok "view $view: ${s%% *} rows, the same md5 on the cluster as on the single node"
	else
		fail "view $view: single node '$s', cluster '$c'"
	fi
done <"$WORK/views.txt"
[ "$nviews" -ge 10 ] || fail "only $nviews views found to compare"
plan="$(q coord -c 'EXPLAIN (COSTS OFF) SELECT * FROM pjeval.evaluation_result WHERE evaluation_id = 2')"
if echo "$plan" | grep -q 'Task Count: 1$'; then
	ok "EXPLAIN: one form of evaluation_result is a single-shard query (Task Count: 1)"
else
	fail "EXPLAIN of one form of evaluation_result: $(echo "$plan" | head -n 5 | tr '\n' ' ')"
fi
plan="$(q coord -c 'EXPLAIN (COSTS OFF) SELECT count(*), sum(total_score) FROM pjeval.evaluation_result')"
if echo "$plan" | grep -q 'Task Count: 32$'; then
	ok "EXPLAIN: evaluation_result over all forms runs on the 32 shards (Task Count: 32)"
else
	fail "EXPLAIN of evaluation_result over all forms: $(echo "$plan" | head -n 5 | tr '\n' ' ')"
fi

# ---- 7. what does not work on the cluster yet (issue 14) -------------------------
q single -f bench/gen_forms.sql -c "SELECT pg_temp.gen_forms(1, 0.43, 900001)" >"$WORK/one.txt"
out="$(import coord one.txt)"; rc=$?
known "import_forms of one more form on the cluster" \
	'correlated subqueries are not supported|could not find named tuplestore|import_forms reads and writes the form tables in ways Citus cannot distribute, and the history trigger finds no transition table on a shard' "$out" "$rc"
out="$(q coord -c "UPDATE pjeval.indicator SET deviation_reason = 'x' WHERE evaluation_id = 3")"; rc=$?
known "UPDATE of a form's indicator rows" \
	'keeps the history of the pjeval tables only, not of pjeval\.indicator_[0-9]+|cannot perform a lateral outer join when a distributed subquery|record_history() on a shard sees the shard, not the table, and its transition tables are not there' "$out" "$rc"
out="$(q coord -c "SELECT pjeval.submit(3)")"; rc=$?
known "pjeval.submit(3)" \
	'keeps the history of the pjeval tables only, not of pjeval\.evaluation_[0-9]+|could not find named tuplestore|record_history() on a shard sees the shard, not the table, and its transition tables are not there' "$out" "$rc"
out="$(q coord -c 'CREATE ROLE pjeval_citus_reader LOGIN' -c "INSERT INTO pjeval.reviewer VALUES ('pjeval_citus_reader')" 2>&1)"; rc=$?
known "INSERT INTO pjeval.reviewer (a reference table with the history trigger)" \
	'keeps the history of the pjeval tables only, not of pjeval\.reviewer_[0-9]+|could not find named tuplestore|record_history() on a shard sees the shard, not the table, and its transition tables are not there' "$out" "$rc"
# row-level security: the policies with sub-selects had to go (5).  A
# member of the seed's unit sees its forms on one node, none on the cluster
# (row-level security is on and no policy lets a unit member in).
uid="$(q single -c "SELECT p.unit_id FROM pjeval.project p WHERE p.code = '440309210901500004279'")"
for n in single coord; do
	q "$n" -c 'CREATE ROLE pjeval_citus_member LOGIN' \
		-c 'ALTER TABLE pjeval.unit_member DISABLE TRIGGER USER' \
		-c "INSERT INTO pjeval.unit_member (unit_id, role_name) VALUES ($uid, 'pjeval_citus_member')" \
		-c 'ALTER TABLE pjeval.unit_member ENABLE TRIGGER USER' >/dev/null
done
sees() { psql -X -q -At -h 127.0.0.1 -p "${PORT[$1]}" -U pjeval_citus_member -d postgres -c 'SELECT count(*) FROM pjeval.evaluation_result' 2>&1; }
rs="$(sees single)"; rc_="$(sees coord)"
if [ -n "$uid" ] && [ "$rs" -gt 0 ] 2>/dev/null && [ "$rc_" = 0 ]; then
	passed=$((passed + 1))
	echo "known  - row-level security: a member of unit $uid sees its $rs forms on the single node, 0 on the cluster (its policies have sub-selects, which Citus refuses on distributed tables: see 4)"
else
	fail "row-level security probe: a member of unit '$uid' sees '$rs' forms on the single node, '$rc_' on the cluster: if the policies now work on the cluster, update this list and docs/scaling.md"
fi

finish
