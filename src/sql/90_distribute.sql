-- 90_distribute.sql - pjeval on a Citus cluster (docs/scaling.md,
-- "Distribution with Citus"): where each table goes, and the one call that
-- puts it there.  Nothing here needs Citus until pjeval.distribute() runs.

-- The plan, the one list of it (bench/distribution_plan.sql and
-- bench/check_distribution.sql read it): every table of pjeval, distributed
-- by evaluation_id and co-located with evaluation, a reference table (a
-- copy on every node), or left on the coordinator (history_admin, written
-- there by the history trigger of the reference tables' copy), in the order
-- pjeval.distribute() places them.
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
             -- their due dates and the projects recorded overdue (per round)
             'monitoring_due', 'monitoring_overdue',
             -- 整改 items (per project and year) and those recorded overdue
             'rectification', 'rectification_overdue_record',
             -- the target forms (per project and year and version; 72_targets.sql)
             'target', 'target_fund_line', 'target_indicator', 'target_read_finding',
             -- the forms, by evaluation_id: evaluation first
             'evaluation', 'fund_line', 'indicator', 'read_finding', 'review', 'review_item', 'history',
             -- the results stored with them (55_results.sql)
             'indicator_outcome', 'evaluation_score',
             -- the history of the rows of no form: stays on the coordinator
             'history_admin']))
         WITH ORDINALITY AS p (table_name, step)
    CROSS JOIN LATERAL (SELECT CASE WHEN p.table_name IN ('evaluation', 'fund_line', 'indicator', 'read_finding',
                                                          'review', 'review_item', 'history',
                                                          'indicator_outcome', 'evaluation_score')
                                    THEN 'distributed'
                                    WHEN p.table_name = 'history_admin' THEN 'coordinator'
                                    ELSE 'reference' END AS placement) x
$$;

COMMENT ON FUNCTION @extschema@.distribution_plan() IS
'Where each pjeval table goes on a Citus cluster: distributed (by evaluation_id, co-located with evaluation), reference, or coordinator (left where it is), in the order pjeval.distribute() places them';

-- The table a trigger of table tbl reads or writes as target, on the node
-- where it fires.  On one node (rel_name is tbl, or Citus is not there)
-- that is the table itself.
-- On a Citus cluster a trigger fires on a shard (rel_name is tbl_<shard id>)
-- inside a query Citus sent to the node that holds it, where a query on
-- another distributed or reference table is refused (a distributed query
-- from a query on a shard): it reads and writes the shards on its own node
-- instead, the co-located shard of a distributed table (the same hash
-- range) or the node's copy of a reference table.  NULL where there is none
-- (a reference table's copy has no co-located shard of a distributed table).
CREATE FUNCTION @extschema@.colocated_shard(rel_name name, tbl text, target text)
RETURNS text
LANGUAGE plpgsql
STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    shard bigint;
    found_shard bigint;
BEGIN
    IF rel_name OPERATOR(pg_catalog.=) tbl OR pg_catalog.to_regclass('pg_catalog.pg_dist_shard') IS NULL THEN
        RETURN pg_catalog.format('%I.%I', '@extschema@', target);
    END IF;
    IF rel_name OPERATOR(pg_catalog.!~) ('^' OPERATOR(pg_catalog.||) tbl OPERATOR(pg_catalog.||) '_[0-9]+$') THEN
        RAISE EXCEPTION '% is neither pjeval.% nor one of its Citus shards', rel_name, tbl
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    shard := pg_catalog.substr(rel_name, pg_catalog.length(tbl) OPERATOR(pg_catalog.+) 2)::bigint;
    EXECUTE 'SELECT t.shardid
             FROM pg_catalog.pg_dist_shard s
             JOIN pg_catalog.pg_dist_shard t
               ON t.logicalrelid OPERATOR(pg_catalog.=) $2::regclass
              AND (t.shardminvalue IS NULL OR t.shardminvalue OPERATOR(pg_catalog.=) s.shardminvalue)
             WHERE s.shardid OPERATOR(pg_catalog.=) $1'
        INTO found_shard USING shard, pg_catalog.format('%I.%I', '@extschema@', target);
    IF found_shard IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN pg_catalog.format('%I.%I', '@extschema@', target OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) found_shard);
