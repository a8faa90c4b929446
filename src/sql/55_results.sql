-- 55_results.sql - the results stored when a form changes (50_views.sql):
-- pjeval.indicator_outcome per indicator and pjeval.evaluation_score per
-- form, what indicator_result_live and evaluation_result_live compute.
--
-- When: every statement that changes an input of a form's results (an
-- INSERT, UPDATE or DELETE of evaluation, fund_line, indicator or
-- read_finding) recomputes the forms it touched, once per statement, in the
-- same statement: AFTER ... FOR EACH STATEMENT triggers with transition
-- tables collect the statement's distinct evaluation_ids and call
-- store_results_at() once with them (refresh_results() is the same for
-- one node), which replaces those forms' stored rows with set-based
-- statements; a writer that defers (defer_results(), below) has them
-- stored once at its end.  A TRUNCATE recomputes everything.  The other
-- inputs: a form's profile (a change of evaluation.profile is an UPDATE of
-- evaluation, and a rename of a profile reaches its forms by ON UPDATE
-- CASCADE); a profile's parameters cannot change while a submitted or
-- approved form uses it (profile_protect, 20_profile.sql), and a change
-- while only drafts use it is recomputed here too (profile trigger below);
-- the rules themselves change only with the extension, whose update script
-- calls refresh_results().  Project and unit names are read by the views
-- from their tables, never stored.
--
-- Concurrent writers of one form: each recomputation first takes a
-- transaction-level advisory lock on the form's bucket (1,024 buckets, in
-- their order), so a second transaction recomputing the same form waits
-- until the first commits and then reads the first one's rows too (READ
-- COMMITTED takes a new snapshot per statement); two forms in one bucket
-- wait for each other as well, which costs a wait, never a wrong result.
-- Without the lock the results would still never be stale (the second
-- transaction's insert of the form's stored rows would fail on their
-- primary key and roll its change back), but a writer would fail where it
-- can wait.  Under REPEATABLE READ or SERIALIZABLE the
-- second one fails with a serialization error instead of storing results
-- computed without the first one's rows (its delete of the stored rows
-- meets the first one's).  Row locks on evaluation would deadlock with the
-- FOR SHARE locks the workflow triggers take on the same rows.

