-- demo.sql - pjeval on two real forms: read every 年度指标值 (target) and
-- 实际完成值 (actual) of the 2022 项目支出绩效自评表 of 深圳市龙华区 from the
-- raw text (demo/seed/longhua-2022.txt, the forms as published: tab-separated
-- cells, blank lines, free text) with plain SQL, and show what each one
-- means as an indicator_value.
--
-- Run from the repository root in a UTF-8 database (bash scripts/demo.sh
-- makes one on a throwaway cluster): psql -X -f demo/demo.sql
\set ON_ERROR_STOP on
\set QUIET on
\pset pager off
\pset linestyle unicode
\pset border 2
\pset null '∅'

\echo
\echo '════ 1. The extension ════'
CREATE EXTENSION pjeval;
\pset title 'pjeval, installed'
SELECT extname AS extension, extversion AS version, extnamespace::regnamespace AS schema
  FROM pg_extension WHERE extname = 'pjeval';

\echo
\echo '════ 2. The raw forms, one row per line ════'
-- CSV with a delimiter and a quote that never occur: each line arrives whole,
-- quotes and backslashes untouched (text format would read \ as an escape).
-- A blank line arrives as NULL.
CREATE TEMP TABLE raw_line (lineno bigserial PRIMARY KEY, line text);
\copy raw_line (line) FROM 'demo/seed/longhua-2022.txt' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')

-- Cells by tab; PostgreSQL arrays count from 1.
CREATE TEMP VIEW cell_line AS
SELECT lineno, string_to_array(rtrim(line, E'\r'), E'\t') AS c
  FROM raw_line
 WHERE btrim(line, E' \t\r') <> '';		-- NULL (blank) lines drop out too

\pset title 'lines read from demo/seed/longhua-2022.txt'
SELECT count(*) AS lines,
       count(*) FILTER (WHERE line IS NULL) AS blank,
       count(*) FILTER (WHERE line LIKE '项目编号:%') AS forms
  FROM raw_line;

-- A form starts at its 项目编号 line.  Its indicator rows are the rows under
-- the 年度绩效指标 header up to the next line whose first cell is not empty
-- (总分): in those rows cell 4 is the 三级指标 (level-3 name), cell 5 the
-- 年度指标值 (target) and cell 6 the 实际完成值 (actual).
CREATE TEMP TABLE indicator AS
WITH marked AS (
	SELECT lineno, c,
	       max(lineno) FILTER (WHERE c[1] = '项目编号:') OVER w AS form_ln,
	       max(lineno) FILTER (WHERE c[1] = '年度绩效指标') OVER w AS header_ln,
	       max(lineno) FILTER (WHERE c[1] <> '') OVER w AS labelled_ln
	  FROM cell_line
	WINDOW w AS (ORDER BY lineno)
)
SELECT f.c[2] AS form, f.c[4] AS project,
       row_number() OVER (PARTITION BY m.form_ln ORDER BY m.lineno) AS n,
       m.lineno, m.c[4] AS level3, m.c[5] AS target, m.c[6] AS actual
  FROM marked m
  JOIN cell_line f ON f.lineno = m.form_ln
 WHERE m.header_ln > m.form_ln
   AND m.labelled_ln = m.header_ln		-- still under the header
   AND m.lineno > m.header_ln
   AND cardinality(m.c) >= 6;

\pset title 'the forms'
SELECT form AS "项目编号 (form)", project AS "项目名称", count(*) AS indicators
  FROM indicator GROUP BY form, project ORDER BY form;

-- Every target and actual, read once by the type.  try_indicator_value()
-- gives NULL instead of an error, so one odd cell cannot stop the load.
CREATE TEMP TABLE cell AS
SELECT i.form, i.n, i.level3, s.side, s.raw,
       pjeval.try_indicator_value(s.raw) AS v
  FROM indicator i
 CROSS JOIN LATERAL (VALUES (1, 'target', i.target), (2, 'actual', i.actual)) AS s(ord, side, raw)
 ORDER BY i.form, i.n, s.ord;

-- Long level-3 names (one is a whole sentence) are cut for the tables.
CREATE TEMP VIEW cell_shown AS
SELECT form, n, CASE WHEN char_length(level3) > 14 THEN left(level3, 13) || '…' ELSE level3 END AS level3,
       side, raw, v
  FROM cell;

\echo
\echo '════ 3. What each value means ════'
\echo 'canonical: the value as the type prints it (its output reads back as itself).'
\echo 'base_value / base_unit: the number in the base unit of its dimension (万元 → 元);'
\echo 'A list of labelled clauses has no single comparison, number or unit (∅ here): see section 4.'
\pset title 'form 440309210901500004279 数字化城管信息系统运行项目（系统操作员）'
SELECT n AS "#", level3 AS "三级指标", side, raw,
       v::text AS canonical, pjeval.kind(v) AS kind, pjeval.comparison(v) AS cmp,
       pjeval.base_value(v) AS base_value, pjeval.unit(v) AS unit,
       pjeval.base_unit(v) AS base_unit, pjeval.dimension(v) AS dimension
  FROM cell_shown WHERE form = '440309210901500004279'
 ORDER BY n, side DESC;

\pset title 'form 440309210901500007728 网格信息采集工作'
SELECT n AS "#", level3 AS "三级指标", side, raw,
       v::text AS canonical, pjeval.kind(v) AS kind, pjeval.comparison(v) AS cmp,
       pjeval.base_value(v) AS base_value, pjeval.unit(v) AS unit,
       pjeval.base_unit(v) AS base_unit, pjeval.dimension(v) AS dimension
  FROM cell_shown WHERE form = '440309210901500007728'
 ORDER BY n, side DESC;

\echo
\echo '════ 4. Lists of labelled clauses, one row per clause ════'
\pset title 'pjeval.clauses(v) for every value with more than one clause'
SELECT c.form, c.n AS "#", c.side, cl.position AS pos, cl.label, cl.comparison AS cmp,
       cl.number, cl.unit, cl.base_value, cl.base_unit, cl.dimension
  FROM cell c
 CROSS JOIN LATERAL pjeval.clauses(c.v) AS cl
 WHERE pjeval.clause_count(c.v) > 1
 ORDER BY c.form, c.n, c.side DESC, cl.position;

\echo
\echo '════ 5. Cells that did not read (the reason, not a crash) ════'
\pset title 'pjeval.indicator_value_error(raw) where try_indicator_value(raw) is NULL'
SELECT form, n AS "#", side, raw, pjeval.indicator_value_error(raw) AS reason
  FROM cell WHERE v IS NULL ORDER BY form, n, side DESC;

\echo
\echo '════ 6. Summary ════'
\pset title 'values by kind and dimension'
SELECT pjeval.kind(v) AS kind,
       coalesce(pjeval.dimension(v),
                CASE WHEN pjeval.clause_count(v) > 1 THEN '(clause list)' ELSE '' END) AS dimension,
       count(*) FILTER (WHERE side = 'target') AS targets,
       count(*) FILTER (WHERE side = 'actual') AS actuals
  FROM cell
 GROUP BY 1, 2 ORDER BY 1, 2;
