-- 75_monitoring_io.sql - reading and writing the monitoring form itself
-- (项目支出绩效目标执行监控表, docs/monitoring.md):
--
--   import_monitoring(document, on_conflict)  the forms of a document (the
--       template as tab-separated text, read in C by read_monitoring_forms)
--       into monitoring reports, all or nothing, returning their ids in the
--       document's order
--   export_monitoring(id, format)  one report back as the template's text
--       ('text', which import_monitoring reads back to the same rows) or as
--       a printable HTML page with its lights ('html')
--
-- Units and projects are found or created as import_forms finds them; the
-- errors are import_forms's (22P02 and 22003 with the form, the line and
-- what was expected; 23505 for a report already stored or twice in the
-- document; 42501 and 23000 for a project of another unit).  Everything
-- runs with the caller's rights: row-level security and the workflow
-- decide what an import may write.  After 62_monitoring.sql (the tables)
-- and 70_import.sql (export_cell, document_line, html_escape).

-- 原因类型 as written (6-根据合同约定资金暂未支付, 6, or the label) → its
-- code in pjeval.monitoring_reason; NULL for text that names none.
CREATE FUNCTION @extschema@.monitoring_reason_code(value text)
RETURNS smallint
LANGUAGE sql
STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.code
    FROM @extschema@.monitoring_reason r,
         LATERAL (SELECT pg_catalog.regexp_match(pg_catalog.btrim($1, E' \t\u3000'),
                                                 '^([0-9]{1,2})\s*(?:[-－—、.．:：]\s*(.*))?$') AS m) x
    WHERE CASE WHEN x.m IS NOT NULL
               THEN r.code OPERATOR(pg_catalog.=) x.m[1]::smallint
                    AND coalesce(x.m[2], '') IN ('', r.label)
               ELSE r.label OPERATOR(pg_catalog.=) pg_catalog.btrim($1, E' \t\u3000') END
$$;

COMMENT ON FUNCTION @extschema@.monitoring_reason_code(text) IS
'原因类型 as a form writes it (6-根据合同约定资金暂未支付, 6 or 根据合同约定资金暂未支付) → its code in pjeval.monitoring_reason; NULL when it names none';