END
$$;

COMMENT ON FUNCTION @extschema@.colocated_shard(name, text, text) IS
'For the triggers of table tbl firing on rel_name: pjeval.target itself on one node; on a Citus shard of tbl, the shard of target on the same node (co-located, or the node''s copy of a reference table), NULL where there is none';

-- For the triggers of a reference table (profile), which fire on every
-- node's copy: the shards of the distributed table tbl placed on this node,
-- each as a name colocated_shard() takes; none on a node that holds none.
-- On one node (no Citus) the table itself.
CREATE FUNCTION @extschema@.local_shards(tbl text)
RETURNS SETOF name
LANGUAGE plpgsql
STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_shard') IS NULL THEN
        RETURN NEXT tbl;
        RETURN;
    END IF;
    RETURN QUERY EXECUTE
        'SELECT ($2 OPERATOR(pg_catalog.||) ''_'' OPERATOR(pg_catalog.||) s.shardid)::name
         FROM pg_catalog.pg_dist_shard s
         JOIN pg_catalog.pg_dist_placement p ON p.shardid OPERATOR(pg_catalog.=) s.shardid
         WHERE s.logicalrelid OPERATOR(pg_catalog.=) $1::regclass
           AND p.groupid OPERATOR(pg_catalog.=) (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g)
         ORDER BY s.shardid'
        USING pg_catalog.format('%I.%I', '@extschema@', tbl), tbl;
END
$$;

COMMENT ON FUNCTION @extschema@.local_shards(text) IS
'The shards of the distributed table tbl on this node (names colocated_shard() takes); the table itself on one node';

