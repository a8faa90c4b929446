-- 90_distribute.sql - pjeval on a Citus cluster (docs/scaling.md,
-- "Distribution with Citus"): where each table goes, and the one call that
-- puts it there.  Nothing here needs Citus until pjeval.distribute() runs.

-- The plan, the one list of it (bench/distribution_plan.sql and
-- bench/check_distribution.sql read it): every table of pjeval, distributed
-- by evaluation_id and co-located with evaluation, or a reference table (a
-- copy on every node), in the order pjeval.distribute() places them.
CREATE FUNCTION @extschema@.distribution_plan()
RETURNS TABLE (table_name text, placement text, step integer)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.table_name, x.placement, p.step::integer
    FROM ROWS FROM (pg_catalog.unnest(ARRAY[
             -- the vocabulary
             'finding_catalogue', 'finding_message', 'standard_fund_source', 'monitoring_reason',
             -- who is who, the projects, the profiles (small, read by every view)
             'unit', 'unit_member', 'reviewer', 'project', 'profile',
             -- the reports' snapshot (per unit and year, written by refresh_reports())
             'report_refresh', 'report_snapshot',
             -- the monitoring reports (per project and month; not tied to a form)
             'monitoring', 'monitoring_fund_line', 'monitoring_indicator',
             -- 整改 items (per project and year)
             'rectification',
             -- the target forms (per project and year and version; 72_targets.sql)
             'target', 'target_fund_line', 'target_indicator', 'target_read_finding',
             -- the forms, by evaluation_id: evaluation first
             'evaluation', 'fund_line', 'indicator', 'read_finding', 'review', 'review_item', 'history']))
         WITH ORDINALITY AS p (table_name, step)
    CROSS JOIN LATERAL (SELECT CASE WHEN p.table_name IN ('evaluation', 'fund_line', 'indicator', 'read_finding',
                                                          'review', 'review_item', 'history')
                                    THEN 'distributed' ELSE 'reference' END AS placement) x
$$;

COMMENT ON FUNCTION @extschema@.distribution_plan() IS
'Where each pjeval table goes on a Citus cluster: distributed (by evaluation_id, co-located with evaluation) or reference, in the order pjeval.distribute() places them';

-- Distributes pjeval's tables on a Citus cluster, as the plan says, in one
-- transaction (a refusal leaves every table where it was).  For a superuser
-- or the extension's owner (Citus needs the tables' owner).  On the way:
--  * the foreign keys between the plan's tables are dropped and added back
--    once every table is placed (a key from a local table to one being
--    placed makes Citus convert the local table, which recreates the views
--    on it, and those belong to the extension);
--  * the keys Citus cannot enforce across shards are dropped: evaluation's
--    UNIQUE (project_id, year) (one form per project and year is then the
--    importer's to keep, see docs/scaling.md) and history's primary key on
--    history_id alone (unique by its identity);
--  * the tables' triggers are disabled while Citus copies their rows into
--    the shards (the rows are not new: no second history, no workflow check)
--    and enabled again, on every shard.
-- Changes to a table that is still local are run on the workers too: their
-- copies of pjeval's tables (CREATE EXTENSION made them) become the
-- distributed tables' definitions there.  A table already placed is left.
CREATE PROCEDURE @extschema@.distribute()
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET citus.multi_shard_modify_mode = 'sequential'
AS $$
DECLARE
    r record;
    fkeys text[] := '{}';
    placed regclass[];
    owner name;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'pjeval.distribute() needs Citus: CREATE EXTENSION citus first'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'On a single node there is nothing to distribute.';
    END IF;
    SELECT x.extowner::regrole::text::name INTO owner FROM pg_catalog.pg_extension x WHERE x.extname = 'pjeval';
    IF NOT (pg_catalog.current_setting('is_superuser') = 'on' OR pg_catalog.pg_has_role(current_user, owner, 'USAGE')) THEN
        RAISE EXCEPTION 'only a superuser or the owner of pjeval (%) may distribute its tables, not role %', owner, current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE 'SELECT coalesce(pg_catalog.array_agg(logicalrelid), ''{}'') FROM pg_catalog.pg_dist_partition' INTO placed;
    IF EXISTS (SELECT FROM @extschema@.history h WHERE h.evaluation_id IS NULL)
       AND NOT '@extschema@.history'::regclass = ANY (placed) THEN
        RAISE EXCEPTION 'pjeval.history holds % rows of no form (changes to units, projects, members, profiles, monitoring reports): they have no shard',
                (SELECT count(*) FROM @extschema@.history h WHERE h.evaluation_id IS NULL)
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'docs/scaling.md: history is distributed by evaluation_id; keep the rows elsewhere first.';
    END IF;
    PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);

    -- the foreign keys between the plan's tables, and the keys that go
    FOR r IN SELECT c.conrelid::regclass AS rel, c.conname, pg_catalog.pg_get_constraintdef(c.oid) AS def
             FROM pg_catalog.pg_constraint c
             WHERE c.contype = 'f'
               AND c.conrelid IN (SELECT ('@extschema@.' || p.table_name)::regclass FROM @extschema@.distribution_plan() p)
               AND c.confrelid IN (SELECT ('@extschema@.' || p.table_name)::regclass FROM @extschema@.distribution_plan() p)
               AND NOT c.conrelid = ANY (placed)
             ORDER BY 1, 2
    LOOP
        fkeys := fkeys || pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', r.rel, r.conname, r.def);
        EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
        EXECUTE 'SELECT pg_catalog.count(*) FROM pg_catalog.run_command_on_workers($1)'
            USING pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', r.rel, r.conname);
    END LOOP;
    FOR r IN SELECT c.conrelid::regclass AS rel, c.conname
             FROM pg_catalog.pg_constraint c
             WHERE (c.conrelid, c.conname) IN (('@extschema@.evaluation'::regclass, 'evaluation_project_year_key'),
                                               ('@extschema@.history'::regclass, 'history_pkey'))
               AND NOT c.conrelid = ANY (placed)
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
        EXECUTE 'SELECT pg_catalog.count(*) FROM pg_catalog.run_command_on_workers($1)'
            USING pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', r.rel, r.conname);
    END LOOP;

    -- the tables, in the plan's order
    FOR r IN SELECT ('@extschema@.' || p.table_name)::regclass AS rel, p.table_name, p.placement
             FROM @extschema@.distribution_plan() p
             WHERE NOT ('@extschema@.' || p.table_name)::regclass = ANY (placed)
             ORDER BY p.step
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER USER', r.rel);
        IF r.placement = 'reference' THEN
            EXECUTE 'SELECT pg_catalog.create_reference_table($1)' USING r.rel;
        ELSE
            EXECUTE 'SELECT pg_catalog.create_distributed_table($1, ''evaluation_id'', colocate_with => $2)'
                USING r.rel, CASE r.table_name WHEN 'evaluation' THEN 'none' ELSE '@extschema@.evaluation' END;
        END IF;
        EXECUTE 'SELECT pg_catalog.truncate_local_data_after_distributing_table($1)' USING r.rel;
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE TRIGGER USER', r.rel);
    END LOOP;

    FOR i IN 1 .. pg_catalog.cardinality(fkeys) LOOP
        EXECUTE fkeys[i];
    END LOOP;
END
$$;

COMMENT ON PROCEDURE @extschema@.distribute() IS
'On a Citus cluster: distributes pjeval''s tables as pjeval.distribution_plan() says (by evaluation_id, co-located, or reference tables), in one transaction; for a superuser or the extension''s owner (docs/scaling.md)';
REVOKE EXECUTE ON PROCEDURE @extschema@.distribute() FROM PUBLIC;
