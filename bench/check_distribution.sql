-- check_distribution.sql - does the pjeval schema meet what distributing it
-- with Citus needs (docs/scaling.md, "Distribution with Citus")?  Citus
-- is not needed: the checks read the catalog of a database where pjeval is
-- (test/integration/citus.sh applies the plan on a real cluster), and say, per rule and object, ok, known (a gap that
-- docs/scaling.md lists under "What must change", counted as passing so
-- that the list stays true) or FAILED (a new gap: the schema moved away from
-- the plan, or the plan and this list must be updated together).
--
-- The plan: evaluation, fund_line, indicator and history distributed and
-- co-located by evaluation_id; unit, project, profile, unit_member and
-- reviewer reference tables.  One row per (rule, object); the last line is
-- "N passed, N failed".  Run by test/integration/distribution_check.sh and
-- bench/check_distribution.sh.

\set ON_ERROR_STOP 1
\pset footer off

-- The plan (dist_plan: table_name, placement), shared with
-- test/integration/citus.sh, which applies it on a real cluster.
\ir distribution_plan.sql

-- The gaps docs/scaling.md lists, by (rule, object pattern for LIKE).
CREATE TEMP TABLE dist_known (rule text, object text, why text, PRIMARY KEY (rule, object));
INSERT INTO dist_known VALUES
    ('unique keys include evaluation_id', 'history.history_pkey',
     'scaling.md, Citus, must change 6: pjeval.distribute() drops it (history_id stays unique: the coordinator''s identity, each worker''s own range)'),
    ('unique keys include evaluation_id', 'evaluation.evaluation_project_year_key',
     'scaling.md, Citus, must change 6: pjeval.distribute() drops it; one form per project and year is then not enforced'),
    ('triggers on distributed tables touch co-located rows only', 'review.review_check (pjeval.review_check)',
     'scaling.md, Citus, must change 2: reads its form in evaluation by name, not through colocated_shard; not run on a cluster'),
    ('triggers on distributed tables touch co-located rows only', 'review_item.review_item_check (pjeval.review_item_check)',
     'scaling.md, Citus, must change 2: reads its review by name, not through colocated_shard; not run on a cluster'),
    ('functions in views, policies and generated columns push down', 'pjeval.overdue_rectifications(date)',
     'STABLE (today''s date): the view rectification_overdue over a reference table runs on the coordinator; not checked on a cluster');

CREATE TEMP TABLE dist_result (rule text, object text, status text, detail text);

-- 1. Every table of the plan exists; the distributed ones carry a NOT NULL
--    bigint evaluation_id (history may hold form-less rows: see the known gap).
INSERT INTO dist_result
SELECT 'distributed tables carry evaluation_id bigint', d.table_name,
       CASE WHEN a.atttypid = 'bigint'::regtype AND (a.attnotnull OR d.table_name = 'history') THEN 'ok' ELSE 'FAILED' END,
       coalesce(format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' (nullable: form-less history rows)' END,
                'no evaluation_id column')
FROM dist_plan d
LEFT JOIN pg_attribute a ON a.attrelid = ('pjeval.' || d.table_name)::regclass
                        AND a.attname = 'evaluation_id' AND NOT a.attisdropped
WHERE d.placement = 'distributed';

INSERT INTO dist_result
SELECT 'every pjeval table is placed', c.relname,
       CASE WHEN d.table_name IS NOT NULL THEN 'ok' ELSE 'FAILED' END,
       coalesce(d.placement, 'a table the plan does not place: add it to docs/scaling.md and dist_plan')
FROM pg_class c
LEFT JOIN dist_plan d ON d.table_name = c.relname
WHERE c.relnamespace = 'pjeval'::regnamespace AND c.relkind IN ('r', 'p');

-- 2. Primary keys, unique constraints and unique indexes of distributed
--    tables include the distribution column (Citus cannot enforce others).
INSERT INTO dist_result
SELECT 'unique keys include evaluation_id', format('%s.%s', d.table_name, ic.relname),
       CASE WHEN EXISTS (SELECT 1 FROM unnest(i.indkey) k
                         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k
                         WHERE a.attname = 'evaluation_id') THEN 'ok' ELSE 'FAILED' END,
       pg_get_indexdef(i.indexrelid)
FROM dist_plan d
JOIN pg_index i ON i.indrelid = ('pjeval.' || d.table_name)::regclass AND i.indisunique
JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE d.placement = 'distributed';