-- Distributes pjeval's tables on a Citus cluster, as the plan says, in one
-- transaction (a refusal leaves every table where it was).  For a superuser
-- or the extension's owner (Citus needs the tables' owner).  On the way:
--  * the foreign keys between the plan's tables are dropped and added back
--    once every table is placed (a key from a local table to one being
--    placed makes Citus convert the local table, which recreates the views
--    on it, and those belong to the extension); between distributed tables
--    without ON UPDATE CASCADE, which Citus refuses there;
--  * the keys Citus cannot enforce across shards are dropped: evaluation's
--    UNIQUE (project_id, year) (one form per project and year is then the
--    importer's to keep, see docs/scaling.md) and history's primary key on
--    history_id alone (unique by its identity);
--  * the tables' triggers are disabled while Citus copies their rows into
--    the shards (the rows are not new: no second history, no workflow check)
--    and enabled again, on every shard;
--  * history's rows of no form (changes to units, projects, members,
--    reviewers, profiles, monitoring reports), which have no shard, move to
--    history_admin, where the history trigger writes them on the cluster.
-- The rights granted on the tables before are given to the workers too.
-- pjeval's row-level security policies go with the tables: they test the
-- row itself (pjeval.visible, 60_security.sql), with no sub-select.  It
-- refuses while a table of the plan has a policy with a sub-select (one an
-- administrator added: Citus refuses it), before it places anything.
-- The coordinator must be in the cluster's metadata
-- (citus_set_coordinator_host): the reference tables then have a copy there,
-- whose trigger keeps history_admin.
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
    coordinator_known boolean;
    policies text[];
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
    EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_node WHERE groupid OPERATOR(pg_catalog.=) 0)' INTO coordinator_known;
    IF NOT coordinator_known THEN
        RAISE EXCEPTION 'pjeval.distribute() needs the coordinator in the cluster''s metadata'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'SELECT citus_set_coordinator_host(''<its host>'', <its port>); first: the history of units, projects, members and reviewers is kept on the coordinator (docs/scaling.md).';
    END IF;
    -- The policies Citus refuses: any with a sub-select.
    policies := ARRAY(SELECT pg_catalog.format('%I on %s', pol.polname, pol.polrelid::regclass)
                      FROM pg_catalog.pg_policy pol
                      WHERE pol.polrelid IN (SELECT ('@extschema@.' || p.table_name)::regclass
                                             FROM @extschema@.distribution_plan() p
                                             WHERE p.placement <> 'coordinator')
                        AND NOT pol.polrelid = ANY (placed)
                        AND coalesce(pg_catalog.pg_get_expr(pol.polqual, pol.polrelid), '')
                            || coalesce(pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid), '') ~* '\mSELECT\M'
                      ORDER BY 1);
    IF pg_catalog.cardinality(policies) > 0 THEN
        RAISE EXCEPTION 'pjeval.distribute(): the row-level security policy % asks through a sub-select, which Citus refuses on distributed and reference tables',
                policies[1]
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = pg_catalog.format('Policies with a sub-select: %s.', pg_catalog.array_to_string(policies, ', ')),
                  HINT = 'Test the row itself, as pjeval''s own policies do: USING (pjeval.visible(''project'', project_id)) (docs/scaling.md).';
    END IF;
    PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);

    -- history's rows of no form go to history_admin (once: history is then
    -- distributed, and such rows are written to history_admin)
    IF NOT '@extschema@.history'::regclass = ANY (placed) THEN
        ALTER TABLE @extschema@.history DISABLE TRIGGER history_append_only;
        WITH moved AS (DELETE FROM @extschema@.history h WHERE h.evaluation_id IS NULL RETURNING h.*)
        INSERT INTO @extschema@.history_admin SELECT * FROM moved;
        ALTER TABLE @extschema@.history ENABLE TRIGGER history_append_only;
    END IF;

    -- the foreign keys between the plan's tables, and the keys that go.  A
    -- key between two distributed tables comes back without ON UPDATE
    -- CASCADE, which Citus refuses on a key with the distribution column
    -- (review_item's to review: a review's reviewer_role is then changed
    -- only while it has no items).
    FOR r IN SELECT c.conrelid::regclass AS rel, c.conname,
                    CASE WHEN c.conrelid IN (SELECT ('@extschema@.' || p.table_name)::regclass
                                             FROM @extschema@.distribution_plan() p WHERE p.placement = 'distributed')
                          AND c.confrelid IN (SELECT ('@extschema@.' || p.table_name)::regclass
                                              FROM @extschema@.distribution_plan() p WHERE p.placement = 'distributed')
                         THEN pg_catalog.replace(pg_catalog.pg_get_constraintdef(c.oid), ' ON UPDATE CASCADE', '')
                         ELSE pg_catalog.pg_get_constraintdef(c.oid) END AS def
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
               AND p.placement <> 'coordinator'
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

    -- The rights granted on the tables before (GRANT INSERT, UPDATE, DELETE
    -- to the roles that enter forms, README "Who may do what") are the
    -- coordinator's alone: granted again, now that the tables are Citus
    -- tables, Citus gives them to the workers' tables and the shards too.
    FOR r IN SELECT c.oid::regclass AS rel, a.privilege_type, a.grantee, a.is_grantable
             FROM pg_catalog.pg_class c
             CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
             WHERE c.oid IN (SELECT ('@extschema@.' || p.table_name)::regclass
                             FROM @extschema@.distribution_plan() p
                             WHERE p.placement <> 'coordinator')
               AND NOT c.oid = ANY (placed)
               AND a.grantee <> c.relowner
             ORDER BY 1, 3, 2
    LOOP
        EXECUTE pg_catalog.format('GRANT %s ON %s TO %s%s', r.privilege_type, r.rel,
                                  CASE WHEN r.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.grantee::regrole::text) END,
                                  CASE WHEN r.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$$;

COMMENT ON PROCEDURE @extschema@.distribute() IS
'On a Citus cluster: distributes pjeval''s tables as pjeval.distribution_plan() says (by evaluation_id, co-located, or reference tables), with their row-level security policies, in one transaction; for a superuser or the extension''s owner. Refuses while a policy has a sub-select, which Citus refuses (docs/scaling.md)';
REVOKE EXECUTE ON PROCEDURE @extschema@.distribute() FROM PUBLIC;
