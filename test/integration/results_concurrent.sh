#!/usr/bin/env bash
# results_concurrent.sh - the stored results (src/sql/55_results.sql) stay
# right under concurrent writers: several clients make thousands of random
# changes at the same time to the same few forms (INSERT, UPDATE and DELETE
# of indicators and fund lines, a form's profile and reported total, a
# draft-only profile's parameters, submit and reopen, imports that add or
# replace forms, deletes of whole forms), each change its own transaction;
# then pjeval.verify_results() must return no rows, and no change may have
# failed because another client was recomputing the same form.  Changes the workflow
# refuses, deadlocks and serialization failures are counted, not failures:
# what counts is that no committed change leaves a stored result stale.
#
# Run it with PGHOST/PGPORT/PGUSER pointing at a server where pjeval is
# installed and PGUSER is a superuser, e.g.
#     pg_virtualenv -t -p pjeval bash test/integration/results_concurrent.sh
# CLIENTS (4), CHANGES per client (1500), FORMS to start with (40).
# BREAK_SQL, when set, runs after the setup (e.g. 'DROP TRIGGER
# results_update ON pjeval.indicator', or refresh_results() redefined without
# its advisory lock): a check must then fail.
# It creates (and drops) one database.  The last line is `N passed, N
# failed`; the exit status is non-zero when a check failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

DB="pjeval_results_$$"
CLIENTS="${CLIENTS:-4}"
CHANGES="${CHANGES:-1500}"
FORMS="${FORMS:-40}"
WORK="$(mktemp -d -t pjeval-results.XXXXXX)"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 --no-psqlrc -d "$DB")
export PGCLIENTENCODING=UTF8

. test/integration/lib/harness.sh
# check NAME SQL: the query must return the single word t
check() {
	local out
	out="$("${PSQL[@]}" -At -c "$2" 2>&1)"
	if [ "$out" = t ]; then ok "$1"; else fail "$1"; echo "$out" | sed 's/^/    /'; fi
}
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT

if createdb -E UTF8 -T template0 --locale=C "$DB" && "${PSQL[@]}" -c 'CREATE EXTENSION pjeval' >/dev/null; then
	ok "a database with pjeval"
else
	fail "a database with pjeval"
	finish
fi