-- 3. Foreign keys: from a distributed table to a reference table, or
--    between distributed tables on evaluation_id; from a reference table
--    only to reference tables.
INSERT INTO dist_result
SELECT 'foreign keys fit the placement', format('%s.%s', src.table_name, con.conname),
       CASE
           WHEN dst.placement = 'reference' THEN 'ok'
           WHEN src.placement = 'distributed' AND dst.placement = 'distributed'
                AND EXISTS (SELECT 1 FROM unnest(con.conkey, con.confkey) AS k (s, t)
                            JOIN pg_attribute sa ON sa.attrelid = con.conrelid AND sa.attnum = k.s
                            JOIN pg_attribute ta ON ta.attrelid = con.confrelid AND ta.attnum = k.t
                            WHERE sa.attname = 'evaluation_id' AND ta.attname = 'evaluation_id') THEN 'ok'
           ELSE 'FAILED'
       END,
       format('%s -> %s (%s)', src.placement, dst.placement, pg_get_constraintdef(con.oid))
FROM pg_constraint con
JOIN dist_plan src ON ('pjeval.' || src.table_name)::regclass = con.conrelid
JOIN dist_plan dst ON ('pjeval.' || dst.table_name)::regclass = con.confrelid
WHERE con.contype = 'f';

-- 4. Key columns: identity columns of distributed tables are bigint (Citus
--    hands out ranges per node); no default reads a sequence by nextval().
INSERT INTO dist_result
SELECT 'identity columns are bigint, no nextval() defaults', format('%s.%s', d.table_name, a.attname),
       CASE WHEN a.attidentity <> '' AND a.atttypid <> 'bigint'::regtype THEN 'FAILED'
            WHEN pg_get_expr(ad.adbin, ad.adrelid) ~ 'nextval' THEN 'FAILED'
            ELSE 'ok' END,
       CASE WHEN a.attidentity <> '' THEN format_type(a.atttypid, a.atttypmod) || ' identity'
            ELSE 'default ' || pg_get_expr(ad.adbin, ad.adrelid) END
FROM dist_plan d
JOIN pg_attribute a ON a.attrelid = ('pjeval.' || d.table_name)::regclass AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE (a.attidentity <> '' OR ad.adbin IS NOT NULL) AND d.placement <> 'coordinator';

-- 5. Every function the views, the policies and the generated columns call
--    runs on a worker: it is PARALLEL SAFE, and IMMUTABLE (pushed into shard
--    queries; a generated column is computed on the shard that stores the
--    row) unless it is one of the STABLE membership functions: is_reviewer
--    and member_units, which the views wrap in a scalar sub-select (planned
--    once, its result shipped), and visible and may_write, the policies'
--    test of a row (asked once per statement on each node, 60_security.sql).
CREATE TEMP TABLE dist_called AS
SELECT DISTINCT p.oid AS fn, v.relname AS caller
FROM pg_rewrite r
JOIN pg_class v ON v.oid = r.ev_class AND v.relnamespace = 'pjeval'::regnamespace
JOIN pg_depend dep ON dep.classid = 'pg_rewrite'::regclass AND dep.objid = r.oid
                  AND dep.refclassid = 'pg_proc'::regclass
JOIN pg_proc p ON p.oid = dep.refobjid
UNION
SELECT DISTINCT p.oid, 'policy ' || pol.polname
FROM pg_policy pol
JOIN pg_depend dep ON dep.classid = 'pg_policy'::regclass AND dep.objid = pol.oid
                  AND dep.refclassid = 'pg_proc'::regclass
JOIN pg_proc p ON p.oid = dep.refobjid
UNION
SELECT DISTINCT p.oid, format('generated column %s.%s', c.relname, a.attname)
FROM pg_attrdef ad
JOIN pg_class c ON c.oid = ad.adrelid AND c.relnamespace = 'pjeval'::regnamespace
JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum AND a.attgenerated = 's'
JOIN pg_depend dep ON dep.classid = 'pg_attrdef'::regclass AND dep.objid = ad.oid
                  AND dep.refclassid = 'pg_proc'::regclass
JOIN pg_proc p ON p.oid = dep.refobjid;

INSERT INTO dist_result
SELECT 'functions in views, policies and generated columns push down', p.oid::regprocedure::text,
       CASE WHEN p.proparallel <> 's' THEN 'FAILED'
            WHEN p.provolatile = 'i' THEN 'ok'
            WHEN p.provolatile = 's' AND p.proname IN ('is_reviewer', 'member_units', 'visible', 'may_write') THEN 'ok'
            ELSE 'FAILED' END,
       format('%s %s, called by %s',
              CASE p.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END,
              CASE p.proparallel WHEN 's' THEN 'PARALLEL SAFE' WHEN 'r' THEN 'PARALLEL RESTRICTED' ELSE 'PARALLEL UNSAFE' END,
              string_agg(DISTINCT c.caller, ', '))
FROM dist_called c
JOIN pg_proc p ON p.oid = c.fn
WHERE p.pronamespace = 'pjeval'::regnamespace
GROUP BY p.oid, p.proparallel, p.provolatile, p.proname;

