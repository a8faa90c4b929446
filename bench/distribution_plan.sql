-- distribution_plan.sql - where each pjeval table goes on a Citus cluster
-- (docs/scaling.md, "Distribution with Citus"): the temporary table
-- dist_plan (table_name, placement), placement 'distributed' (by
-- evaluation_id, co-located with evaluation) or 'reference'.  The one list
-- of the plan: bench/check_distribution.sql checks the schema against it
-- (\ir), test/integration/citus.sh applies it on a real cluster.

CREATE TEMP TABLE dist_plan (table_name text PRIMARY KEY, placement text NOT NULL);
INSERT INTO dist_plan VALUES
    ('evaluation', 'distributed'), ('fund_line', 'distributed'),
    ('indicator', 'distributed'), ('history', 'distributed'),
    ('read_finding', 'distributed'),
    -- the vocabulary: the finding catalogue and its messages, fund sources
    ('finding_catalogue', 'reference'), ('finding_message', 'reference'),
    ('standard_fund_source', 'reference'),
    ('unit', 'reference'), ('project', 'reference'), ('profile', 'reference'),
    ('unit_member', 'reference'), ('reviewer', 'reference'),
    -- the reports' snapshot (per unit and year, small, written by the
    -- coordinator's refresh_reports())
    ('report_refresh', 'reference'), ('report_snapshot', 'reference');
