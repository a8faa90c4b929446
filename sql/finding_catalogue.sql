-- finding_catalogue: README's finding catalogue is pjeval.finding_catalogue,
-- row for row (code, where, severity, Chinese and English description).
-- README.md is read by psql (the client).  When a code is added, regenerate
-- README's table with:
--   SELECT format('| `%s` | %s | %s | %s | %s |', code, scope, severity,
--                 description_zh, description_en)
--   FROM pjeval.finding_catalogue ORDER BY scope,
--     CASE severity WHEN 'error' THEN 1 WHEN 'warning' THEN 2 ELSE 3 END, code;
\set VERBOSITY default
\set SHOW_CONTEXT never
\set readme `cat "$PG_ABS_SRCDIR/README.md"`

CREATE TEMP TABLE readme_row AS
SELECT line
FROM regexp_split_to_table(
       substring(:'readme' FROM '<!-- finding catalogue -->(.*)<!-- end of the finding catalogue -->'),
       E'\n') AS line
WHERE line LIKE '| `%';

SELECT count(*) > 40 AS readme_lists_the_catalogue FROM readme_row;

-- Rows of one and not the other: none.
(SELECT 'only in the catalogue' AS side, line
 FROM (SELECT format('| `%s` | %s | %s | %s | %s |', code, scope, severity,
                     description_zh, description_en) AS line
       FROM pjeval.finding_catalogue) c
 EXCEPT SELECT 'only in the catalogue', line FROM readme_row)
UNION ALL
(SELECT 'only in README', line FROM readme_row
 EXCEPT SELECT 'only in README', format('| `%s` | %s | %s | %s | %s |', code, scope, severity,
                                        description_zh, description_en)
        FROM pjeval.finding_catalogue)
ORDER BY 1, 2;

DROP TABLE readme_row;