# The forms to start with, the documents the clients import (forms numbered
# 1 .. FORMS + 20: an import may add a form or replace one the others are
# changing), two profiles the clients move draft forms between, and the
# procedure each client runs.
if "${PSQL[@]}" >"$WORK/setup.log" 2>&1 <<-SQL
	\i bench/gen_forms.sql
	SELECT count(*) FROM pjeval.import_forms(pg_temp.gen_forms($FORMS, 0.5, 1));
	CREATE TABLE public.doc (n integer PRIMARY KEY, doc text NOT NULL);
	INSERT INTO public.doc SELECT n, pg_temp.gen_forms(1 + n % 3, 0.01 * n, 1 + (n * 7) % ($FORMS + 20))
	FROM generate_series(1, 40) n;
	INSERT INTO pjeval.profile (name, description, grade_excellent, grade_good, negative_formula, over_achievement_ratio)
	VALUES ('conc-a', 'results_concurrent', 85, 75, 'linear', 1.10),
	       ('conc-b', 'results_concurrent: changed while drafts use it', 95, 85, 'ratio', 1.50);
	CREATE TABLE public.outcome (client integer, op text, ok bigint, refused bigint, why text[], PRIMARY KEY (client, op));

	-- churn(client, n, false): n changes of random kinds to random forms;
	-- churn(client, 0, true), the last round: one change of each kind to a
	-- form of its own (returned to draft first), so that no later change
	-- recomputes it again and hides a change whose result was not stored.
	CREATE PROCEDURE public.churn(who integer, changes integer, last_round boolean)
	LANGUAGE plpgsql AS \$\$
	DECLARE
	    -- each change twice over but a form's delete (forms would run out)
	    ops CONSTANT text[] := ARRAY['actual', 'weights', 'add_indicator', 'drop_indicator', 'fund', 'add_fund',
	                                 'drop_fund', 'profile', 'profile_params', 'reported_total', 'submit', 'reopen',
	                                 'import', 'reader_finding'] || ARRAY['actual', 'weights', 'add_indicator',
	                                 'drop_indicator', 'fund', 'add_fund', 'drop_fund', 'profile', 'profile_params',
	                                 'reported_total', 'submit', 'reopen', 'import', 'reader_finding', 'drop_form'];
	    -- the last round's order: the changes that recompute many forms first,
	    -- the indicator changes last
	    last_ops CONSTANT text[] := ARRAY['profile_params', 'import', 'drop_form', 'submit', 'reopen', 'profile',
	                                      'reported_total', 'reader_finding', 'add_fund', 'drop_fund', 'fund',
	                                      'add_indicator', 'drop_indicator', 'weights', 'actual'];
	    op text;
	    f bigint;
	    good boolean;
	    why text;
	    cn text;
	BEGIN
	    PERFORM setseed(who / 100.0);
	    FOR i IN 1 .. CASE WHEN last_round THEN 15 ELSE changes END LOOP
	        IF last_round THEN
	            op := last_ops[i];
	            SELECT e.evaluation_id INTO f FROM pjeval.evaluation e
	            ORDER BY e.evaluation_id OFFSET (i * 4 + who) % (SELECT count(*) FROM pjeval.evaluation) LIMIT 1;
	            BEGIN
	                PERFORM pjeval.reopen(f) FROM pjeval.evaluation e WHERE e.evaluation_id = f AND e.status <> 'draft';
	            EXCEPTION WHEN OTHERS THEN
	                NULL;
	            END;
	            COMMIT;
	        ELSE
	            op := ops[1 + floor(random() * cardinality(ops))::integer];
	            SELECT e.evaluation_id INTO f FROM pjeval.evaluation e ORDER BY random() LIMIT 1;
	        END IF;
	        good := true;
	        BEGIN
	            CASE op
	            WHEN 'actual' THEN
	                UPDATE pjeval.indicator
	                SET actual_text = CASE WHEN NOT last_round
	                                       THEN (ARRAY['100%', '≥95%', '12个', '已完成', '50%', '不适用', '2022年12月',
	                                                   '0.5万元', '0', 'abc'])[1 + floor(random() * 10)::integer]
	                                       -- surely another completion than before
	                                       WHEN target_text = '≥100' AND actual_text = '50' THEN '60' ELSE '50' END,
	                    target_text = CASE WHEN last_round THEN '≥100' ELSE target_text END
	                WHERE indicator_id = (SELECT indicator_id FROM pjeval.indicator WHERE evaluation_id = f ORDER BY random() LIMIT 1);
	            WHEN 'weights' THEN
	                -- several forms in one statement
	                UPDATE pjeval.indicator SET weight = round((random() * 20)::numeric, 1)
	                WHERE indicator_id IN (SELECT indicator_id FROM pjeval.indicator
	                                       WHERE NOT last_round OR evaluation_id = f ORDER BY random() LIMIT 5);
	            WHEN 'add_indicator' THEN
	                INSERT INTO pjeval.indicator (evaluation_id, position, level1, level2, level3, target_text, actual_text, weight)
	                SELECT f, coalesce(max(position), 0) + 1, '产出指标', '数量指标', '新增指标', '≥10个', (floor(random() * 20))::text || '个', 5
	                FROM pjeval.indicator WHERE evaluation_id = f;
	            WHEN 'drop_indicator' THEN
	                DELETE FROM pjeval.indicator
	                WHERE indicator_id = (SELECT indicator_id FROM pjeval.indicator WHERE evaluation_id = f ORDER BY random() LIMIT 1);
	            WHEN 'fund' THEN
	                UPDATE pjeval.fund_line SET executed = round(annual_budget * (0.5 + random() * 0.6)::numeric, 2)
	                WHERE evaluation_id = f AND source IN ('total', 'appropriation');
	            WHEN 'add_fund' THEN
	                INSERT INTO pjeval.fund_line (evaluation_id, source, label, annual_budget, executed, reported_rate)
	                VALUES (f, 'other', '单位资金' || floor(random() * 3)::text, 1000, floor(random() * 1200), 90);
	            WHEN 'drop_fund' THEN
	                DELETE FROM pjeval.fund_line WHERE evaluation_id = f AND source <> 'total';
	            WHEN 'profile' THEN
	                UPDATE pjeval.evaluation
	                SET profile = (ARRAY['central-2020', 'conc-a', 'conc-b'])[1 + floor(random() * 3)::integer]
	                WHERE evaluation_id = f;
	            WHEN 'profile_params' THEN
	                UPDATE pjeval.profile SET grade_excellent = 88 + floor(random() * 8), over_achievement_ratio = 1.2 + random()::numeric(3,2)
	                WHERE name = 'conc-b';
	            WHEN 'reported_total' THEN
	                UPDATE pjeval.evaluation SET reported_total = round((80 + random() * 20)::numeric, 2) WHERE evaluation_id = f;
	            WHEN 'submit' THEN
	                PERFORM pjeval.submit(f);
	            WHEN 'reopen' THEN
	                PERFORM pjeval.reopen(e.evaluation_id) FROM pjeval.evaluation e
	                WHERE e.status <> 'draft' AND (NOT last_round OR e.evaluation_id = f) ORDER BY random() LIMIT 1;
	            WHEN 'import' THEN
	                PERFORM pjeval.import_forms((SELECT d.doc FROM public.doc d WHERE d.n = 1 + floor(random() * 40)::integer), 'replace');
	            WHEN 'drop_form' THEN
	                DELETE FROM pjeval.evaluation WHERE evaluation_id = f AND (SELECT count(*) FROM pjeval.evaluation) > 20;
	            WHEN 'reader_finding' THEN
	                INSERT INTO pjeval.read_finding (evaluation_id, line, code) VALUES (f, 1 + floor(random() * 50)::integer, 'no_total_row')
	                ON CONFLICT DO NOTHING;
	            END CASE;
	        EXCEPTION WHEN OTHERS THEN
	            good := false;
	            GET STACKED DIAGNOSTICS cn = CONSTRAINT_NAME;
	            why := SQLSTATE || coalesce(' ' || nullif(cn, ''), '');
	        END;
	        INSERT INTO public.outcome AS o
	        VALUES (who, op, CASE WHEN good THEN 1 ELSE 0 END, CASE WHEN good THEN 0 ELSE 1 END,
	                CASE WHEN NOT good THEN ARRAY[why] ELSE '{}' END)
	        ON CONFLICT ON CONSTRAINT outcome_pkey DO UPDATE
	        SET ok = o.ok + excluded.ok, refused = o.refused + excluded.refused,
	            why = (SELECT array_agg(DISTINCT w ORDER BY w) FROM unnest(o.why || excluded.why) w);
	        COMMIT;
	    END LOOP;
	END
	\$\$;
	SQL