-- 完成目标可能性 as written: the word, or its code 1/2/3 (the enum's order).
CREATE FUNCTION @extschema@.monitoring_likelihood(value text)
RETURNS @extschema@.completion_likelihood
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT l
    FROM pg_catalog.unnest(pg_catalog.enum_range(NULL::@extschema@.completion_likelihood)) WITH ORDINALITY AS e (l, n)
    WHERE l::text OPERATOR(pg_catalog.=) pg_catalog.btrim($1) OR n::text OPERATOR(pg_catalog.=) pg_catalog.btrim($1)
$$;

COMMENT ON FUNCTION @extschema@.monitoring_likelihood(text) IS
'完成目标可能性 as a form writes it (确定能, 有可能, 完全不可能, or the codes 1, 2, 3) → the value; NULL when it names none';

-- 偏差原因 as written (人员保障、其他): the standard causes named, in their
-- order, and the rest of the text (words that name none, joined by 、).
CREATE FUNCTION @extschema@.monitoring_causes(value text,
                                              OUT causes @extschema@.deviation_cause[], OUT note text)
RETURNS record
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce((SELECT pg_catalog.array_agg(c ORDER BY c)
                     FROM pg_catalog.unnest(pg_catalog.enum_range(NULL::@extschema@.deviation_cause)) c
                     WHERE c::text = ANY (w.words)), '{}'),
           (SELECT pg_catalog.string_agg(x, '、' ORDER BY n)
            FROM pg_catalog.unnest(w.words) WITH ORDINALITY AS u (x, n)
            WHERE x <> ALL (pg_catalog.enum_range(NULL::@extschema@.deviation_cause)::text[]))
    FROM (SELECT ARRAY(SELECT s FROM pg_catalog.regexp_split_to_table(coalesce($1, ''), '[、，,；;]+') AS s
                       WHERE pg_catalog.btrim(s) <> '') AS words) w
$$;

COMMENT ON FUNCTION @extschema@.monitoring_causes(text) IS
'偏差原因 as a form writes it (人员保障、其他) → the standard causes it names and the rest of its text (NULL when none)';

-- The first cell of a read document that no table can hold, with what was
-- expected there (import_problem's counterpart): a year out of range, no
-- unit, a 原因类型 or 完成目标可能性 that names none, an unknown or repeated
-- fund source, a negative amount or one beyond exact arithmetic, an
-- indicator without 一级指标 or 二级指标.
CREATE FUNCTION @extschema@.monitoring_import_problem(forms jsonb)
RETURNS TABLE (form integer, line integer, expected text, sqlstate text)
LANGUAGE sql
STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $q$
    SELECT p.form, p.line, p.expected, p.sqlstate
    FROM (
        SELECT f.form, coalesce((f.lines ->> 'year')::integer, f.line) AS line,
               'a year between 2000 and 2100 after 监控年度' AS expected, '22003' AS sqlstate
        FROM jsonb_to_recordset(forms) AS f (form integer, line integer, year integer, lines jsonb)
        WHERE f.year NOT BETWEEN 2000 AND 2100
        UNION ALL
        SELECT f.form, coalesce((f.lines ->> 'project_name')::integer, f.line),
               '实施单位 or 一级预算单位 in the header (the unit the project belongs to)', '22P02'
        FROM jsonb_to_recordset(forms) AS f (form integer, line integer, unit text, top_unit text, lines jsonb)
        WHERE f.unit IS NULL AND f.top_unit IS NULL
        UNION ALL
        SELECT f.form, (f.lines ->> 'reason_type')::integer,
               pg_catalog.format('a 原因类型 of pjeval.monitoring_reason, as 6-根据合同约定资金暂未支付, 6 or its label, not “%s”', f.reason_type),
               '22P02'
        FROM jsonb_to_recordset(forms) AS f (form integer, reason_type text, lines jsonb)
        WHERE f.reason_type IS NOT NULL AND @extschema@.monitoring_reason_code(f.reason_type) IS NULL
        UNION ALL
        SELECT x.form, x.line,
               CASE WHEN x.kind IS NULL
                    THEN pg_catalog.format('a fund source (年度资金总额, 当年财政拨款, 上年结转资金 or 其他资金), not “%s”', x.source)
                    WHEN least(x.initial_budget, x.added, x.reduced, x.adjusted_budget, x.executed, x.rate, x.forecast) < 0
                    THEN 'amounts of 0 or more'
                    ELSE 'numbers of at most 18 significant digits and 18 decimal places (lights are computed exactly)' END,
               CASE WHEN x.kind IS NULL THEN '22P02' ELSE '22003' END
        FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].funds[*]'))
             AS x (form integer, line integer, source text, kind text, initial_budget numeric, added numeric,
                   reduced numeric, adjusted_budget numeric, executed numeric, rate numeric, forecast numeric)
        WHERE x.kind IS NULL
           OR least(x.initial_budget, x.added, x.reduced, x.adjusted_budget, x.executed, x.rate, x.forecast) < 0
           OR NOT (@extschema@.is_scorable_number(x.initial_budget) AND @extschema@.is_scorable_number(x.added)
                   AND @extschema@.is_scorable_number(x.reduced) AND @extschema@.is_scorable_number(x.adjusted_budget)
                   AND @extschema@.is_scorable_number(x.executed) AND @extschema@.is_scorable_number(x.rate)
                   AND @extschema@.is_scorable_number(x.forecast))
        UNION ALL
        SELECT d.form, d.lines[2],
               pg_catalog.format('each fund source once per form (“%s” was the row of line %s)', d.source, d.lines[1]),
               '22P02'
        FROM (SELECT y.form, (pg_catalog.array_agg(y.source ORDER BY y.line))[1] AS source,
                     pg_catalog.array_agg(y.line ORDER BY y.line) AS lines
              FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].funds[*]'))
                   AS y (form integer, line integer, source text, kind text)
              GROUP BY y.form, y.kind, CASE WHEN y.kind = 'other' THEN nullif(y.source, '其他资金') END
              HAVING pg_catalog.count(*) > 1) d
        UNION ALL
        SELECT i.form, i.line,
               CASE WHEN i.level1 IS NULL THEN 'a 一级指标 (产出指标, 效益指标, …) for this indicator or a row above'
                    WHEN i.level2 IS NULL THEN 'a 二级指标 (数量指标, 质量指标, …) for this indicator or a row above'
                    ELSE pg_catalog.format('确定能, 有可能 or 完全不可能 (or 1, 2, 3) under 完成目标可能性, not “%s”', i.likelihood) END,
               '22P02'
        FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].indicators[*]'))
             AS i (form integer, line integer, level1 text, level2 text, likelihood text)
        WHERE i.level1 IS NULL OR i.level2 IS NULL
           OR (i.likelihood IS NOT NULL AND @extschema@.monitoring_likelihood(i.likelihood) IS NULL)
    ) p
    ORDER BY p.form, p.line
    LIMIT 1
$q$;

COMMENT ON FUNCTION @extschema@.monitoring_import_problem(jsonb) IS
'The first cell of a read monitoring document that no table can hold, with what was expected there: how import_monitoring explains a refusal';

