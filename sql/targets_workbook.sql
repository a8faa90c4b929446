-- targets_workbook: pjeval.import_targets_workbook at the edges (the
-- workbook itself is imported in test/integration/targets_workbook.sh):
-- NULL imports nothing, on_conflict is checked all the same, a file that is
-- not a workbook is refused before anything is read.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;
SELECT count(*) AS imported FROM import_targets_workbook(NULL);
SELECT count(*) AS imported FROM import_targets_workbook(NULL, 'merge');
SELECT count(*) AS imported FROM import_targets_workbook('not a workbook'::bytea);
SELECT count(*) AS targets FROM target;