then
	ok "$FORMS forms imported, 40 documents and 2 profiles made"
else
	fail "setup"
	sed 's/^/    /' "$WORK/setup.log"
	finish
fi

if [ -n "${BREAK_SQL:-}" ]; then
	"${PSQL[@]}" -c "$BREAK_SQL" && echo "(broken on purpose: $BREAK_SQL)"
fi

check "the stored results are right before the clients start" \
	"SELECT count(*) = 0 FROM pjeval.verify_results()"

pids=()
for k in $(seq 1 "$CLIENTS"); do
	"${PSQL[@]}" -c "CALL public.churn($k, $CHANGES, false)" -c "CALL public.churn($k, 0, true)" >"$WORK/client$k.log" 2>&1 &
	pids+=($!)
done
clients_ok=true
for k in $(seq 1 "$CLIENTS"); do
	wait "${pids[$((k - 1))]}" || { clients_ok=false; sed 's/^/    /' "$WORK/client$k.log"; }
done
if $clients_ok; then ok "$CLIENTS clients made $CHANGES changes each"; else fail "$CLIENTS clients made $CHANGES changes each"; fi

"${PSQL[@]}" -c "SELECT op, sum(ok) AS committed, sum(refused) AS refused,
	            (SELECT array_agg(DISTINCT w ORDER BY w) FROM public.outcome o2, unnest(o2.why) w WHERE o2.op = o.op) AS sqlstates
	     FROM public.outcome o GROUP BY op ORDER BY op"
check "thousands of changes committed, every kind of change among them" \
	"SELECT sum(ok) >= 1000 AND count(*) FILTER (WHERE ok > 0) = 15
	 FROM (SELECT op, sum(ok) AS ok FROM public.outcome GROUP BY op) o"
check "forms remain, with indicators, some of them on another profile" \
	"SELECT CASE WHEN count(*) > 5 AND count(*) FILTER (WHERE profile <> 'central-2020') > 0
	                  AND (SELECT count(*) FROM pjeval.indicator) > 50 THEN 't'
	             ELSE format('%s forms, %s on another profile, %s indicators', count(*),
	                         count(*) FILTER (WHERE profile <> 'central-2020'), (SELECT count(*) FROM pjeval.indicator)) END
	 FROM pjeval.evaluation"

# Two clients recomputing one form wait for each other (an advisory lock per
# form): neither fails on the other's stored rows.
check "no change failed on the stored results' keys (concurrent recomputations of a form wait)" \
	"SELECT count(*) = 0 FROM public.outcome o, unnest(o.why) w WHERE w ~ '(evaluation_score|indicator_outcome)_pkey'"

out="$("${PSQL[@]}" -At -c "SELECT count(*) FROM pjeval.verify_results()" 2>&1)"
if [ "$out" = 0 ]; then
	ok "verify_results() finds no stale or missing result after the clients"
else
	fail "verify_results() finds no stale or missing result after the clients ($out differences)"
	"${PSQL[@]}" -c "SELECT * FROM pjeval.verify_results() LIMIT 20" | sed 's/^/    /'
fi

finish