-- Where the recomputation reads a live view: on one node the view; on a
-- Citus shard (the triggers fire on the workers, on the shards of a
-- statement's rows) the view's text with every pjeval table it reads named
-- by its shard on that node (colocated_shard(), 90_distribute.sql), and
-- fund_line_result, the one view of tables the live views read, inlined:
-- a query on the distributed tables themselves would be a distributed query
-- inside one on a shard, which Citus refuses.
CREATE FUNCTION @extschema@.results_source(view_name text, rel_name name, tbl text)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s CONSTANT text := pg_catalog.quote_ident('@extschema@') || '.';
    pat CONSTANT text := pg_catalog.regexp_replace(s, '([^[:alnum:]_])', '\\\1', 'g');
    q text;
    t text;
BEGIN
    IF rel_name OPERATOR(pg_catalog.=) tbl THEN
        RETURN s || pg_catalog.quote_ident(view_name);
    END IF;
    q := pg_catalog.regexp_replace(pg_catalog.pg_get_viewdef((s || pg_catalog.quote_ident(view_name))::regclass), ';\s*$', '');
    q := pg_catalog.replace(q, s || 'fund_line_result',
                            '(' || pg_catalog.regexp_replace(pg_catalog.pg_get_viewdef((s || 'fund_line_result')::regclass), ';\s*$', '') || ')');
    FOR t IN SELECT p.table_name FROM @extschema@.distribution_plan() p LOOP
        IF q ~ (pat || t || '\M') THEN
            q := pg_catalog.regexp_replace(q, pat || t || '\M', @extschema@.colocated_shard(rel_name, tbl, t), 'g');
        END IF;
    END LOOP;
    RETURN '(' || q || ')';
END
$$;

REVOKE EXECUTE ON FUNCTION @extschema@.results_source(text, name, text) FROM PUBLIC;

-- The forms' results recomputed and stored: those of the given forms, or
-- (NULL) of every form, which also locks the form tables against writes
-- until the transaction ends.  Forms that no longer exist lose their rows.
-- rel_name and tbl: the table whose trigger calls it, as colocated_shard()
-- takes them (on one node both the same).
CREATE FUNCTION @extschema@.store_results_at(evaluation_ids bigint[], rel_name name, tbl text)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
    t pg_catalog.regclass;
    outcomes CONSTANT text := @extschema@.colocated_shard(rel_name, tbl, 'indicator_outcome');
    scores CONSTANT text := @extschema@.colocated_shard(rel_name, tbl, 'evaluation_score');
    bucket integer;
    n bigint;
BEGIN
    IF evaluation_ids IS NULL THEN
        EXECUTE pg_catalog.format('LOCK TABLE %s, %s, %s, %s IN SHARE MODE',
                                  @extschema@.colocated_shard(rel_name, tbl, 'evaluation'),
                                  @extschema@.colocated_shard(rel_name, tbl, 'fund_line'),
                                  @extschema@.colocated_shard(rel_name, tbl, 'indicator'),
                                  @extschema@.colocated_shard(rel_name, tbl, 'read_finding'));
        EXECUTE pg_catalog.format('DELETE FROM %s', outcomes);
        EXECUTE pg_catalog.format('DELETE FROM %s', scores);
    ELSE
        SELECT pg_catalog.array_agg(DISTINCT x.id ORDER BY x.id) INTO evaluation_ids
        FROM pg_catalog.unnest(evaluation_ids) AS x (id)
        WHERE x.id IS NOT NULL;
        IF evaluation_ids IS NULL THEN
            RETURN 0;
        END IF;
        -- One lock per bucket of forms (1,024 buckets by the hash of the
        -- evaluation_id), taken in the buckets' order: a statement over many
        -- forms takes at most 1,024 locks, not one per form, which would fill
        -- the server's lock table (max_locks_per_transaction).  0x706a6572 is
        -- 'pjer', the class of these advisory locks (refresh_reports() takes
        -- 'pjev').
        FOR bucket IN SELECT DISTINCT pg_catalog.hashint8(x.id) OPERATOR(pg_catalog.&) 1023
                      FROM pg_catalog.unnest(evaluation_ids) AS x (id) ORDER BY 1 LOOP
            PERFORM pg_catalog.pg_advisory_xact_lock(1886020978, bucket);
        END LOOP;
        -- A table analyzed while it held no live row (say, after an import
        -- that rolled back) has a density of 0 rows a page, so the planner
        -- takes it for empty however much it holds now, and the statements
        -- below scan whole tables once per form.  Such a table is analyzed
        -- first (ANALYZE counts this transaction's own rows); once it has a
        -- density, the planner scales it by the table's current size.
        IF rel_name OPERATOR(pg_catalog.=) tbl THEN
            FOR t IN SELECT c.oid::pg_catalog.regclass
                     FROM pg_catalog.pg_class c
                     WHERE c.oid IN ('@extschema@.evaluation'::pg_catalog.regclass, '@extschema@.fund_line'::pg_catalog.regclass,
                                     '@extschema@.indicator'::pg_catalog.regclass, '@extschema@.read_finding'::pg_catalog.regclass,
                                     '@extschema@.indicator_outcome'::pg_catalog.regclass,
                                     '@extschema@.evaluation_score'::pg_catalog.regclass,
                                     '@extschema@.project'::pg_catalog.regclass, '@extschema@.unit'::pg_catalog.regclass)
                       AND c.reltuples OPERATOR(pg_catalog.=) 0 AND c.relpages OPERATOR(pg_catalog.>) 0 LOOP
                EXECUTE pg_catalog.format('ANALYZE %s', t);
            END LOOP;
        END IF;
        EXECUTE pg_catalog.format('DELETE FROM %s o WHERE o.evaluation_id = ANY ($1)', outcomes) USING evaluation_ids;
        EXECUTE pg_catalog.format('DELETE FROM %s s WHERE s.evaluation_id = ANY ($1)', scores) USING evaluation_ids;
    END IF;

    EXECUTE pg_catalog.format($q$
        INSERT INTO %s (evaluation_id, indicator_id, level1_kind, level2_home, rule,
                        completion, computed_score, flags, band_low, band_high, findings, form_project_id)
        SELECT r.evaluation_id, r.indicator_id, r.level1_kind, r.level2_home, r.rule,
               r.completion, r.computed_score, r.flags, r.band_low, r.band_high, r.findings, i.form_project_id
        FROM %s r
        JOIN %s i ON i.evaluation_id = r.evaluation_id AND i.indicator_id = r.indicator_id
        WHERE $1 IS NULL OR r.evaluation_id = ANY ($1)$q$,
        outcomes, @extschema@.results_source('indicator_result_live', rel_name, tbl),
        @extschema@.colocated_shard(rel_name, tbl, 'indicator'))
    USING evaluation_ids;

    EXECUTE pg_catalog.format($q$
        INSERT INTO %s (
            evaluation_id, initial_budget, annual_budget, executed,
            sources_initial_budget, sources_annual_budget, sources_executed,
            execution_rate, reported_execution_rate, fund_weight, fund_score, reported_fund_score,
            output_score, benefit_score, satisfaction_score, cost_score, other_score, indicator_score,
            total_score, grade, weight_total, output_weight, benefit_weight, satisfaction_weight,
            cost_weight, other_weight, reported_score_sum, indicator_count, findings, finding_count, form_project_id)
        SELECT r.evaluation_id, r.initial_budget, r.annual_budget, r.executed,
               r.sources_initial_budget, r.sources_annual_budget, r.sources_executed,
               r.execution_rate, r.reported_execution_rate, r.fund_weight, r.fund_score, r.reported_fund_score,
               r.output_score, r.benefit_score, r.satisfaction_score, r.cost_score, r.other_score, r.indicator_score,
               r.total_score, r.grade, r.weight_total, r.output_weight, r.benefit_weight, r.satisfaction_weight,
               r.cost_weight, r.other_weight, r.reported_score_sum, r.indicator_count, r.findings, r.finding_count,
               r.project_id
        FROM %s r
        WHERE $1 IS NULL OR r.evaluation_id = ANY ($1)$q$,
        scores, @extschema@.results_source('evaluation_result_live', rel_name, tbl))
    USING evaluation_ids;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

REVOKE EXECUTE ON FUNCTION @extschema@.store_results_at(bigint[], name, text) FROM PUBLIC;

CREATE FUNCTION @extschema@.refresh_results(evaluation_ids bigint[] DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT @extschema@.store_results_at(evaluation_ids, 'evaluation', 'evaluation')
$$;

COMMENT ON FUNCTION @extschema@.refresh_results(bigint[]) IS
'Recomputes and stores the results (pjeval.indicator_outcome, pjeval.evaluation_score) of the given forms, or of every form (NULL, which locks the form tables against writes until the transaction ends); returns the number of forms stored. The triggers call it for every change; call it after loading rows with the triggers off (session_replication_role = replica)';
REVOKE EXECUTE ON FUNCTION @extschema@.refresh_results(bigint[]) FROM PUBLIC;

-- A deferral (results.c): a writer of several statements over the same
-- forms (import_forms) has their results stored once, when it is done.
-- While this backend defers, the triggers below only note the forms
-- (pend_results() is false when it does not);
-- store_deferred_results() stores them and ends the deferral, and a
-- transaction still deferring cannot commit (2D000), so results are never
-- committed stale.  A rolled-back subtransaction that began the deferral
-- ends it.
CREATE FUNCTION @extschema@.defer_results()
RETURNS void
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pj_defer_results';

COMMENT ON FUNCTION @extschema@.defer_results() IS
'Defers the storing of results in this transaction: the forms that change are noted and their results stored by pjeval.store_deferred_results(), which must be called before COMMIT (a transaction still deferring is refused at COMMIT, 2D000). For loaders of many statements over the same forms';

CREATE FUNCTION @extschema@.pend_results(evaluation_ids bigint[])
RETURNS boolean
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pj_pend_results';

CREATE FUNCTION @extschema@.take_pending_results()
RETURNS bigint[]
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pj_take_pending_results';

REVOKE EXECUTE ON FUNCTION @extschema@.pend_results(bigint[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.take_pending_results() FROM PUBLIC;

CREATE FUNCTION @extschema@.store_deferred_results()
RETURNS bigint
LANGUAGE plpgsql
VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN @extschema@.refresh_results(@extschema@.take_pending_results());
END
$$;

COMMENT ON FUNCTION @extschema@.store_deferred_results() IS
'Stores the results of the forms changed since pjeval.defer_results() and ends the deferral; returns the number of forms stored';

-- The triggers: one call per statement with the forms it touched.
CREATE FUNCTION @extschema@.store_results()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tbl CONSTANT text := TG_ARGV[0];  -- the table (TG_TABLE_NAME may be a shard's)
    ids bigint[];
BEGIN
    IF TG_TABLE_SCHEMA <> '@extschema@' OR TG_LEVEL <> 'STATEMENT' OR TG_NARGS <> 1
       OR tbl NOT IN ('evaluation', 'fund_line', 'indicator', 'read_finding') THEN
        RAISE EXCEPTION 'store_results() stores the results of the pjeval forms only, not of %.%', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    CASE TG_OP
        WHEN 'INSERT' THEN
            SELECT pg_catalog.array_agg(DISTINCT t.evaluation_id) INTO ids FROM new_rows t;
        WHEN 'DELETE' THEN
            SELECT pg_catalog.array_agg(DISTINCT t.evaluation_id) INTO ids FROM old_rows t;
        WHEN 'UPDATE' THEN
            SELECT pg_catalog.array_agg(DISTINCT t.evaluation_id) INTO ids
            FROM (SELECT o.evaluation_id FROM old_rows o UNION ALL SELECT n.evaluation_id FROM new_rows n) t;
        ELSE  -- TRUNCATE
            PERFORM @extschema@.store_results_at(NULL, TG_TABLE_NAME, tbl);
            RETURN NULL;
    END CASE;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    -- deferred (pend_results() is false when this backend does not defer):
    -- on one node only, where store_deferred_results() stores them
    IF TG_TABLE_NAME OPERATOR(pg_catalog.=) tbl AND @extschema@.pend_results(ids) THEN
        RETURN NULL;
    END IF;
    PERFORM @extschema@.store_results_at(ids, TG_TABLE_NAME, tbl);
    RETURN NULL;
END
$$;

REVOKE EXECUTE ON FUNCTION @extschema@.store_results() FROM PUBLIC;

-- The trigger names sort before the workflow's and history's AFTER
-- triggers: a statement the workflow refuses does no more work than before.
CREATE TRIGGER results AFTER INSERT ON @extschema@.evaluation
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_results('evaluation');
CREATE TRIGGER results_update AFTER UPDATE ON @extschema@.evaluation
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_results('evaluation');
CREATE TRIGGER results_delete AFTER DELETE ON @extschema@.evaluation
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_results('evaluation');
CREATE TRIGGER results AFTER INSERT ON @extschema@.fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_results('fund_line');
CREATE TRIGGER results_update AFTER UPDATE ON @extschema@.fund_line
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_results('fund_line');
CREATE TRIGGER results_delete AFTER DELETE ON @extschema@.fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_results('fund_line');
CREATE TRIGGER results_truncate AFTER TRUNCATE ON @extschema@.fund_line
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_results('fund_line');
CREATE TRIGGER results AFTER INSERT ON @extschema@.indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_results('indicator');
CREATE TRIGGER results_update AFTER UPDATE ON @extschema@.indicator
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_results('indicator');
CREATE TRIGGER results_delete AFTER DELETE ON @extschema@.indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_results('indicator');
CREATE TRIGGER results_truncate AFTER TRUNCATE ON @extschema@.indicator
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_results('indicator');
CREATE TRIGGER results AFTER INSERT ON @extschema@.read_finding
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_results('read_finding');
CREATE TRIGGER results_update AFTER UPDATE ON @extschema@.read_finding
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_results('read_finding');
CREATE TRIGGER results_delete AFTER DELETE ON @extschema@.read_finding
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_results('read_finding');
CREATE TRIGGER results_truncate AFTER TRUNCATE ON @extschema@.read_finding
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_results('read_finding');

-- A profile's parameters changed while only draft forms use it (a profile
-- a submitted or approved form uses is frozen): its forms are recomputed.
CREATE FUNCTION @extschema@.store_profile_results()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ids bigint[];
    shard name;
BEGIN
    -- On a Citus cluster the trigger fires on every node's copy of the
    -- profiles: each recomputes the forms of the shards it holds.
    FOR shard IN SELECT * FROM @extschema@.local_shards('evaluation') LOOP
        EXECUTE pg_catalog.format('SELECT pg_catalog.array_agg(e.evaluation_id) FROM %s e
                                   WHERE e.profile IN (SELECT n.name FROM new_rows n)',
                                  @extschema@.colocated_shard(shard, 'evaluation', 'evaluation'))
        INTO ids;
        IF ids IS NOT NULL THEN
            PERFORM @extschema@.store_results_at(ids, shard, 'evaluation');
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

REVOKE EXECUTE ON FUNCTION @extschema@.store_profile_results() FROM PUBLIC;

CREATE TRIGGER results_update AFTER UPDATE ON @extschema@.profile
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.store_profile_results();

-- Every difference between what is stored and what the live views compute
-- now, from scratch: per indicator (position) and per form (position NULL),
-- one row per column that differs, compared as text (so 1.0 and 1.00
-- differ too); what = 'row' where a stored row is missing or left over.
-- No rows: every stored result is what the rules give.
CREATE FUNCTION @extschema@.verify_results()
RETURNS TABLE (evaluation_id bigint, "position" integer, what text, stored text, recomputed text)
LANGUAGE sql
STABLE SECURITY DEFINER PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
    SELECT coalesce(o.evaluation_id, l.evaluation_id), i.position, d.what, d.stored, d.recomputed
    FROM @extschema@.indicator_outcome o
    FULL JOIN (SELECT r.* FROM @extschema@.indicator_result_live r) l
      ON l.evaluation_id OPERATOR(pg_catalog.=) o.evaluation_id AND l.indicator_id OPERATOR(pg_catalog.=) o.indicator_id
    LEFT JOIN @extschema@.indicator i
      ON i.evaluation_id OPERATOR(pg_catalog.=) coalesce(o.evaluation_id, l.evaluation_id)
     AND i.indicator_id OPERATOR(pg_catalog.=) coalesce(o.indicator_id, l.indicator_id)
    CROSS JOIN LATERAL (VALUES
        ('row', CASE WHEN o.indicator_id IS NOT NULL THEN 'stored' END,
                CASE WHEN l.indicator_id IS NOT NULL THEN 'stored' END),
        ('level1_kind', o.level1_kind, l.level1_kind),
        ('level2_home', o.level2_home, l.level2_home),
        ('rule', o.rule, l.rule),
        ('completion', o.completion::text, l.completion::text),
        ('computed_score', o.computed_score::text, l.computed_score::text),
        ('flags', o.flags::text, l.flags::text),
        ('band_low', o.band_low::text, l.band_low::text),
        ('band_high', o.band_high::text, l.band_high::text),
        ('findings', o.findings::text, l.findings::text)
    ) AS d (what, stored, recomputed)
    WHERE d.stored IS DISTINCT FROM d.recomputed
    UNION ALL
    SELECT coalesce(s.evaluation_id, l.evaluation_id), NULL::integer, d.what, d.stored, d.recomputed
    FROM @extschema@.evaluation_score s
    FULL JOIN (SELECT r.* FROM @extschema@.evaluation_result_live r) l
      ON l.evaluation_id OPERATOR(pg_catalog.=) s.evaluation_id
    CROSS JOIN LATERAL (VALUES
        ('row', CASE WHEN s.evaluation_id IS NOT NULL THEN 'stored' END,
                CASE WHEN l.evaluation_id IS NOT NULL THEN 'stored' END),
        ('initial_budget', s.initial_budget::text, l.initial_budget::text),
        ('annual_budget', s.annual_budget::text, l.annual_budget::text),
        ('executed', s.executed::text, l.executed::text),
        ('sources_initial_budget', s.sources_initial_budget::text, l.sources_initial_budget::text),
        ('sources_annual_budget', s.sources_annual_budget::text, l.sources_annual_budget::text),
        ('sources_executed', s.sources_executed::text, l.sources_executed::text),
        ('execution_rate', s.execution_rate::text, l.execution_rate::text),
        ('reported_execution_rate', s.reported_execution_rate::text, l.reported_execution_rate::text),
        ('fund_weight', s.fund_weight::text, l.fund_weight::text),
        ('fund_score', s.fund_score::text, l.fund_score::text),
        ('reported_fund_score', s.reported_fund_score::text, l.reported_fund_score::text),
        ('output_score', s.output_score::text, l.output_score::text),
        ('benefit_score', s.benefit_score::text, l.benefit_score::text),
        ('satisfaction_score', s.satisfaction_score::text, l.satisfaction_score::text),
        ('cost_score', s.cost_score::text, l.cost_score::text),
        ('other_score', s.other_score::text, l.other_score::text),
        ('indicator_score', s.indicator_score::text, l.indicator_score::text),
        ('total_score', s.total_score::text, l.total_score::text),
        ('grade', s.grade, l.grade),
        ('weight_total', s.weight_total::text, l.weight_total::text),
        ('output_weight', s.output_weight::text, l.output_weight::text),
        ('benefit_weight', s.benefit_weight::text, l.benefit_weight::text),
        ('satisfaction_weight', s.satisfaction_weight::text, l.satisfaction_weight::text),
        ('cost_weight', s.cost_weight::text, l.cost_weight::text),
        ('other_weight', s.other_weight::text, l.other_weight::text),
        ('reported_score_sum', s.reported_score_sum::text, l.reported_score_sum::text),
        ('indicator_count', s.indicator_count::text, l.indicator_count::text),
        ('findings', s.findings::text, l.findings::text),
        ('finding_count', s.finding_count::text, l.finding_count::text)
    ) AS d (what, stored, recomputed)
    WHERE d.stored IS DISTINCT FROM d.recomputed
    ORDER BY 1, 2 NULLS FIRST, 3
$$;

COMMENT ON FUNCTION @extschema@.verify_results() IS
'Every difference between the stored results (pjeval.indicator_outcome, pjeval.evaluation_score) and what the rules give now, recomputed from scratch by the live views: one row per form (position NULL) or indicator and column, with both values as text; what = row for a stored row missing or left over. No rows: every stored result is right';
REVOKE EXECUTE ON FUNCTION @extschema@.verify_results() FROM PUBLIC;

-- Who reads them: as the form tables (60_security.sql), through the views
-- (which on PostgreSQL 15+ run with the caller's rights); nobody writes them
-- but refresh_results().
ALTER TABLE @extschema@.indicator_outcome ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.evaluation_score ENABLE ROW LEVEL SECURITY;

CREATE POLICY indicator_outcome_unit ON @extschema@.indicator_outcome FOR SELECT
    USING (@extschema@.visible('project', form_project_id));
CREATE POLICY evaluation_score_unit ON @extschema@.evaluation_score FOR SELECT
    USING (@extschema@.visible('project', form_project_id));

GRANT SELECT ON @extschema@.indicator_outcome, @extschema@.evaluation_score TO PUBLIC;