CREATE FUNCTION @extschema@.import_monitoring(document text, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    forms jsonb;
    f record;
    bad record;
    top_id bigint;
    unit_id bigint;
    proj record;
    id bigint;
    ids bigint[] := '{}';
    seen text[] := '{}';
    seen_at integer[] := '{}';
    k integer;
    quote_lines integer[];
BEGIN
    IF on_conflict IS NULL OR on_conflict NOT IN ('error', 'replace') THEN
        RAISE EXCEPTION 'on_conflict must be ''error'' or ''replace'', not %',
                coalesce(pg_catalog.quote_literal(on_conflict), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''error'' (the default) refuses a project, year and period already stored; ''replace'' replaces it and keeps the old version in pjeval.history.';
    END IF;
    IF document IS NULL THEN
        RETURN;
    END IF;

    -- 1. Read (22P02 for a form that cannot be read), then what the reader
    -- lets through but no table can hold.
    forms := @extschema@.read_monitoring_forms(document);
    SELECT * INTO bad FROM @extschema@.monitoring_import_problem(forms);
    IF FOUND THEN
        RAISE EXCEPTION 'monitoring form % of the document cannot be read: line %', bad.form, bad.line
            USING ERRCODE = bad.sqlstate,
                  DETAIL = pg_catalog.format('Line %s: "%s"; expected %s.', bad.line,
                                             @extschema@.document_line(document, bad.line), bad.expected),
                  HINT = 'Nothing of the document was imported.';
    END IF;

    -- 2. Form by form (a unit's monitoring forms are few): its units and
    -- project found or created as import_forms finds them, then the report
    -- with its rows.
    FOR f IN
        SELECT *
        FROM jsonb_to_recordset(forms) AS x (form integer, line integer, project_code text, project_name text,
                                             year integer, unit text, top_unit text, month integer, amount_unit text,
                                             goal text, progress text, on_schedule text, stage_met text,
                                             reason_type text, analysis text, adjustment text, notes text,
                                             funds jsonb, indicators jsonb)
        ORDER BY x.form
    LOOP
        -- 一级预算单位: a unit of that name (a top-level one first), created at the top level
        top_id := NULL;
        IF f.top_unit IS NOT NULL THEN
            SELECT u.unit_id INTO top_id FROM @extschema@.unit u
            WHERE u.name = f.top_unit ORDER BY u.parent_id IS NOT NULL, u.unit_id LIMIT 1;
            IF top_id IS NULL THEN
                INSERT INTO @extschema@.unit (name) VALUES (f.top_unit)
                ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;
                SELECT u.unit_id INTO top_id FROM @extschema@.unit u
                WHERE u.name = f.top_unit AND u.parent_id IS NULL;
            END IF;
        END IF;
        -- 实施单位: under its 一级预算单位 first, then at the top level, then any
        unit_id := top_id;
        IF f.unit IS NOT NULL AND f.unit IS DISTINCT FROM f.top_unit THEN
            SELECT u.unit_id INTO unit_id FROM @extschema@.unit u
            WHERE u.name = f.unit
            ORDER BY u.parent_id IS NOT DISTINCT FROM top_id DESC, u.parent_id IS NULL DESC, u.unit_id LIMIT 1;
            IF NOT FOUND THEN
                IF top_id IS NULL THEN
                    INSERT INTO @extschema@.unit (name) VALUES (f.unit)
                    ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;
                ELSE
                    INSERT INTO @extschema@.unit (name, parent_id) VALUES (f.unit, top_id)
                    ON CONFLICT (parent_id, name) WHERE parent_id IS NOT NULL DO NOTHING;
                END IF;
                SELECT u.unit_id INTO unit_id FROM @extschema@.unit u
                WHERE u.name = f.unit AND u.parent_id IS NOT DISTINCT FROM top_id;
            END IF;
        END IF;

        -- the project: by 项目编号, else by name within the unit
        IF f.project_code IS NOT NULL THEN
            INSERT INTO @extschema@.project (code, name, unit_id) VALUES (f.project_code, f.project_name, unit_id)
            ON CONFLICT (code) DO NOTHING;
            SELECT p.project_id, p.unit_id, u.name AS unit_name INTO proj
            FROM @extschema@.project p JOIN @extschema@.unit u ON u.unit_id = p.unit_id
            WHERE p.code = f.project_code;
        ELSE
            INSERT INTO @extschema@.project (name, unit_id) VALUES (f.project_name, unit_id)
            ON CONFLICT (unit_id, name) WHERE code IS NULL DO NOTHING;
            SELECT p.project_id, p.unit_id, u.name AS unit_name INTO proj
            FROM @extschema@.project p JOIN @extschema@.unit u ON u.unit_id = p.unit_id
            WHERE p.unit_id = import_monitoring.unit_id AND p.name = f.project_name
            ORDER BY p.code IS NOT NULL, p.project_id LIMIT 1;
        END IF;
        IF proj.project_id IS NULL THEN
            RAISE EXCEPTION 'monitoring form % of the document (line %): project % belongs to a unit that role % does not work for',
                    f.form, f.line, f.project_code, current_user
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'A role imports the forms of the units it works for (pjeval.unit_member); reviewers import any.';
        ELSIF proj.unit_id <> unit_id THEN
            RAISE EXCEPTION 'monitoring form % of the document (line %): project % “%” belongs to unit “%”, not to “%”',
                    f.form, f.line, coalesce(f.project_code, '(no 项目编号)'), f.project_name,
                    proj.unit_name, coalesce(f.unit, f.top_unit)
                USING ERRCODE = 'integrity_constraint_violation',
                      HINT = 'A project has one implementing unit (实施单位). Correct the form, or move the project first: UPDATE pjeval.project SET unit_id = … (a reviewer).';
        END IF;

        -- one report per project, year and period in a document
        k := pg_catalog.array_position(seen, proj.project_id || '/' || f.year || '/' || f.month);
        IF k IS NOT NULL THEN
            RAISE EXCEPTION 'monitoring forms % (line %) and % (line %) of the document are both project % “%” for %, 1-%月',
                    k, seen_at[k], f.form, f.line, coalesce(f.project_code, '(no 项目编号)'), f.project_name, f.year, f.month
                USING ERRCODE = 'unique_violation',
                      HINT = 'A document holds one form per project, year and period: remove one of them. Nothing of the document was imported.';
        END IF;
        seen := seen || (proj.project_id || '/' || f.year || '/' || f.month);
        seen_at := seen_at || f.line;

        -- the report: new, or replaced in place (the same id, its profile
        -- kept, its rows written anew, the old version in pjeval.history)
        -- (two imports of the report take turns: a transaction advisory
        -- lock, not FOR UPDATE: on a Citus cluster a row lock on a reference
        -- table needs rights on the tables it references)
        PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(
                    pg_catalog.format('pjeval.monitoring %s %s %s', proj.project_id, f.year, f.month), 0));
        SELECT m.monitoring_id INTO id FROM @extschema@.monitoring m
        WHERE m.project_id = proj.project_id AND m.year = f.year AND m.month = f.month;
        IF FOUND AND on_conflict = 'error' THEN
            RAISE EXCEPTION 'project % “%” already has a monitoring report for %, 1-%月 (monitoring %)',
                    coalesce(f.project_code, '(no 项目编号)'), f.project_name, f.year, f.month, id
                USING ERRCODE = 'unique_violation',
                      DETAIL = pg_catalog.format('Monitoring form %s of the document, line %s.', f.form, f.line),
                      HINT = 'To replace it, import with on_conflict => ''replace'' (the old version stays in pjeval.history). Nothing of the document was imported.';
        ELSIF FOUND THEN
            UPDATE @extschema@.monitoring m
            SET budget_unit_id = top_id, amount_unit = coalesce(f.amount_unit, '元'), annual_goal = f.goal,
                progress = f.progress, declared_on_schedule = CASE WHEN f.on_schedule = '是' THEN true WHEN f.on_schedule = '否' THEN false END,
                declared_stage_met = CASE WHEN f.stage_met = '是' THEN true WHEN f.stage_met = '否' THEN false END,
                reason_type = @extschema@.monitoring_reason_code(f.reason_type), analysis = f.analysis,
                target_adjustment = f.adjustment, notes = f.notes, updated_at = pg_catalog.now()
            WHERE m.monitoring_id = id;
            DELETE FROM @extschema@.monitoring_fund_line l WHERE l.monitoring_id = id;
            DELETE FROM @extschema@.monitoring_indicator i WHERE i.monitoring_id = id;
        ELSE
            INSERT INTO @extschema@.monitoring (project_id, year, month, budget_unit_id, amount_unit, annual_goal, progress,
                                                declared_on_schedule, declared_stage_met, reason_type, analysis,
                                                target_adjustment, notes)
            VALUES (proj.project_id, f.year, f.month, top_id, coalesce(f.amount_unit, '元'), f.goal, f.progress,
                    CASE WHEN f.on_schedule = '是' THEN true WHEN f.on_schedule = '否' THEN false END,
                    CASE WHEN f.stage_met = '是' THEN true WHEN f.stage_met = '否' THEN false END,
                    @extschema@.monitoring_reason_code(f.reason_type), f.analysis, f.adjustment, f.notes)
            RETURNING monitoring_id INTO id;
        END IF;

        -- (through import_insert: on a Citus cluster as INSERT ... VALUES)
        PERFORM @extschema@.import_insert('@extschema@.monitoring_fund_line',
            (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                        'monitoring_id', id, 'source', x.kind,
                        'label', CASE WHEN x.kind = 'other' THEN nullif(x.source, sfs.label) END,
                        'initial_budget', coalesce(x.initial_budget, 0), 'added', x.added, 'reduced', x.reduced,
                        'adjusted_budget', coalesce(x.adjusted_budget, 0), 'executed', coalesce(x.executed, 0),
                        'reported_rate', x.rate, 'forecast', x.forecast)
                    ORDER BY x.line)
             FROM jsonb_to_recordset(f.funds) AS x (line integer, source text, kind text, initial_budget numeric, added numeric,
                                                    reduced numeric, adjusted_budget numeric, executed numeric,
                                                    rate numeric, forecast numeric)
             LEFT JOIN @extschema@.standard_fund_source sfs ON sfs.source = x.kind));

        -- 备注 beginning with 时点 or 累计 (时点指标) says the target's accrual
        PERFORM @extschema@.import_insert('@extschema@.monitoring_indicator',
            (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                        'monitoring_id', id, 'position', x.position, 'level1', x.level1, 'level2', x.level2,
                        'level3', x.level3, 'target_text', x.target, 'actual_text', x.actual, 'forecast_text', x.forecast,
                        'accrual', CASE WHEN x.notes LIKE '时点%' THEN 'point' WHEN x.notes LIKE '累计%' THEN 'cumulative' END,
                        'deviation_causes', c.causes, 'deviation_note', c.note,
                        'likelihood', @extschema@.monitoring_likelihood(x.likelihood), 'notes', x.notes)
                    ORDER BY x.position)
             FROM jsonb_to_recordset(f.indicators) AS x (position integer, level1 text, level2 text, level3 text,
                                                         target text, actual text, forecast text, causes text,
                                                         likelihood text, notes text)
             CROSS JOIN LATERAL @extschema@.monitoring_causes(x.causes) c));

        ids := ids || id;
    END LOOP;

    quote_lines := ARRAY(SELECT x.line
                         FROM jsonb_to_recordset(pg_catalog.jsonb_path_query_array(forms, '$[*].findings[*]'))
                              AS x (line integer, code text)
                         WHERE x.code = 'unclosed_quote' ORDER BY x.line);
    IF pg_catalog.cardinality(quote_lines) > 0 THEN
        RAISE NOTICE '% cell(s) of the document begin with a quote that nothing closes, read as text: line %',
                pg_catalog.cardinality(quote_lines),
                pg_catalog.array_to_string(quote_lines[1:10], ', ') || CASE WHEN pg_catalog.cardinality(quote_lines) > 10 THEN ', …' ELSE '' END
            USING HINT = 'A spreadsheet closes every quote it opens; these cells were probably copied from a PDF. Check that their rows are whole.';
    END IF;
    RETURN QUERY SELECT x FROM pg_catalog.unnest(ids) x;
