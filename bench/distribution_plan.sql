-- distribution_plan.sql - where each pjeval table goes on a Citus cluster
-- (docs/scaling.md, "Distribution with Citus"): the temporary table
-- dist_plan (table_name, placement), placement 'distributed' (by
-- evaluation_id, co-located with evaluation) or 'reference'.  The one list
-- of the plan: bench/check_distribution.sql checks the schema against it
-- (\ir), test/integration/citus.sh applies it on a real cluster
-- (CALL pjeval.distribute()).

-- The plan itself is pjeval.distribution_plan(), which pjeval.distribute()
-- applies (src/sql/90_distribute.sql).
CREATE TEMP TABLE dist_plan (table_name text PRIMARY KEY, placement text NOT NULL);
INSERT INTO dist_plan SELECT p.table_name, p.placement FROM pjeval.distribution_plan() p;