-- The scoring functions themselves, whoever calls them.
INSERT INTO dist_result
SELECT 'scoring functions are IMMUTABLE PARALLEL SAFE', p.oid::regprocedure::text,
       CASE WHEN p.provolatile = 'i' AND p.proparallel = 's' THEN 'ok' ELSE 'FAILED' END,
       format('provolatile %s, proparallel %s', p.provolatile, p.proparallel)
FROM pg_proc p
WHERE p.pronamespace = 'pjeval'::regnamespace
  AND p.proname IN ('assess', 'indicator_score', 'completion', 'indicator_flags', 'explain',
                    'execution_rate', 'fund_score', 'grade', 'try_indicator_value', 'indicator_value_error');

-- 6. Policies of distributed tables read no other distributed table (a
--    query on a distributed table from inside a shard query).
INSERT INTO dist_result
SELECT 'policies read no other distributed table', format('%s.%s', d.table_name, pol.polname),
       CASE WHEN EXISTS (SELECT 1 FROM pg_depend dep
                         JOIN dist_plan o ON ('pjeval.' || o.table_name)::regclass = dep.refobjid
                         WHERE dep.classid = 'pg_policy'::regclass AND dep.objid = pol.oid
                           AND dep.refclassid = 'pg_class'::regclass
                           AND dep.refobjid <> pol.polrelid AND o.placement = 'distributed')
            THEN 'FAILED' ELSE 'ok' END,
       coalesce(pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid))
FROM pg_policy pol
JOIN dist_plan d ON ('pjeval.' || d.table_name)::regclass = pol.polrelid
WHERE d.placement = 'distributed';

-- 6b. Policies of every placed table have no sub-select at all: Citus
--     refuses any ("Subqueries are not supported in policies on distributed
--     tables"), reference tables included (test/integration/citus.sh).
INSERT INTO dist_result
SELECT 'policies have no sub-select', format('%s.%s', d.table_name, pol.polname),
       CASE WHEN coalesce(pg_get_expr(pol.polqual, pol.polrelid), '')
                 || coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '') ~* '\mSELECT\M'
            THEN 'FAILED' ELSE 'ok' END,
       coalesce(pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid))
FROM pg_policy pol
JOIN dist_plan d ON ('pjeval.' || d.table_name)::regclass = pol.polrelid
WHERE d.placement <> 'coordinator';  -- (not a Citus table: its policies run as on one node)

-- 7. Triggers on distributed tables: only the ones that touch the row
--    itself (or, on TRUNCATE, its own table), or on a shard only the shards
--    on its node (pjeval.colocated_shard), pass; the others are listed in
--    docs/scaling.md, by the function they run.
INSERT INTO dist_result
SELECT 'triggers on distributed tables touch co-located rows only',
       format('%s.%s (%s)', d.table_name, t.tgname, t.tgfoid::regproc::text),
       CASE WHEN t.tgfoid::regproc::text IN ('pjeval.evaluation_workflow',
                                             'pjeval.record_truncate', 'pjeval.history_append_only',
                                             -- on a shard: the shards on its node (colocated_shard)
                                             'pjeval.record_history', 'pjeval.form_row_workflow',
                                             'pjeval.form_project', 'pjeval.store_results') THEN 'ok'
            ELSE 'FAILED' END,
       pg_get_triggerdef(t.oid)
FROM pg_trigger t
JOIN dist_plan d ON ('pjeval.' || d.table_name)::regclass = t.tgrelid
WHERE d.placement = 'distributed' AND NOT t.tgisinternal;

-- A failure that docs/scaling.md lists is known; a listed gap that is
-- no longer there must leave the list too.
UPDATE dist_result r SET status = 'known', detail = k.why || ' [' || r.detail || ']'
FROM dist_known k
WHERE k.rule = r.rule AND r.object LIKE k.object AND r.status = 'FAILED';
INSERT INTO dist_result
SELECT k.rule, k.object, 'FAILED', 'listed as a known gap but not found failing: update docs/scaling.md and dist_known'
FROM dist_known k
WHERE NOT EXISTS (SELECT 1 FROM dist_result r WHERE r.rule = k.rule AND r.object LIKE k.object AND r.status = 'known');

\pset format unaligned
\pset fieldsep ' | '
\pset tuples_only on
SELECT rpad(status, 6) || ' | ' || rule || ' | ' || object || ' | ' || regexp_replace(detail, '\s+', ' ', 'g')
FROM dist_result ORDER BY rule, status DESC, object;
SELECT format('%s passed, %s failed', count(*) FILTER (WHERE status <> 'FAILED'), count(*) FILTER (WHERE status = 'FAILED'))
FROM dist_result;