END
$fn$;

COMMENT ON FUNCTION @extschema@.import_monitoring(text, text) IS
'Imports every 项目支出绩效目标执行监控表 of a tab-separated document (read by pjeval.read_monitoring_forms): units and projects found or created as import_forms finds them, one monitoring report per form with its fund lines and indicators. All or nothing. Returns the monitoring ids in the document''s order. on_conflict: ''error'' (default) refuses a project, year and period already stored (23505); ''replace'' replaces it in place, keeping the old version in pjeval.history';

-- ------------------------------------------------------------------ export

-- The light as a word of the page, with its colour class.
CREATE FUNCTION @extschema@.light_html(light text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN $1 IS NULL THEN '<span class="light none">—</span>'
                ELSE pg_catalog.format('<span class="light %s">%s</span>', $1,
                                       CASE $1 WHEN 'red' THEN '红灯' WHEN 'yellow' THEN '黄灯'
                                               WHEN 'green' THEN '绿灯' WHEN 'blue' THEN '蓝灯' ELSE '?' END) END
$$;

COMMENT ON FUNCTION @extschema@.light_html(text) IS
'A light (red, yellow, green, blue or NULL) as a coloured word of an HTML page: 红灯, 黄灯, 绿灯, 蓝灯, —';

CREATE FUNCTION @extschema@.export_monitoring(id bigint, format text DEFAULT 'text')
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    m record;
    r record;
    funds text;
    inds text;
    finds text;
    nfind integer;
    period text;
BEGIN
    IF format IS NULL OR format NOT IN ('text', 'html') THEN
        RAISE EXCEPTION 'format must be ''text'' or ''html'', not %', coalesce(pg_catalog.quote_literal(format), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''text'' writes the template as tab-separated text (pjeval.import_monitoring reads it back); ''html'' writes a printable page with the lights.';
    END IF;
    IF export_monitoring.id IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT mo.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, bu.name AS budget_unit_name,
           mr.code || '-' || mr.label AS reason
    INTO m
    FROM @extschema@.monitoring mo
    JOIN @extschema@.project p ON p.project_id = mo.project_id
    JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    LEFT JOIN @extschema@.unit bu ON bu.unit_id = mo.budget_unit_id
    LEFT JOIN @extschema@.monitoring_reason mr ON mr.code = mo.reason_type
    WHERE mo.monitoring_id = export_monitoring.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'monitoring report % does not exist or is not visible to role %', export_monitoring.id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the reports of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;
    period := '1-' || m.month || '月';

    IF format = 'text' THEN
        SELECT pg_catalog.string_agg(pg_catalog.concat_ws(E'\t',
                   CASE WHEN f.n = 1 THEN '项目资金（' || m.amount_unit || '）' ELSE '' END,
                   @extschema@.export_cell(@extschema@.fund_line_label(f.source, f.label, f.standard_label)),
                   f.initial_budget, coalesce(f.added::text, '—'), coalesce(f.reduced::text, '—'), f.adjusted_budget,
                   f.executed, coalesce(f.reported_rate::text, '—'), coalesce(f.forecast::text, '—')),
               E'\n' ORDER BY f.n)
        INTO funds
        FROM (SELECT l.*, s.label AS standard_label,
                     pg_catalog.row_number() OVER (ORDER BY s.position, l.monitoring_fund_line_id) AS n
              FROM @extschema@.monitoring_fund_line l
              JOIN @extschema@.standard_fund_source s ON s.source = l.source
              WHERE l.monitoring_id = export_monitoring.id) f;

        -- levels left blank where they repeat the row above, as on the form;
        -- a target's accrual is said in 备注 (时点指标, 累计指标) when 备注 does not say it
        SELECT pg_catalog.string_agg(pg_catalog.concat_ws(E'\t', '',
                   CASE WHEN i.new1 THEN @extschema@.export_cell(i.level1) ELSE '' END,
                   CASE WHEN i.new1 OR i.new2 THEN @extschema@.export_cell(i.level2) ELSE '' END,
                   @extschema@.export_cell(i.level3), @extschema@.export_cell(i.target_text),
                   @extschema@.export_cell(i.actual_text), @extschema@.export_cell(i.forecast_text),
                   @extschema@.export_cell(nullif(pg_catalog.concat_ws('、',
                       nullif(pg_catalog.array_to_string(i.deviation_causes, '、'), ''), i.deviation_note), '')),
                   coalesce(i.likelihood::text, ''),
                   @extschema@.export_cell(CASE
                       WHEN i.accrual = 'point' AND coalesce(i.notes, '') NOT LIKE '时点%' THEN '时点指标' || coalesce('；' || i.notes, '')
                       WHEN i.accrual = 'cumulative' AND coalesce(i.notes, '') NOT LIKE '累计%' THEN '累计指标' || coalesce('；' || i.notes, '')
                       ELSE i.notes END)),
               E'\n' ORDER BY i.position)
        INTO inds
        FROM (SELECT mi.*,
                     mi.level1 IS DISTINCT FROM pg_catalog.lag(mi.level1) OVER w OR pg_catalog.lag(mi.position) OVER w IS NULL AS new1,
                     mi.level2 IS DISTINCT FROM pg_catalog.lag(mi.level2) OVER w AS new2
              FROM @extschema@.monitoring_indicator mi
              WHERE mi.monitoring_id = export_monitoring.id
              WINDOW w AS (ORDER BY mi.position)) i;

        RETURN pg_catalog.array_to_string(ARRAY[
            '项目支出绩效目标执行监控表',
            '',
            pg_catalog.concat_ws(E'\t', '项目编号:', @extschema@.export_cell(m.project_code), '项目名称:',
                                 @extschema@.export_cell(m.project_name), '监控年度:', m.year),
            pg_catalog.concat_ws(E'\t', '实施单位:', @extschema@.export_cell(m.unit_name), '一级预算单位:',
                                 @extschema@.export_cell(m.budget_unit_name), '监控期间:', period),
            '',
            '资金执行情况',
            '',
            E'\t\t年初预算数\t追加数\t追减数\t调整后预算数\t' || period || E'执行数\t' || period || E'执行率 (%)\t全年预计执行数',
            coalesce(funds, ''),
            '',
            '项目目标执行情况',
            '',
            E'年度总体目标\t年度目标\t' || period || '执行情况',
            E'\t' || @extschema@.export_cell(m.annual_goal) || E'\t' || @extschema@.export_cell(m.progress),
            E'年度绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t' || period || E'实际完成值\t全年预计完成值\t偏差原因\t完成目标可能性\t备注',
            coalesce(inds, ''),
            '',
            '执行情况分析',
            '',
            E'是否达到序时支出进度:\t' || CASE m.declared_on_schedule WHEN true THEN '是' WHEN false THEN '否' ELSE '' END,
            E'是否达到阶段性绩效目标:\t' || CASE m.declared_stage_met WHEN true THEN '是' WHEN false THEN '否' ELSE '' END,
            E'原因类型:\t' || coalesce(m.reason, ''),
            E'情况分析:\t' || @extschema@.export_cell(m.analysis),
            E'绩效目标调整情况:\t' || @extschema@.export_cell(m.target_adjustment),
            '',
            '备注：',
            @extschema@.export_cell(m.notes)], E'\n') || E'\n';
    END IF;

    -- 'html': the form as a printable page, with the lights the views compute
    SELECT * INTO r FROM @extschema@.monitoring_result mr WHERE mr.monitoring_id = export_monitoring.id;
    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr><td class="label">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
               @extschema@.html_escape(@extschema@.fund_line_label(f.source, f.label, s.label)),
               f.initial_budget, coalesce(f.added::text, '—'), coalesce(f.reduced::text, '—'), f.adjusted_budget,
               f.executed, coalesce(f.reported_rate::text, '—'), coalesce(f.forecast::text, '—')),
               E'\n' ORDER BY s.position, f.monitoring_fund_line_id)
    INTO funds
    FROM @extschema@.monitoring_fund_line f
    JOIN @extschema@.standard_fund_source s ON s.source = f.source
    WHERE f.monitoring_id = export_monitoring.id;

    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr class="light-%s"><td class="pos">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
               coalesce(x.light, 'none'), x.position, @extschema@.html_escape(x.level1), @extschema@.html_escape(x.level2),
               @extschema@.html_escape(x.level3), @extschema@.html_escape(x.target_text),
               @extschema@.html_escape(x.actual_text), @extschema@.html_escape(x.forecast_text),
               @extschema@.html_escape(nullif(pg_catalog.concat_ws('、',
                   nullif(pg_catalog.array_to_string(x.deviation_causes, '、'), ''), x.deviation_note), '')),
               @extschema@.html_escape(x.likelihood::text), @extschema@.html_escape(x.notes),
               @extschema@.light_html(x.light)),
               E'\n' ORDER BY x.position)
    INTO inds
    FROM (SELECT mi.*, @extschema@.indicator_light(mi.target, mi.actual, m.month, mi.level2, mi.accrual, m.year,
                                                   pr.monitor_yellow_from, pr.monitor_green_from, pr.monitor_blue_from) AS light
          FROM @extschema@.monitoring_indicator mi
          JOIN @extschema@.profile pr ON pr.name = m.profile
          WHERE mi.monitoring_id = export_monitoring.id) x;

    SELECT pg_catalog.count(*),
           pg_catalog.string_agg(pg_catalog.format('<li class="finding-%s"><span class="where">%s</span> %s <code>%s</code><br><span class="en">%s</span></li>',
                                                   f.severity, CASE WHEN f.position IS NULL THEN '整表' ELSE '指标 ' || f.position END,
                                                   @extschema@.html_escape(f.message_zh), @extschema@.html_escape(f.code),
                                                   @extschema@.html_escape(f.message_en)),
                                 E'\n' ORDER BY f.position NULLS FIRST, f.code)
    INTO nfind, finds
    FROM @extschema@.monitoring_finding f
    WHERE f.monitoring_id = export_monitoring.id;

    RETURN pg_catalog.concat(
'<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="generator" content="pjeval">
<title>项目支出绩效目标执行监控表 · ', @extschema@.html_escape(m.project_name), ' · ', m.year, '年', period, '</title>
<style>
@page { size: A4 landscape; margin: 12mm; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif; font-size: 9.5pt; }
h1 { text-align: center; font-size: 16pt; margin: 0; }
p.subtitle { text-align: center; margin: 1mm 0 4mm; }
table.form { width: 100%; border-collapse: collapse; }
table.form th, table.form td { border: 0.6pt solid #000; padding: 1mm; }
table.form th { background: #f0f0f0; font-weight: 400; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.light { display: inline-block; padding: 0 1.5mm; border-radius: 1mm; color: #fff; white-space: nowrap; }
.light.red { background: #c62828; } .light.yellow { background: #f9a825; color: #000; }
.light.green { background: #2e7d32; } .light.blue { background: #1565c0; } .light.none { color: #555; }
section.lights, section.findings { margin-top: 4mm; }
@media print { * { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
</style>
</head>
<body>
<h1>项目支出绩效目标执行监控表</h1>
<p class="subtitle">（', m.year, '年', period, '）</p>
<table class="form">
<tr><th>项目编号</th><td>', @extschema@.html_escape(m.project_code), '</td><th>项目名称</th><td>', @extschema@.html_escape(m.project_name),
    '</td><th>监控年度</th><td>', m.year, '</td></tr>
<tr><th>实施单位</th><td>', @extschema@.html_escape(m.unit_name), '</td><th>一级预算单位</th><td>', @extschema@.html_escape(m.budget_unit_name),
    '</td><th>监控期间</th><td>', period, '</td></tr>
</table>
<section class="lights">
<table class="form lights">
<tr><th>执行率 (%)</th><th>时间进度 (%)</th><th>v</th><th>预算执行预警</th><th>目标执行预警</th><th>双监控（计算）</th><th>双监控（填报）</th></tr>
<tr><td class="num">', coalesce(r.execution_rate::text, '—'), '</td><td class="num">', r.time_progress, '</td><td class="num">',
    coalesce(r.fund_index::text, '—'), '</td><td>', @extschema@.light_html(r.fund_light), '</td><td>', @extschema@.light_html(r.project_light),
    '</td><td>', @extschema@.light_html(r.dual_light), '</td><td>', @extschema@.light_html(r.declared_dual_light), '</td></tr>
</table>
</section>
<h2>资金执行情况（', @extschema@.html_escape(m.amount_unit), '）</h2>
<table class="form funds">
<tr><th></th><th>年初预算数</th><th>追加数</th><th>追减数</th><th>调整后预算数</th><th>', period, '执行数</th><th>', period, '执行率 (%)</th><th>全年预计执行数</th></tr>
', coalesce(funds, ''), '
</table>
<h2>项目目标执行情况</h2>
<table class="form goals">
<tr><th>年度目标</th><th>', period, '执行情况</th></tr>
<tr><td>', @extschema@.html_escape(m.annual_goal), '</td><td>', @extschema@.html_escape(m.progress), '</td></tr>
</table>
<table class="form indicators">
<tr><th>序号</th><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>年度指标值</th><th>', period, '实际完成值</th><th>全年预计完成值</th><th>偏差原因</th><th>完成目标可能性</th><th>备注</th><th>预警</th></tr>
', coalesce(inds, ''), '
</table>
<h2>执行情况分析</h2>
<table class="form analysis">
<tr><th>是否达到序时支出进度</th><td>', CASE m.declared_on_schedule WHEN true THEN '是' WHEN false THEN '否' ELSE '' END,
    '</td><th>是否达到阶段性绩效目标</th><td>', CASE m.declared_stage_met WHEN true THEN '是' WHEN false THEN '否' ELSE '' END, '</td></tr>
<tr><th>原因类型</th><td colspan="3">', @extschema@.html_escape(m.reason), '</td></tr>
<tr><th>情况分析</th><td colspan="3">', @extschema@.html_escape(m.analysis), '</td></tr>
<tr><th>绩效目标调整情况</th><td colspan="3">', @extschema@.html_escape(m.target_adjustment), '</td></tr>
<tr><th>备注</th><td colspan="3">', pg_catalog.replace(@extschema@.html_escape(m.notes), E'\n', '<br>'), '</td></tr>
</table>
<section class="findings">
<h2>审核发现（', nfind, '）</h2>
', CASE WHEN finds IS NULL THEN '<p>无。</p>' ELSE '<ol>' || E'\n' || finds || E'\n</ol>' END, '
</section>
</body>
</html>
');
END
$fn$;

COMMENT ON FUNCTION @extschema@.export_monitoring(bigint, text) IS
'One monitoring report as the template''s tab-separated text (''text'', default: pjeval.import_monitoring reads it back to the same rows) or as a printable HTML page with its lights and findings (''html''). 02000 for a report that does not exist or that the caller may not see';

-- The monitoring forms of an .xlsx workbook, one per visible sheet, read as
-- the spreadsheet shows them (36_workbook.sql): import_monitoring on that
-- document, its errors naming the sheet and row.
CREATE FUNCTION @extschema@.import_monitoring_workbook(workbook bytea, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM @extschema@.import_workbook_as($1, $2, 'import_monitoring')
$$;

COMMENT ON FUNCTION @extschema@.import_monitoring_workbook(bytea, text) IS
'Imports every 项目支出绩效目标执行监控表 on every visible sheet of an .xlsx workbook: pjeval.import_monitoring on the document pjeval.workbook_text shows, with the same semantics (all or nothing, on_conflict); its errors keep their SQLSTATE and name the sheet and row (Sheet "NAME", row R) instead of a line. VOLATILE, runs with the caller''s rights';
