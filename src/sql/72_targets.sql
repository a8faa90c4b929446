-- 72_targets.sql - the target form (项目支出绩效目标申报表, docs/targets.md):
-- the tables, its import and export, the targets in force, the
-- target-quality audit (pjeval.target_finding) and the consistency of the
-- self-evaluation with its targets (pjeval.cycle_finding).
--
-- The tables follow the monitoring report's (62_monitoring.sql) and reuse the
-- self-evaluation's machinery: the same row-level security test, the
-- workflow triggers (evaluation_workflow, form_row_workflow, set_form_status
-- know the form 'target'), the history triggers and the indicator's
-- generated typed values.  A project's targets for a year are versions: 1 is
-- the original, each 目标调整 a new version with its reason; the version in
-- force is the approved one with the highest number (pjeval.target_in_force),
-- and every version is kept.  After 70_import.sql, whose export_cell it
-- uses.

-- 项目支出绩效目标申报表: one version of a project's targets for a year.
CREATE TABLE @extschema@.target (
    target_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES @extschema@.project (project_id),
    year            integer NOT NULL
                    CONSTRAINT target_year_range CHECK (year BETWEEN 2000 AND 2100),
    version         integer NOT NULL DEFAULT 1
                    CONSTRAINT target_version_positive CHECK (version BETWEEN 1 AND 1000),
    profile         text NOT NULL DEFAULT @extschema@.default_profile()
                    REFERENCES @extschema@.profile (name) ON UPDATE CASCADE,
    budget_unit_id  bigint REFERENCES @extschema@.unit (unit_id),
    amount_unit     text NOT NULL DEFAULT '元'
                    CONSTRAINT target_amount_unit CHECK (amount_unit IN ('元', '万元')),
    attribute       text
                    CONSTRAINT target_attribute CHECK (attribute IN ('新增', '延续')),
    long_term_goal  text,
    annual_goal     text,
    adjustment_reason text
                    CONSTRAINT target_adjustment_reason_not_blank CHECK (pg_catalog.btrim(adjustment_reason) <> ''),
    requested_on    date,
    notes           text,
    status          text NOT NULL DEFAULT 'draft'
                    CONSTRAINT target_status CHECK (status IN ('draft', 'submitted', 'approved')),
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    submitted_at    timestamptz,
    approved_at     timestamptz,
    approved_by     name,
    CONSTRAINT target_adjustment_has_reason CHECK (version = 1 OR adjustment_reason IS NOT NULL),
    CONSTRAINT target_project_year_version_key UNIQUE (project_id, year, version)
);
CREATE INDEX target_year_idx ON @extschema@.target (year);
CREATE INDEX target_budget_unit_idx ON @extschema@.target (budget_unit_id);
CREATE INDEX target_profile_idx ON @extschema@.target (profile);

COMMENT ON TABLE @extschema@.target IS
'One version of a 项目支出绩效目标申报表: a project''s targets for a year; version 1 is the original, each 目标调整 a new version with its reason; draft, submitted or approved. pjeval.target_in_force gives the version in force';
COMMENT ON COLUMN @extschema@.target.version IS '1 the original; 2, 3, … the 目标调整 (adjustments), each with adjustment_reason';
COMMENT ON COLUMN @extschema@.target.profile IS 'The profile the form is checked by (central-2020 unless a reviewer chooses another), as for the self-evaluation; T2 takes its minimum from it (profile.target_quantified_share_min)';
COMMENT ON COLUMN @extschema@.target.budget_unit_id IS '主管部门 (一级预算单位) as written on the form';
COMMENT ON COLUMN @extschema@.target.amount_unit IS 'The unit of the fund amounts: 项目资金（元） or （万元）';
COMMENT ON COLUMN @extschema@.target.attribute IS '项目属性: 新增 or 延续';
COMMENT ON COLUMN @extschema@.target.long_term_goal IS '总体目标: 长期目标, as written';
COMMENT ON COLUMN @extschema@.target.annual_goal IS '总体目标: 年度目标, as written';
COMMENT ON COLUMN @extschema@.target.adjustment_reason IS '调整原因 of a 目标调整 (version 2 on)';
COMMENT ON COLUMN @extschema@.target.requested_on IS '申请日期 of a 目标调整';
COMMENT ON COLUMN @extschema@.target.status IS 'draft → submitted (pjeval.submit_target) → approved (pjeval.approve_target); pjeval.reopen_target returns it to draft';

-- 项目资金: one row per source, the previous year's budget and execution and
-- this year's request (大庆's layout).
CREATE TABLE @extschema@.target_fund_line (
    target_fund_line_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id       bigint NOT NULL REFERENCES @extschema@.target (target_id) ON DELETE CASCADE,
    source          text NOT NULL REFERENCES @extschema@.standard_fund_source (source),
    label           text
                    CONSTRAINT target_fund_line_label_only_other CHECK (source = 'other' OR label IS NULL)
                    CONSTRAINT target_fund_line_label_not_blank CHECK (pg_catalog.btrim(label) <> ''),
    last_year_budget numeric
                    CONSTRAINT target_fund_line_last_year_budget_amount
                    CHECK (last_year_budget >= 0 AND @extschema@.is_scorable_number(last_year_budget)),
    last_year_executed numeric
                    CONSTRAINT target_fund_line_last_year_executed_amount
                    CHECK (last_year_executed >= 0 AND @extschema@.is_scorable_number(last_year_executed)),
    requested       numeric
                    CONSTRAINT target_fund_line_requested_amount
                    CHECK (requested >= 0 AND @extschema@.is_scorable_number(requested))
);
CREATE UNIQUE INDEX target_fund_line_source_key ON @extschema@.target_fund_line (target_id, source)
    WHERE source <> 'other';
CREATE UNIQUE INDEX target_fund_line_other_key ON @extschema@.target_fund_line (target_id, (coalesce(label, '')))
    WHERE source = 'other';

COMMENT ON TABLE @extschema@.target_fund_line IS
'项目资金 of a target form, one row per source (pjeval.standard_fund_source; other sources by name): 上年度预算安排, 上年度实际执行, 本年度申请金额, in the form''s amount_unit';

-- 绩效指标: the 长期 and 年度 sets, each indicator's 指标值 as written and as
-- read (generated, as pjeval.indicator.target), 计算公式, 绩效标准 and
-- 上年度实际水平.
CREATE TABLE @extschema@.target_indicator (
    target_indicator_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id       bigint NOT NULL REFERENCES @extschema@.target (target_id) ON DELETE CASCADE,
    position        integer NOT NULL
                    CONSTRAINT target_indicator_position_positive CHECK (position >= 1),
    term            text NOT NULL DEFAULT '年度'
                    CONSTRAINT target_indicator_term CHECK (term IN ('年度', '长期')),
    level1          text NOT NULL
                    CONSTRAINT target_indicator_level1_not_blank CHECK (pg_catalog.btrim(level1) <> ''),
    level2          text NOT NULL
                    CONSTRAINT target_indicator_level2_not_blank CHECK (pg_catalog.btrim(level2) <> ''),
    level3          text NOT NULL
                    CONSTRAINT target_indicator_level3_not_blank CHECK (pg_catalog.btrim(level3) <> ''),
    target_text     text,
    target          @extschema@.indicator_value
                    GENERATED ALWAYS AS (@extschema@.try_indicator_value(coalesce(target_text, ''))) STORED,
    formula         text,
    standard        text
                    CONSTRAINT target_indicator_standard CHECK (standard IN ('历史', '行业', '计划', '其他')),
    last_year_text  text,
    last_year       @extschema@.indicator_value
                    GENERATED ALWAYS AS (@extschema@.try_indicator_value(coalesce(last_year_text, ''))) STORED,
    notes           text,
    CONSTRAINT target_indicator_position_key UNIQUE (target_id, position)
);
CREATE INDEX target_indicator_level3_idx ON @extschema@.target_indicator (level3);

COMMENT ON TABLE @extschema@.target_indicator IS
'绩效指标 of a target form: term (年度 or 长期 set), levels, 指标值 (target_text as written, target as read), 计算公式 (formula), 绩效标准 (历史, 行业, 计划, 其他), 上年度实际水平 (last_year_text, last_year) and 备注';

-- Row-level security: the self-evaluation's test (60_security.sql).
ALTER TABLE @extschema@.target ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.target_fund_line ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.target_indicator ENABLE ROW LEVEL SECURITY;

CREATE POLICY target_unit ON @extschema@.target FOR ALL
    USING (@extschema@.visible('project', project_id))
    WITH CHECK (@extschema@.may_write('target', 'project', project_id));

CREATE POLICY target_fund_line_unit ON @extschema@.target_fund_line FOR ALL
    USING (@extschema@.visible('target', target_id))
    WITH CHECK (@extschema@.may_write('target_fund_line', 'target', target_id));

CREATE POLICY target_indicator_unit ON @extschema@.target_indicator FOR ALL
    USING (@extschema@.visible('target', target_id))
    WITH CHECK (@extschema@.may_write('target_indicator', 'target', target_id));

-- The workflow: the self-evaluation's triggers, with the form's table as
-- their argument.
CREATE TRIGGER evaluation_workflow
BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.target
FOR EACH ROW EXECUTE FUNCTION @extschema@.evaluation_workflow('target');

CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.target_fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('target', 'target_fund_line');
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.target_fund_line
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('target', 'target_fund_line');
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.target_fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('target', 'target_fund_line');
CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.target_indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('target', 'target_indicator');
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.target_indicator
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('target', 'target_indicator');
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.target_indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('target', 'target_indicator');

CREATE FUNCTION @extschema@.submit_target(target_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_form_status('target', $1, ARRAY['draft'], 'submitted', 'submitted')
$$;

CREATE FUNCTION @extschema@.approve_target(target_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_form_status('target', $1, ARRAY['submitted'], 'approved', 'approved')
$$;

CREATE FUNCTION @extschema@.reopen_target(target_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_form_status('target', $1, ARRAY['submitted', 'approved'], 'draft', 'reopened')
$$;

COMMENT ON FUNCTION @extschema@.submit_target(bigint) IS
'Submits a draft target form (draft → submitted); from then on it and its rows are read-only';
COMMENT ON FUNCTION @extschema@.approve_target(bigint) IS
'Approves a submitted target form (submitted → approved); reviewers only. The approved version with the highest number is the one in force';
COMMENT ON FUNCTION @extschema@.reopen_target(bigint) IS
'Returns a submitted or approved target form to draft; reviewers only';

-- History: the self-evaluation's triggers (record_history knows these tables).
CREATE INDEX history_target_idx ON @extschema@.history (row_id, history_id)
    WHERE table_name = 'target';

CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.target
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.target
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.target
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target');
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.target_fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target_fund_line');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.target_fund_line
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target_fund_line');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.target_fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target_fund_line');
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.target_indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target_indicator');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.target_indicator
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target_indicator');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.target_indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('target_indicator');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.target
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('target');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.target_fund_line
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('target_fund_line');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.target_indicator
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('target_indicator');

-- 目标调整: a new draft version of the targets, a copy of the version in
-- force (the last approved one), with the reason; the unit edits it, submits
-- it, and once a reviewer approves it, it is in force.  The original stays.
CREATE FUNCTION @extschema@.adjust_target(target_id bigint, reason text, requested_on date DEFAULT CURRENT_DATE)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
    new_id bigint;
BEGIN
    SELECT x.* INTO t FROM @extschema@.target x WHERE x.target_id = adjust_target.target_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'target form % does not exist or is not visible to role %', adjust_target.target_id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;
    IF t.status <> 'approved' THEN
        RAISE EXCEPTION 'target form % is %: only approved targets are adjusted', t.target_id, t.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'A draft is changed in place; a submitted one is approved (pjeval.approve_target) or reopened first.';
    END IF;
    IF pg_catalog.btrim(coalesce(reason, '')) = '' THEN
        RAISE EXCEPTION 'a 目标调整 needs its reason (调整原因)'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO @extschema@.target (project_id, year, version, budget_unit_id, amount_unit, attribute,
                                    long_term_goal, annual_goal, adjustment_reason, requested_on, notes)
    SELECT t.project_id, t.year, max(x.version) + 1, t.budget_unit_id, t.amount_unit, t.attribute,
           t.long_term_goal, t.annual_goal, reason, adjust_target.requested_on, t.notes
    FROM @extschema@.target x
    WHERE x.project_id = t.project_id AND x.year = t.year
    RETURNING target.target_id INTO new_id;
    INSERT INTO @extschema@.target_fund_line (target_id, source, label, last_year_budget, last_year_executed, requested)
    SELECT new_id, f.source, f.label, f.last_year_budget, f.last_year_executed, f.requested
    FROM @extschema@.target_fund_line f WHERE f.target_id = t.target_id ORDER BY f.target_fund_line_id;
    INSERT INTO @extschema@.target_indicator (target_id, position, term, level1, level2, level3, target_text,
                                              formula, standard, last_year_text, notes)
    SELECT new_id, i.position, i.term, i.level1, i.level2, i.level3, i.target_text,
           i.formula, i.standard, i.last_year_text, i.notes
    FROM @extschema@.target_indicator i WHERE i.target_id = t.target_id ORDER BY i.position;
    RETURN new_id;
END
$$;

COMMENT ON FUNCTION @extschema@.adjust_target(bigint, text, date) IS
'目标调整: a new draft version of an approved target form (a copy, numbered after the project''s last version of that year) with the reason and request date; change it, submit it, and once approved it is the version in force. The original is kept';

-- The targets in force: per project and year, the approved version with the
-- highest number.
CREATE VIEW @extschema@.target_in_force WITH (security_invoker = true) AS
SELECT DISTINCT ON (t.project_id, t.year)
       t.target_id, t.project_id, t.year, t.version, t.approved_at
FROM @extschema@.target t
WHERE t.status = 'approved'
ORDER BY t.project_id, t.year, t.version DESC;

COMMENT ON VIEW @extschema@.target_in_force IS
'Per project and year, the target form in force: the approved version with the highest number (a 目标调整 replaces the original once approved; both are kept)';

-- ------------------------------------------------------------------ reading

-- The rows of a tab-separated document as the form reader reads them.
CREATE FUNCTION @extschema@.document_rows(document text, OUT line integer, OUT cells text[], OUT quote_line integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'document_rows'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.document_rows(text) IS
'The rows of a tab-separated document as the form reader reads them: the row''s first line, its cells (quotes undone, white space and invisible characters trimmed, empty cells at the end dropped, at most 24) and the line of a quote read as text (NULL if none)';

CREATE FUNCTION @extschema@.fund_source_of(label text)
RETURNS text
AS 'MODULE_PATHNAME', 'fund_source_of'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.fund_source_of(text) IS
'The fund source a row label names, as the form reader reads it: total (资金总额, 合计, …), appropriation (财政拨款, …), carryover (上年结转资金, …), other (其他资金, …); NULL for a label that names none';

-- A cell as a label: no white space, '*' or colon, full-width brackets
-- folded (项目资金（元） and 项目资金 (元) are one label).
CREATE FUNCTION @extschema@.target_label(cell text)
RETURNS text
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.translate(pg_catalog.regexp_replace($1, '[[:space:]　*＊:：]+', '', 'g'), '（）', '()')
$$;

-- The target forms of a document as a jsonb array, one object per form:
-- line, the header (project_code, project_name, year, unit, top_unit,
-- attribute, version, adjustment_reason, requested_on), amount_unit, the
-- goals, notes, funds[] {line, source, label, last_year_budget,
-- last_year_executed, requested}, indicators[] {line, position, term,
-- level1, level2, level3, target_text, formula, standard, last_year_text,
-- notes} and findings[] {line, code}.  Layout in docs/targets.md.  A form
-- that cannot be read raises 22P02 naming the line, the line's text and
-- what was expected.
CREATE FUNCTION @extschema@.read_targets(document text)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    r record;
    forms jsonb := '[]';
    f jsonb;                -- the form being read
    funds jsonb;
    inds jsonb;
    findings jsonb;
    section text := 'none';
    cols jsonb;             -- header label -> 1-based column of the section's table
    lab text;
    c text;
    v text;
    i integer;
    l1 text;
    l2 text;
    term text;
    pos integer;
    fund_label text;
    src text;
    amounts numeric[];
    header_labels CONSTANT jsonb := '{"项目编号": "project_code", "项目代码": "project_code", "项目名称": "project_name",
        "申报年度": "year", "年度": "year", "实施单位": "unit", "主管部门": "top_unit", "一级预算单位": "top_unit",
        "项目属性": "attribute", "目标版本": "version", "调整原因": "adjustment_reason", "申请日期": "requested_on"}';
    fund_words CONSTANT text[] := ARRAY['上年度预算安排', '上年度实际执行', '本年度申请金额'];
    ind_words CONSTANT jsonb := '{"期限": "term", "指标期限": "term", "一级指标": "level1", "二级指标": "level2",
        "三级指标": "level3", "指标内容": "level3", "指标值": "target_text", "本年度计划水平": "target_text",
        "计算公式": "formula", "绩效标准": "standard", "上年度实际水平": "last_year_text", "备注": "notes"}';
BEGIN
    FOR r IN SELECT d.line, d.cells, d.quote_line FROM @extschema@.document_rows(document) d ORDER BY d.line LOOP
        CONTINUE WHEN pg_catalog.cardinality(r.cells) = 0;
        lab := @extschema@.target_label(coalesce(r.cells[1], ''));
        -- a title begins a form
        IF lab LIKE '%项目支出绩效目标申报表%' THEN
            IF f IS NOT NULL THEN
                forms := forms || pg_catalog.jsonb_build_array(@extschema@.target_form_end(document, f, funds, inds, findings));
            END IF;
            f := pg_catalog.jsonb_build_object('form', pg_catalog.jsonb_array_length(forms) + 1, 'line', r.line, 'amount_unit', '元');
            funds := '[]'; inds := '[]'; findings := '[]';
            section := 'header';
            CONTINUE;
        END IF;
        IF f IS NULL THEN
            RAISE EXCEPTION 'the document has no target form before line %', r.line
                USING ERRCODE = 'invalid_text_representation',
                      DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                      HINT = 'A target form begins with the title 项目支出绩效目标申报表 on a line of its own.';
        END IF;
        IF r.quote_line IS NOT NULL THEN
            findings := findings || pg_catalog.jsonb_build_object('line', r.quote_line, 'code', 'unclosed_quote');
        END IF;
        -- section heads
        IF lab ~ '^项目资金\((万?元)\)' THEN
            section := 'funds';
            f := f || pg_catalog.jsonb_build_object('amount_unit', CASE WHEN lab LIKE '项目资金(万元)%' THEN '万元' ELSE '元' END);
            cols := '{}';
            FOR i IN 2 .. pg_catalog.cardinality(r.cells) LOOP
                c := @extschema@.target_label(r.cells[i]);
                IF c = ANY (fund_words) THEN
                    cols := cols || pg_catalog.jsonb_build_object(c, i);
                END IF;
            END LOOP;
            IF NOT cols ?& fund_words THEN
                RAISE EXCEPTION 'target form %: the funds'' header at line % lacks a column', f->>'form', r.line
                    USING ERRCODE = 'invalid_text_representation',
                          DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                          HINT = 'The header of 项目资金 names the columns 上年度预算安排, 上年度实际执行 and 本年度申请金额.';
            END IF;
            CONTINUE;
        ELSIF lab = '总体目标' THEN
            section := 'goals';
            cols := '{}';
            FOR i IN 2 .. pg_catalog.cardinality(r.cells) LOOP
                c := @extschema@.target_label(r.cells[i]);
                IF c IN ('长期目标', '年度目标') THEN
                    cols := cols || pg_catalog.jsonb_build_object(c, i);
                END IF;
            END LOOP;
            CONTINUE;
        ELSIF lab IN ('绩效指标', '年度绩效指标', '绩效目标指标') THEN
            section := 'indicators';
            cols := '{}';
            FOR i IN 2 .. pg_catalog.cardinality(r.cells) LOOP
                c := ind_words ->> @extschema@.target_label(r.cells[i]);
                IF c IS NOT NULL AND NOT cols ? c THEN
                    cols := cols || pg_catalog.jsonb_build_object(c, i);
                END IF;
            END LOOP;
            IF NOT cols ?& ARRAY['level1', 'level2', 'level3', 'target_text'] THEN
                RAISE EXCEPTION 'target form %: the indicators'' header at line % lacks a column', f->>'form', r.line
                    USING ERRCODE = 'invalid_text_representation',
                          DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                          HINT = 'The header of 绩效指标 names at least 一级指标, 二级指标, 三级指标 and 指标值.';
            END IF;
            l1 := NULL; l2 := NULL; term := '年度'; pos := 0;
            CONTINUE;
        ELSIF lab LIKE '备注%' THEN
            section := 'notes';
            v := pg_catalog.array_to_string(r.cells[2:], E'\n');
            IF pg_catalog.length(lab) > 2 THEN      -- 备注：text in one cell
                v := pg_catalog.concat_ws(E'\n', pg_catalog.regexp_replace(r.cells[1], '^\s*备注\s*[:：]?\s*', ''), nullif(v, ''));
            END IF;
            f := f || pg_catalog.jsonb_build_object('notes', nullif(v, ''));
            CONTINUE;
        END IF;

        IF section = 'header' THEN
            -- a header row names its fields (label: value); one of the
            -- form's other labels (项目负责人:, 联系电话:) is passed over, a
            -- row that is neither is out of place
            IF NOT EXISTS (SELECT FROM pg_catalog.unnest(r.cells) x WHERE header_labels ? @extschema@.target_label(x))
               AND r.cells[1] !~ '[:：]$' THEN
                RAISE EXCEPTION 'target form %: line % is not a header row', f->>'form', r.line
                    USING ERRCODE = 'invalid_text_representation',
                          DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                          HINT = 'Under the title come the header rows (项目编号:, 项目名称:, 申报年度:, 实施单位:, 主管部门:, 项目属性:, each label followed by its value), then the sections 项目资金（元）, 总体目标 and 绩效指标, each with its header row.';
            END IF;
            i := 1;
            WHILE i <= pg_catalog.cardinality(r.cells) LOOP
                c := header_labels ->> @extschema@.target_label(r.cells[i]);
                IF c IS NOT NULL THEN
                    v := nullif(r.cells[i + 1], '');
                    IF c = 'year' AND v !~ '^\d{4}$' THEN
                        RAISE EXCEPTION 'target form %: 申报年度 at line % is not a year: %', f->>'form', r.line, coalesce(v, '(empty)')
                            USING ERRCODE = 'invalid_text_representation',
                                  DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                                  HINT = 'Write the year in four digits: 申报年度: 2023.';
                    ELSIF c = 'version' AND v !~ '^\d{1,4}$' THEN
                        RAISE EXCEPTION 'target form %: 目标版本 at line % is not a number: %', f->>'form', r.line, coalesce(v, '(empty)')
                            USING ERRCODE = 'invalid_text_representation',
                                  DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                                  HINT = '目标版本 is 1 for the original targets, 2, 3, … for each 目标调整.';
                    ELSIF c = 'attribute' AND v NOT IN ('新增', '延续') THEN
                        RAISE EXCEPTION 'target form %: 项目属性 at line % is %, not 新增 or 延续', f->>'form', r.line, pg_catalog.quote_literal(v)
                            USING ERRCODE = 'invalid_text_representation',
                                  DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                                  HINT = '项目属性 is 新增 (a new project) or 延续 (continued from last year).';
                    ELSIF c = 'requested_on' AND v IS NOT NULL AND v !~ '^\d{4}-\d{2}-\d{2}$' THEN
                        RAISE EXCEPTION 'target form %: 申请日期 at line % is not a date: %', f->>'form', r.line, v
                            USING ERRCODE = 'invalid_text_representation',
                                  DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                                  HINT = 'Write the date as 2023-06-15.';
                    END IF;
                    f := f || pg_catalog.jsonb_build_object(c, v);
                    i := i + 2;
                ELSE
                    i := i + 1;
                END IF;
            END LOOP;
        ELSIF section = 'funds' THEN
            fund_label := pg_catalog.regexp_replace(coalesce(nullif(r.cells[2], ''), r.cells[1]), '^\s*其中\s*[:：]?\s*', '');
            CONTINUE WHEN coalesce(fund_label, '') = '';
            src := @extschema@.fund_source_of(fund_label);
            amounts := '{}';
            FOREACH c IN ARRAY fund_words LOOP
                v := pg_catalog.replace(nullif(r.cells[(cols ->> c)::integer], ''), ',', '');
                IF v IN ('—', '-', '/') THEN
                    v := NULL;
                END IF;
                IF v !~ '^\d{1,18}(\.\d{1,18})?$' THEN
                    RAISE EXCEPTION 'target form %: % of “%” at line % is not an amount: %', f->>'form', c, fund_label, r.line, v
                        USING ERRCODE = 'invalid_text_representation',
                              DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                              HINT = 'Amounts are plain numbers in the form''s unit (元 or 万元): 4800000.00, 1,821,100; — or empty for none.';
                END IF;
                amounts := amounts || v::numeric;
            END LOOP;
            funds := funds || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
                'line', r.line, 'source', coalesce(src, 'other'),
                'label', CASE WHEN coalesce(src, 'other') = 'other' THEN fund_label END,
                'last_year_budget', amounts[1], 'last_year_executed', amounts[2], 'requested', amounts[3]));
        ELSIF section = 'goals' THEN
            f := f || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                'long_term_goal', nullif(r.cells[(cols ->> '长期目标')::integer], ''),
                'annual_goal', nullif(r.cells[(cols ->> '年度目标')::integer], '')));
        ELSIF section = 'indicators' THEN
            -- levels and the term repeat from the row above when left blank
            term := coalesce(nullif(r.cells[(cols ->> 'term')::integer], ''), term);
            l1 := coalesce(nullif(r.cells[(cols ->> 'level1')::integer], ''), l1);
            l2 := coalesce(nullif(r.cells[(cols ->> 'level2')::integer], ''), l2);
            c := nullif(r.cells[(cols ->> 'level3')::integer], '');
            IF term NOT IN ('年度', '长期') THEN
                RAISE EXCEPTION 'target form %: the term at line % is %, not 年度 or 长期', f->>'form', r.line, pg_catalog.quote_literal(term)
                    USING ERRCODE = 'invalid_text_representation',
                          DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                          HINT = '期限 says which set an indicator belongs to: 年度 (this year) or 长期 (the project''s whole term).';
            END IF;
            IF c IS NULL THEN
                CONTINUE WHEN coalesce(nullif(r.cells[(cols ->> 'target_text')::integer], ''),
                                       nullif(r.cells[(cols ->> 'formula')::integer], '')) IS NULL;
                RAISE EXCEPTION 'target form %: the indicator at line % has no 三级指标', f->>'form', r.line
                    USING ERRCODE = 'invalid_text_representation',
                          DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                          HINT = 'Every indicator row names its 三级指标 (指标内容).';
            END IF;
            IF l1 IS NULL OR l2 IS NULL THEN
                RAISE EXCEPTION 'target form %: the indicator “%” at line % has no %', f->>'form', c, r.line,
                        CASE WHEN l1 IS NULL THEN '一级指标' ELSE '二级指标' END
                    USING ERRCODE = 'invalid_text_representation',
                          DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                          HINT = 'Write the 一级指标 and 二级指标 on the first row of each block; rows below may leave them blank.';
            END IF;
            v := nullif(r.cells[(cols ->> 'standard')::integer], '');
            v := CASE WHEN v IS NULL THEN NULL WHEN v ~ '^(历史|行业|计划|其他)(标准)?$' THEN pg_catalog.left(v, 2) ELSE v END;
            IF v NOT IN ('历史', '行业', '计划', '其他') THEN
                RAISE EXCEPTION 'target form %: 绩效标准 at line % is %', f->>'form', r.line, pg_catalog.quote_literal(v)
                    USING ERRCODE = 'invalid_text_representation',
                          DETAIL = pg_catalog.format('line %s: %s', r.line, @extschema@.document_line(document, r.line)),
                          HINT = '绩效标准 is 历史, 行业, 计划 or 其他 (标准).';
            END IF;
            pos := pos + 1;
            inds := inds || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
                'line', r.line, 'position', pos, 'term', term, 'level1', l1, 'level2', l2, 'level3', c,
                'target_text', nullif(r.cells[(cols ->> 'target_text')::integer], ''),
                'formula', nullif(r.cells[(cols ->> 'formula')::integer], ''),
                'standard', v,
                'last_year_text', nullif(r.cells[(cols ->> 'last_year_text')::integer], ''),
                'notes', nullif(r.cells[(cols ->> 'notes')::integer], '')));
        ELSIF section = 'notes' THEN
            f := f || pg_catalog.jsonb_build_object('notes',
                     pg_catalog.concat_ws(E'\n', f->>'notes', pg_catalog.array_to_string(r.cells, E'\t')));
        END IF;
    END LOOP;
    IF f IS NULL THEN
        RAISE EXCEPTION 'the document holds no target form'
            USING ERRCODE = 'invalid_text_representation',
                  HINT = 'A target form begins with the title 项目支出绩效目标申报表 on a line of its own.';
    END IF;
    RETURN forms || pg_catalog.jsonb_build_array(@extschema@.target_form_end(document, f, funds, inds, findings));
END
$fn$;

COMMENT ON FUNCTION @extschema@.read_targets(text) IS
'Reads every 项目支出绩效目标申报表 of a tab-separated document into a jsonb array: per form its header, amount unit, goals, notes, funds[], indicators[] and findings[] (cells as written, amounts as numbers). A form that cannot be read raises 22P02 naming the form, the line and what was expected';

-- A form read to its end: what it must have (项目名称, 申报年度, a unit).
CREATE FUNCTION @extschema@.target_form_end(document text, f jsonb, funds jsonb, inds jsonb, findings jsonb)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF f->>'project_name' IS NULL OR f->>'year' IS NULL OR coalesce(f->>'unit', f->>'top_unit') IS NULL THEN
        RAISE EXCEPTION 'target form % (line %) lacks %', f->>'form', f->>'line',
                CASE WHEN f->>'project_name' IS NULL THEN '项目名称' WHEN f->>'year' IS NULL THEN '申报年度'
                     ELSE '实施单位 or 主管部门' END
            USING ERRCODE = 'invalid_text_representation',
                  DETAIL = pg_catalog.format('line %s: %s', f->>'line', @extschema@.document_line(document, (f->>'line')::integer)),
                  HINT = 'The header under the title gives 项目编号, 项目名称, 申报年度, 实施单位, 主管部门 and 项目属性, each label followed by its value.';
    END IF;
    IF coalesce((f->>'version')::integer, 1) > 1 AND f->>'adjustment_reason' IS NULL THEN
        RAISE EXCEPTION 'target form % (line %): 目标版本 % needs its 调整原因', f->>'form', f->>'line', f->>'version'
            USING ERRCODE = 'invalid_text_representation',
                  DETAIL = pg_catalog.format('line %s: %s', f->>'line', @extschema@.document_line(document, (f->>'line')::integer)),
                  HINT = 'A 目标调整 (version 2 on) states its reason: 调整原因: … beside 目标版本.';
    END IF;
    RETURN f || pg_catalog.jsonb_build_object('funds', funds, 'indicators', inds, 'findings', findings);
END
$$;

-- What the reader noticed on a stored form (findings that never stop an
-- import): its line and code.
CREATE TABLE @extschema@.target_read_finding (
    target_id       bigint NOT NULL REFERENCES @extschema@.target (target_id) ON DELETE CASCADE,
    line            integer NOT NULL,
    code            text NOT NULL,
    PRIMARY KEY (target_id, line, code)
);

COMMENT ON TABLE @extschema@.target_read_finding IS
'What the reader noticed when a target form was imported (unclosed_quote: a quote read as text), by document line';

ALTER TABLE @extschema@.target_read_finding ENABLE ROW LEVEL SECURITY;
CREATE POLICY target_read_finding_unit ON @extschema@.target_read_finding FOR ALL
    USING (@extschema@.visible('target', target_id))
    WITH CHECK (@extschema@.may_write('target_read_finding', 'target', target_id));

-- import_targets(document, on_conflict): the target forms of a document
-- into rows, all or nothing, returning the target ids in the document's
-- order.  Units and projects are found (or created) as import_forms finds
-- them.  A project and year already stored: 'error' refuses (23505),
-- 'replace' replaces its last version (a draft; the history keeps the old
-- rows), 'adjust' adds the form as the next version (a 目标调整, with its
-- 调整原因).  With the caller's rights: row-level security and the workflow
-- decide what it may write.
CREATE FUNCTION @extschema@.import_targets(document text, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    f jsonb;
    top_id bigint;
    unit_ref bigint;
    proj_id bigint;
    prev record;
    ver integer;
    new_id bigint;
BEGIN
    IF on_conflict IS NULL OR on_conflict NOT IN ('error', 'replace', 'adjust') THEN
        RAISE EXCEPTION 'on_conflict must be ''error'', ''replace'' or ''adjust'', not %',
                coalesce(pg_catalog.quote_literal(on_conflict), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''error'' (the default) refuses a project and year already stored; ''replace'' replaces its last version (a draft); ''adjust'' adds the form as the next version (目标调整).';
    END IF;
    IF document IS NULL THEN
        RETURN;
    END IF;
    FOR f IN SELECT x FROM pg_catalog.jsonb_array_elements(@extschema@.read_targets(document)) x LOOP
        -- units: 主管部门 at the top level, 实施单位 under it
        top_id := NULL;
        IF f->>'top_unit' IS NOT NULL THEN
            SELECT u.unit_id INTO top_id FROM @extschema@.unit u
            WHERE u.name = f->>'top_unit' ORDER BY u.parent_id IS NOT NULL, u.unit_id LIMIT 1;
            IF top_id IS NULL THEN
                INSERT INTO @extschema@.unit (name) VALUES (f->>'top_unit')
                ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;
                SELECT u.unit_id INTO top_id FROM @extschema@.unit u WHERE u.name = f->>'top_unit' AND u.parent_id IS NULL;
            END IF;
        END IF;
        unit_ref := top_id;
        IF f->>'unit' IS NOT NULL AND f->>'unit' IS DISTINCT FROM f->>'top_unit' THEN
            SELECT u.unit_id INTO unit_ref FROM @extschema@.unit u
            WHERE u.name = f->>'unit'
            ORDER BY u.parent_id IS NOT DISTINCT FROM top_id DESC, u.parent_id IS NOT NULL, u.unit_id LIMIT 1;
            IF unit_ref IS NULL THEN
                IF top_id IS NULL THEN
                    INSERT INTO @extschema@.unit (name) VALUES (f->>'unit')
                    ON CONFLICT (name) WHERE parent_id IS NULL DO NOTHING;
                ELSE
                    INSERT INTO @extschema@.unit (name, parent_id) VALUES (f->>'unit', top_id)
                    ON CONFLICT (parent_id, name) WHERE parent_id IS NOT NULL DO NOTHING;
                END IF;
                SELECT u.unit_id INTO unit_ref FROM @extschema@.unit u
                WHERE u.name = f->>'unit' AND u.parent_id IS NOT DISTINCT FROM top_id;
            END IF;
        END IF;
        -- the project: by 项目编号, else by name within the unit
        proj_id := NULL;
        IF f->>'project_code' IS NOT NULL THEN
            SELECT p.project_id INTO proj_id FROM @extschema@.project p WHERE p.code = f->>'project_code';
        ELSE
            SELECT p.project_id INTO proj_id FROM @extschema@.project p
            WHERE p.code IS NULL AND p.unit_id = unit_ref AND p.name = f->>'project_name';
        END IF;
        IF proj_id IS NULL THEN
            INSERT INTO @extschema@.project (code, name, unit_id)
            VALUES (f->>'project_code', f->>'project_name', unit_ref)
            RETURNING project.project_id INTO proj_id;
        END IF;
        -- the version; two imports of the project and year take turns (a
        -- transaction advisory lock, not FOR UPDATE: on a Citus cluster a row
        -- lock on a reference table needs rights on the tables it references)
        PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(
                    pg_catalog.format('pjeval.target %s %s', proj_id, (f->>'year')::integer), 0));
        SELECT t.target_id, t.version, t.status INTO prev
        FROM @extschema@.target t
        WHERE t.project_id = proj_id AND t.year = (f->>'year')::integer
        ORDER BY t.version DESC LIMIT 1;
        ver := coalesce((f->>'version')::integer, 1);
        IF prev.target_id IS NOT NULL THEN
            IF on_conflict = 'error' THEN
                RAISE EXCEPTION 'project % “%” already has target form % (version %) for %',
                        coalesce(f->>'project_code', '(no 项目编号)'), f->>'project_name', prev.target_id, prev.version, f->>'year'
                    USING ERRCODE = 'unique_violation',
                          HINT = 'on_conflict => ''replace'' replaces its last version (a draft); ''adjust'' adds the form as a 目标调整.';
            ELSIF on_conflict = 'replace' THEN
                DELETE FROM @extschema@.target t WHERE t.target_id = prev.target_id;
                ver := prev.version;
            ELSE
                ver := prev.version + 1;
                IF f->>'adjustment_reason' IS NULL THEN
                    RAISE EXCEPTION 'target form % (line %): a 目标调整 needs its 调整原因', f->>'form', f->>'line'
                        USING ERRCODE = 'invalid_text_representation',
                              DETAIL = pg_catalog.format('line %s: %s', f->>'line', @extschema@.document_line(document, (f->>'line')::integer)),
                              HINT = 'Write 调整原因: … in the header of the adjusted form.';
                END IF;
            END IF;
        END IF;
        INSERT INTO @extschema@.target (project_id, year, version, budget_unit_id, amount_unit, attribute,
                                        long_term_goal, annual_goal, adjustment_reason, requested_on, notes)
        VALUES (proj_id, (f->>'year')::integer, ver, top_id, f->>'amount_unit', f->>'attribute',
                f->>'long_term_goal', f->>'annual_goal', CASE WHEN ver > 1 THEN f->>'adjustment_reason' END,
                (f->>'requested_on')::date, f->>'notes')
        RETURNING target.target_id INTO new_id;
        -- (through import_insert: on a Citus cluster as INSERT ... VALUES)
        PERFORM @extschema@.import_insert('@extschema@.target_fund_line',
            (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                        'target_id', new_id, 'source', x.source, 'label', x.label, 'last_year_budget', x.last_year_budget,
                        'last_year_executed', x.last_year_executed, 'requested', x.requested) ORDER BY x.line)
             FROM pg_catalog.jsonb_to_recordset(f->'funds')
                  AS x (line integer, source text, label text, last_year_budget numeric, last_year_executed numeric, requested numeric)));
        PERFORM @extschema@.import_insert('@extschema@.target_indicator',
            (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                        'target_id', new_id, 'position', x.position, 'term', x.term, 'level1', x.level1, 'level2', x.level2,
                        'level3', x.level3, 'target_text', x.target_text, 'formula', x.formula, 'standard', x.standard,
                        'last_year_text', x.last_year_text, 'notes', x.notes) ORDER BY x.position)
             FROM pg_catalog.jsonb_to_recordset(f->'indicators')
                  AS x (position integer, term text, level1 text, level2 text, level3 text, target_text text,
                        formula text, standard text, last_year_text text, notes text)));
        PERFORM @extschema@.import_insert('@extschema@.target_read_finding',
            (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('target_id', new_id, 'line', x.line, 'code', x.code)
                                         ORDER BY x.line, x.code)
             FROM (SELECT DISTINCT y.line, y.code
                   FROM pg_catalog.jsonb_to_recordset(f->'findings') AS y (line integer, code text)) x));
        RETURN NEXT new_id;
    END LOOP;
END
$$;

COMMENT ON FUNCTION @extschema@.import_targets(text, text) IS
'Imports the 项目支出绩效目标申报表 forms of a tab-separated document, all or nothing, and returns their target ids in order. A form that cannot be read raises 22P02 with its line. A project and year already stored: on_conflict ''error'' (23505), ''replace'' (its last version, a draft), ''adjust'' (the next version, a 目标调整 with its 调整原因)';

-- The target forms of an .xlsx workbook, one or more per visible sheet, read
-- as the spreadsheet shows them (36_workbook.sql): import_targets on that
-- document, its errors naming the sheet and row.
CREATE FUNCTION @extschema@.import_targets_workbook(workbook bytea, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM @extschema@.import_workbook_as($1, $2, 'import_targets')
$$;

COMMENT ON FUNCTION @extschema@.import_targets_workbook(bytea, text) IS
'Imports every 项目支出绩效目标申报表 on every visible sheet of an .xlsx workbook: pjeval.import_targets on the document pjeval.workbook_text shows, with the same semantics (all or nothing, on_conflict); its errors keep their SQLSTATE and name the sheet and row (Sheet "NAME", row R) instead of a line. VOLATILE, runs with the caller''s rights';

-- One stored target form: 'text', what import_targets reads back to the
-- same rows, or 'html', a printable page (XHTML, so that it parses as XML)
-- with the quantified share and the target-quality findings beside the
-- rows they concern.
CREATE FUNCTION @extschema@.export_targets(id bigint, format text DEFAULT 'text')
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
    q record;
    doc text[];
    funds text;
    inds text;
    finds text;
    nfind integer;
    marked_positions integer[];
BEGIN
    IF format IS NULL OR format NOT IN ('text', 'html') THEN
        RAISE EXCEPTION 'format must be ''text'' or ''html'', not %', coalesce(pg_catalog.quote_literal(format), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''text'' writes the layout as tab-separated text (pjeval.import_targets reads it back); ''html'' writes a printable page with the findings; an .xlsx workbook (bytea) comes from pjeval.export_targets_workbook(ARRAY[id]).';
    END IF;
    SELECT x.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, b.name AS top_name
    INTO t
    FROM @extschema@.target x
    JOIN @extschema@.project p ON p.project_id = x.project_id
    JOIN @extschema@.unit u ON u.unit_id = p.unit_id
    LEFT JOIN @extschema@.unit b ON b.unit_id = x.budget_unit_id
    WHERE x.target_id = id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'target form % does not exist or is not visible to role %', id, current_user
            USING ERRCODE = 'no_data_found',
                  HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
    END IF;
    IF format = 'text' THEN
        doc := ARRAY['项目支出绩效目标申报表', '',
            pg_catalog.concat_ws(E'\t', '项目编号:', @extschema@.export_cell(t.project_code), '项目名称:', @extschema@.export_cell(t.project_name),
                                 '申报年度:', t.year::text),
            pg_catalog.concat_ws(E'\t', '实施单位:', @extschema@.export_cell(t.unit_name), '主管部门:', @extschema@.export_cell(t.top_name),
                                 '项目属性:', coalesce(t.attribute, ''))];
        IF t.version > 1 THEN
            doc := doc || pg_catalog.concat_ws(E'\t', '目标版本:', t.version::text, '调整原因:', @extschema@.export_cell(t.adjustment_reason),
                                               '申请日期:', coalesce(pg_catalog.to_char(t.requested_on, 'YYYY-MM-DD'), ''));
        END IF;
        doc := doc || ARRAY['', '项目资金（' || t.amount_unit || '）' || E'\t资金来源\t上年度预算安排\t上年度实际执行\t本年度申请金额']
                   || ARRAY(SELECT pg_catalog.concat_ws(E'\t', '', @extschema@.export_cell(coalesce(f.label, s.label)),
                                                        coalesce(f.last_year_budget::text, '—'), coalesce(f.last_year_executed::text, '—'),
                                                        coalesce(f.requested::text, '—'))
                            FROM @extschema@.target_fund_line f
                            JOIN @extschema@.standard_fund_source s ON s.source = f.source
                            WHERE f.target_id = id
                            ORDER BY s.position, f.label)
                   || ARRAY['', E'总体目标\t长期目标\t年度目标',
                            pg_catalog.concat_ws(E'\t', '', @extschema@.export_cell(coalesce(t.long_term_goal, '')),
                                                 @extschema@.export_cell(coalesce(t.annual_goal, ''))),
                            '', E'绩效指标\t期限\t一级指标\t二级指标\t三级指标\t指标值\t计算公式\t绩效标准\t上年度实际水平\t备注']
                   || ARRAY(SELECT pg_catalog.concat_ws(E'\t', '', i.term, @extschema@.export_cell(i.level1), @extschema@.export_cell(i.level2),
                                                        @extschema@.export_cell(i.level3), @extschema@.export_cell(i.target_text),
                                                        @extschema@.export_cell(i.formula), coalesce(i.standard, ''),
                                                        @extschema@.export_cell(i.last_year_text), @extschema@.export_cell(i.notes))
                            FROM @extschema@.target_indicator i
                            WHERE i.target_id = id
                            ORDER BY i.position)
                   || ARRAY['', E'备注：\t' || @extschema@.export_cell(coalesce(t.notes, ''))];
        RETURN pg_catalog.array_to_string(doc, E'\n') || E'\n';
    END IF;

    -- 'html'
    -- the findings, and the positions of the rows they concern
    SELECT pg_catalog.count(*), coalesce(pg_catalog.array_agg(f.position) FILTER (WHERE f.position IS NOT NULL), '{}'),
           pg_catalog.string_agg(pg_catalog.format('<li class="finding-%s"><span class="where">%s</span> %s <code>%s</code><br/><span class="en">%s</span></li>',
                                                   f.severity, CASE WHEN f.position IS NULL THEN '整表' ELSE '指标 ' || f.position END,
                                                   @extschema@.html_escape(f.message_zh), @extschema@.html_escape(f.code),
                                                   @extschema@.html_escape(f.message_en)),
                                 E'\n' ORDER BY f.position NULLS FIRST, f.code, f.message_zh)
    INTO nfind, marked_positions, finds
    FROM @extschema@.target_finding f
    WHERE f.target_id = id;

    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr><td>%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
               @extschema@.html_escape(coalesce(f.label, s.label)), coalesce(f.last_year_budget::text, '—'),
               coalesce(f.last_year_executed::text, '—'), coalesce(f.requested::text, '—')),
               E'\n' ORDER BY s.position, f.label)
    INTO funds
    FROM @extschema@.target_fund_line f
    JOIN @extschema@.standard_fund_source s ON s.source = f.source
    WHERE f.target_id = id;

    SELECT pg_catalog.string_agg(pg_catalog.format(
               '<tr class="%s" id="i%s"><td class="pos">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
               CASE WHEN i.marked THEN 'finding' ELSE 'plain' END, i.position, i.position, i.term,
               @extschema@.html_escape(i.level1), @extschema@.html_escape(i.level2), @extschema@.html_escape(i.level3),
               @extschema@.html_escape(i.target_text), @extschema@.html_escape(i.formula), @extschema@.html_escape(i.standard),
               @extschema@.html_escape(i.last_year_text), @extschema@.html_escape(i.notes)),
               E'\n' ORDER BY i.position)
    INTO inds
    FROM (SELECT ti.*, ti.position = ANY (marked_positions) AS marked
          FROM @extschema@.target_indicator ti
          WHERE ti.target_id = id) i;

    SELECT * INTO q FROM @extschema@.target_quantified x WHERE x.target_id = id;

    RETURN pg_catalog.concat(
'<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN" xml:lang="zh-CN">
<head>
<meta charset="utf-8"/>
<meta name="generator" content="pjeval export_targets"/>
<title>项目支出绩效目标申报表 · ', @extschema@.html_escape(t.project_name), ' · ', t.year, '年度 · 第', t.version, '版</title>
<style>
@page { size: A4 landscape; margin: 12mm; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif; font-size: 9.5pt; }
h1 { text-align: center; font-size: 16pt; margin: 0; }
p.subtitle { text-align: center; margin: 1mm 0 4mm; }
table.form { width: 100%; border-collapse: collapse; margin-bottom: 3mm; }
table.form th, table.form td { border: 0.6pt solid #000; padding: 1mm; vertical-align: top; }
table.form th { background: #f0f0f0; font-weight: 400; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.text { white-space: pre-wrap; }
tr.finding td { background: #fff3cd; }
section.findings { margin-top: 4mm; }
@media print { * { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
</style>
</head>
<body>
<h1>项目支出绩效目标申报表</h1>
<p class="subtitle">（', t.year, '年度 · 第', t.version, '版 · ',
    CASE t.status WHEN 'draft' THEN '草稿' WHEN 'submitted' THEN '已提交' ELSE '已批复' END, '）</p>
<table class="form header">
<tr><th>项目编号</th><td>', @extschema@.html_escape(t.project_code), '</td><th>项目名称</th><td>', @extschema@.html_escape(t.project_name),
    '</td><th>申报年度</th><td>', t.year, '</td></tr>
<tr><th>实施单位</th><td>', @extschema@.html_escape(t.unit_name), '</td><th>主管部门</th><td>', @extschema@.html_escape(t.top_name),
    '</td><th>项目属性</th><td>', @extschema@.html_escape(t.attribute), '</td></tr>
', CASE WHEN t.version > 1 THEN pg_catalog.concat('<tr><th>目标版本</th><td>', t.version, '</td><th>调整原因</th><td>',
                                                     @extschema@.html_escape(t.adjustment_reason), '</td><th>申请日期</th><td>',
                                                     pg_catalog.to_char(t.requested_on, 'YYYY-MM-DD'), '</td></tr>
') END, '</table>
<h2>项目资金（', @extschema@.html_escape(t.amount_unit), '）</h2>
<table class="form funds">
<tr><th>资金来源</th><th>上年度预算安排</th><th>上年度实际执行</th><th>本年度申请金额</th></tr>
', coalesce(funds || E'\n', ''), '</table>
<h2>总体目标</h2>
<table class="form goals">
<tr><th>长期目标</th><th>年度目标</th></tr>
<tr><td class="text">', @extschema@.html_escape(t.long_term_goal), '</td><td class="text">', @extschema@.html_escape(t.annual_goal), '</td></tr>
</table>
<h2>绩效指标</h2>
<table class="form indicators">
<tr><th>序号</th><th>期限</th><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>指标值</th><th>计算公式</th><th>绩效标准</th><th>上年度实际水平</th><th>备注</th></tr>
', coalesce(inds || E'\n', ''), '</table>
<p class="quantified">年度指标 ', q.applicable, ' 个，其中量化指标 ', q.quantified, ' 个',
    CASE WHEN q.quantified_share IS NOT NULL THEN '，占 ' || q.quantified_share || '%' ELSE '' END,
    CASE WHEN q.quantified_share_min IS NOT NULL THEN '（最低比例 ' || q.quantified_share_min || '%）' ELSE '' END, '。</p>
<table class="form notes">
<tr><th>备注</th><td class="text">', pg_catalog.replace(@extschema@.html_escape(t.notes), E'\n', '<br/>'), '</td></tr>
</table>
<section class="findings">
<h2>目标质量审核发现（', nfind, '）</h2>
', CASE WHEN finds IS NULL THEN '<p>无。</p>' ELSE '<ol>' || E'\n' || finds || E'\n</ol>' END, '
</section>
</body>
</html>
');
END
$$;

COMMENT ON FUNCTION @extschema@.export_targets(bigint, text) IS
'One stored target form: ''text'' (default) in the tab-separated layout import_targets reads, which reads it back to the same rows; ''html'' a printable page (XHTML) with the quantified share (pjeval.target_quantified) and the findings of pjeval.target_finding, their rows marked (an .xlsx workbook comes from pjeval.export_targets_workbook). 02000 for a form that does not exist or that the caller may not see';

-- Target forms as an .xlsx workbook, one sheet each, laid out as
-- export_targets' text (without its blank lines), so that
-- import_targets_workbook reads it back to the same rows: ten columns (A-J,
-- the indicators' header is the widest row), amounts as numbers (#,##0.00
-- with the amount's own decimals), 指标值 as workbook_cell's values.  With
-- the caller's rights: a form it cannot see raises no_data_found.
CREATE FUNCTION @extschema@.export_targets_workbook(target_ids bigint[])
RETURNS bytea
LANGUAGE plpgsql
STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fn$
DECLARE
    ids bigint[];
    id bigint;
    t record;
    f record;
    i record;
    sheets jsonb[] := '{}';
    cells jsonb[];
    merges jsonb[];
    r integer;
    head integer;
BEGIN
    ids := @extschema@.workbook_ids(target_ids, 'target_ids',
        'Pass the ids of the target forms to export, e.g. ARRAY(SELECT target_id FROM pjeval.target WHERE year = 2024).');

    FOREACH id IN ARRAY ids LOOP
        SELECT x.*, p.code AS project_code, p.name AS project_name, u.name AS unit_name, b.name AS top_name
        INTO t
        FROM @extschema@.target x
        JOIN @extschema@.project p ON p.project_id OPERATOR(pg_catalog.=) x.project_id
        JOIN @extschema@.unit u ON u.unit_id OPERATOR(pg_catalog.=) p.unit_id
        LEFT JOIN @extschema@.unit b ON b.unit_id OPERATOR(pg_catalog.=) x.budget_unit_id
        WHERE x.target_id OPERATOR(pg_catalog.=) id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'target form % does not exist or is not visible to role %', id, current_user
                USING ERRCODE = 'no_data_found',
                      HINT = 'A role sees the forms of the units it works for (pjeval.unit_member); reviewers see all.';
        END IF;

        -- the header, as export_targets writes it
        cells := ARRAY[
            @extschema@.workbook_cell(1, 1, 'title', '项目支出绩效目标申报表'),
            @extschema@.workbook_cell(2, 1, 'head', '项目编号:'),
            @extschema@.workbook_cell(2, 2, 'text', coalesce(t.project_code, '')),
            @extschema@.workbook_cell(2, 3, 'head', '项目名称:'),
            @extschema@.workbook_cell(2, 4, 'text', t.project_name),
            @extschema@.workbook_cell(2, 5, 'head', '申报年度:'),
            @extschema@.workbook_cell(2, 6, 'number', t.year::text, 'number'),
            @extschema@.workbook_cell(3, 1, 'head', '实施单位:'),
            @extschema@.workbook_cell(3, 2, 'text', t.unit_name),
            @extschema@.workbook_cell(3, 3, 'head', '主管部门:'),
            @extschema@.workbook_cell(3, 4, 'text', coalesce(t.top_name, '')),
            @extschema@.workbook_cell(3, 5, 'head', '项目属性:'),
            @extschema@.workbook_cell(3, 6, 'text', coalesce(t.attribute, ''))];
        merges := ARRAY['[1, 1, 1, 10]'::jsonb];
        r := 3;
        IF t.version > 1 THEN
            r := r + 1;
            cells := cells || ARRAY[
                @extschema@.workbook_cell(r, 1, 'head', '目标版本:'),
                @extschema@.workbook_cell(r, 2, 'number', t.version::text, 'number'),
                @extschema@.workbook_cell(r, 3, 'head', '调整原因:'),
                @extschema@.workbook_cell(r, 4, 'text', t.adjustment_reason),
                @extschema@.workbook_cell(r, 5, 'head', '申请日期:'),
                @extschema@.workbook_cell(r, 6, 'text', coalesce(pg_catalog.to_char(t.requested_on, 'YYYY-MM-DD'), ''))];
        END IF;

        -- 项目资金: a row per source, — for an amount not given
        r := r + 1;
        cells := cells || ARRAY[
            @extschema@.workbook_cell(r, 1, 'head', '项目资金（' || t.amount_unit || '）'),
            @extschema@.workbook_cell(r, 2, 'head', '资金来源'),
            @extschema@.workbook_cell(r, 3, 'head', '上年度预算安排'),
            @extschema@.workbook_cell(r, 4, 'head', '上年度实际执行'),
            @extschema@.workbook_cell(r, 5, 'head', '本年度申请金额')];
        FOR f IN
            SELECT coalesce(fl.label, s.label) AS label, fl.last_year_budget, fl.last_year_executed, fl.requested
            FROM @extschema@.target_fund_line fl
            JOIN @extschema@.standard_fund_source s ON s.source OPERATOR(pg_catalog.=) fl.source
            WHERE fl.target_id OPERATOR(pg_catalog.=) id
            ORDER BY s.position, fl.label
        LOOP
            r := r + 1;
            cells := cells || ARRAY[
                @extschema@.workbook_cell(r, 2, 'head', f.label),
                coalesce(@extschema@.workbook_cell(r, 3, 'number', f.last_year_budget::text, 'amount'),
                         @extschema@.workbook_cell(r, 3, 'number', '—')),
                coalesce(@extschema@.workbook_cell(r, 4, 'number', f.last_year_executed::text, 'amount'),
                         @extschema@.workbook_cell(r, 4, 'number', '—')),
                coalesce(@extschema@.workbook_cell(r, 5, 'number', f.requested::text, 'amount'),
                         @extschema@.workbook_cell(r, 5, 'number', '—'))];
        END LOOP;

        -- 总体目标
        cells := cells || ARRAY[
            @extschema@.workbook_cell(r + 1, 1, 'head', '总体目标'),
            @extschema@.workbook_cell(r + 1, 2, 'head', '长期目标'),
            @extschema@.workbook_cell(r + 1, 3, 'head', '年度目标'),
            @extschema@.workbook_cell(r + 2, 2, 'text', coalesce(t.long_term_goal, '')),
            @extschema@.workbook_cell(r + 2, 3, 'text', coalesce(t.annual_goal, ''))];
        r := r + 3;

        -- 绩效指标: ten columns
        head := r;
        cells := cells || ARRAY[
            @extschema@.workbook_cell(r, 1, 'head', '绩效指标'),
            @extschema@.workbook_cell(r, 2, 'head', '期限'),
            @extschema@.workbook_cell(r, 3, 'head', '一级指标'),
            @extschema@.workbook_cell(r, 4, 'head', '二级指标'),
            @extschema@.workbook_cell(r, 5, 'head', '三级指标'),
            @extschema@.workbook_cell(r, 6, 'head', '指标值'),
            @extschema@.workbook_cell(r, 7, 'head', '计算公式'),
            @extschema@.workbook_cell(r, 8, 'head', '绩效标准'),
            @extschema@.workbook_cell(r, 9, 'head', '上年度实际水平'),
            @extschema@.workbook_cell(r, 10, 'head', '备注')];
        FOR i IN
            SELECT ti.term, ti.level1, ti.level2, ti.level3, ti.target_text, ti.formula, ti.standard,
                   ti.last_year_text, ti.notes
            FROM @extschema@.target_indicator ti
            WHERE ti.target_id OPERATOR(pg_catalog.=) id
            ORDER BY ti.position
        LOOP
            r := r + 1;
            cells := cells || ARRAY[
                @extschema@.workbook_cell(r, 2, 'level', i.term),
                @extschema@.workbook_cell(r, 3, 'level', i.level1),
                @extschema@.workbook_cell(r, 4, 'level', i.level2),
                @extschema@.workbook_cell(r, 5, 'text', i.level3),
                coalesce(@extschema@.workbook_cell(r, 6, 'text', i.target_text, 'value'),
                         @extschema@.workbook_cell(r, 6, 'text', '')),
                @extschema@.workbook_cell(r, 7, 'text', coalesce(i.formula, '')),
                @extschema@.workbook_cell(r, 8, 'text', coalesce(i.standard, '')),
                coalesce(@extschema@.workbook_cell(r, 9, 'text', i.last_year_text, 'value'),
                         @extschema@.workbook_cell(r, 9, 'text', '')),
                @extschema@.workbook_cell(r, 10, 'text', coalesce(i.notes, ''))];
        END LOOP;

        -- 备注 in its own cell after the label
        r := r + 1;
        cells := cells || ARRAY[@extschema@.workbook_cell(r, 1, 'head', '备注：'),
                                @extschema@.workbook_cell(r, 2, 'text', coalesce(t.notes, ''))];
        merges := merges || pg_catalog.jsonb_build_array(r, 2, r, 10);

        sheets := sheets || pg_catalog.jsonb_build_object(
            'name', t.project_name,
            'cells', pg_catalog.to_jsonb(pg_catalog.array_remove(cells, NULL)),
            'merges', pg_catalog.to_jsonb(merges),
            'repeat', pg_catalog.jsonb_build_array(head, head),
            'widths', '[11, 10, 12, 13, 20, 13, 20, 8, 13, 16]'::jsonb);
    END LOOP;
    RETURN @extschema@.workbook_write(pg_catalog.to_jsonb(sheets));
END
$fn$;

COMMENT ON FUNCTION @extschema@.export_targets_workbook(bigint[]) IS
'The target forms as an .xlsx workbook, one sheet each (named after the project), laid out as export_targets writes them in ten columns (A-J), so that pjeval.import_targets_workbook reads it back to the same rows: amounts as numbers (#,##0.00), 指标值 percentages as percent cells, 宋体, borders, A4 portrait one page wide. Each id once, in the order given; an id the caller cannot see raises no_data_found';

-- Daily use: PUBLIC reads (the policies decide what); writing is granted by
-- the administrator, as for the self-evaluation tables.
GRANT SELECT ON @extschema@.target, @extschema@.target_fund_line, @extschema@.target_indicator,
                @extschema@.target_read_finding, @extschema@.target_in_force TO PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.target', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.target_fund_line', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.target_indicator', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.target_read_finding', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.target_target_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.target_fund_line_target_fund_line_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.target_indicator_target_indicator_id_seq', '');

-- ---------------------------------------------------------------- findings

-- The target-quality checks (performance-cycle §5.2, docs/targets.md) and
-- the self-evaluation's consistency with its targets (§5.4): their codes
-- (scope target) and messages are rows of finding_catalogue and
-- finding_message, whose arguments are
--   target            1 项目编号, 2 项目名称, 3 year, 4 version, 5 the 年度
--                     indicators that apply (not 不适用), 6 the level missing
--                     (T10), 7 the 年度 indicators with a number, 8 their
--                     share (%), 9 the profile's minimum share (%); for a
--                     fund line (T9, money) 10 its source, 11 上年度预算安排,
--                     12 上年度实际执行, 13 本年度申请金额, 14 the form's
--                     amount unit, 15 last year, 16 last year's execution
--                     rate (%), 17 the profile's low_execution_rate (%)
--   target_indicator  1 三级指标, 2 指标值, 3 一级指标, 4 二级指标, 5 计算公式,
--                     6 the other project's 项目编号 (or name), 7 its unit,
--                     8 last year's actual (of the clause), 9 last year, 10 the
--                     clause's label in brackets, 11 this year's target (of the clause)
--   target_line       1 the document's line
--   cycle             1 项目编号, 2 项目名称, 3 year, 4 三级指标, 5 the
--                     self-evaluation's 年度指标值, 6 the target in force,
--                     7 its version
INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('target_too_few', 'target', 'warning', '年度绩效指标中的三级指标少于 3 个', 'fewer than 3 三级指标 in the 年度 set'),
    ('target_formula_missing', 'target', 'warning', '定量指标未填写计算公式', 'a quantitative indicator has no 计算公式'),
    ('target_cost_at_least', 'target', 'warning', '成本指标使用“≥”或“>”，应为“≤”或“=”', 'a cost indicator is written ≥ or >: it should be ≤, or = for a fixed quota'),
    ('target_bare_percentage', 'target', 'warning', '效益指标仅为百分比，无计算公式或数据来源（形式上定量、实质上定性）', 'a benefit indicator is a bare percentage with no 计算公式 or data source'),
    ('target_satisfaction_unmeasured', 'target', 'warning', '满意度指标无调查依据或以投诉代替', 'a 满意度 indicator has no survey basis, or rests on complaints'),
    ('target_copied', 'target', 'info', '与其他单位项目的指标名称和指标值相同，可能照搬', 'the same indicator name and value appear on another unit''s project the same year: perhaps copied'),
    ('target_input_as_output', 'target', 'warning', '以资金、人员等投入作为产出目标', 'an input (money, staff, funding) is used as an output target'),
    ('target_value_unreadable', 'target', 'warning', '指标值无法识别', 'the 指标值 cannot be read'),
    ('target_unit_missing', 'target', 'warning', '定量指标值缺少计量单位', 'a quantitative 指标值 has no unit'),
    ('target_level_missing', 'target', 'warning', '年度绩效指标缺少产出指标或效益指标', 'the 年度 set has no 产出 or no 效益 indicator'),
    ('target_quantified_share_low', 'target', 'warning', '年度绩效指标中量化指标的比例低于设定的最低比例', 'the share of 年度 indicators with a number is below the minimum set for the profile'),
    ('target_below_last_year', 'target', 'warning', '本年目标低于上年实际完成值（pjeval 规则：请复核目标是否偏低）', 'this year''s target is below last year''s actual (pjeval''s rule: review whether the target is too low)'),
    ('target_request_above_executed', 'target', 'warning', '延续项目本年度申请金额高于上年度实际执行，而上年度执行率低于评分方案的预警线（pjeval 规则：请复核申请金额）', 'a 延续 project requests more than it spent last year, when last year''s execution rate was below the profile''s warning line (pjeval''s rule: review the request)'),
    ('evaluation_target_changed', 'target', 'error', '自评表的年度指标值与批复（调整）后的绩效目标不一致', 'the self-evaluation''s 年度指标值 differs from the approved (or adjusted) target in force'),
    ('evaluation_target_unmatched', 'target', 'warning', '自评表的指标在批复的绩效目标中找不到', 'an indicator of the self-evaluation is not among the approved targets'),
    ('evaluation_without_target', 'target', 'warning', '该年度已有绩效目标，本项目却没有批复的绩效目标申报表', 'targets exist for the year, but this project has no approved target form');

INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('target_too_few', 'target', '项目 %1$s“%2$s” %3$s 年绩效目标（第 %4$s 版）年度三级指标仅 %5$s 个，至少应有 3 个', 'project %1$s "%2$s", %3$s targets (version %4$s): only %5$s 年度 三级指标, at least 3 are needed'),
    ('target_formula_missing', 'target_indicator', '“%1$s”（%2$s）为定量指标，未填写计算公式', '"%1$s" (%2$s) is quantitative but has no 计算公式'),
    ('target_cost_at_least', 'target_indicator', '成本指标“%1$s”写作 %2$s：成本应以“≤”控制，定额用“=”', 'cost indicator "%1$s" is written %2$s: a cost is capped with ≤, a fixed quota written ='),
    ('target_bare_percentage', 'target_indicator', '效益指标“%1$s”仅为 %2$s，无计算公式或数据来源，不具考核性', 'benefit indicator "%1$s" is only %2$s, with no 计算公式 or data source: it cannot be assessed'),
    ('target_satisfaction_unmeasured', 'target_indicator', '满意度指标“%1$s”（%2$s）未说明调查方式或样本，或以投诉代替满意度（计算公式：%5$s）', 'satisfaction indicator "%1$s" (%2$s) names no survey or sample, or rests on complaints (计算公式: %5$s)'),
    ('target_copied', 'target_indicator', '“%1$s”（%2$s）与其他单位“%7$s”的项目 %6$s 完全相同，请核实是否照搬', '"%1$s" (%2$s) is exactly as on project %6$s of another unit, "%7$s": check whether it was copied'),
    ('target_input_as_output', 'target_indicator', '“%1$s”（%2$s）在%3$s/%4$s下，是资金、人员等投入而非产出', '"%1$s" (%2$s) under %3$s/%4$s is an input (money, staff), not an output'),
    ('target_value_unreadable', 'target_indicator', '“%1$s”的指标值“%2$s”无法识别', 'the 指标值 "%2$s" of "%1$s" cannot be read'),
    ('target_unit_missing', 'target_indicator', '“%1$s”的指标值 %2$s 没有计量单位', 'the 指标值 %2$s of "%1$s" has no unit'),
    ('target_level_missing', 'target', '项目 %1$s“%2$s” %3$s 年绩效目标（第 %4$s 版）年度指标中没有%6$s', 'project %1$s "%2$s", %3$s targets (version %4$s): the 年度 set has no %6$s'),
    ('target_quantified_share_low', 'target', '项目 %1$s“%2$s” %3$s 年绩效目标（第 %4$s 版）年度指标 %5$s 个，其中量化指标 %7$s 个，占 %8$s%%，低于最低比例 %9$s%%', 'project %1$s "%2$s", %3$s targets (version %4$s): %7$s of %5$s 年度 indicators have a number, %8$s %%, below the minimum of %9$s %%'),
    ('target_below_last_year', 'target_indicator', '“%1$s”%10$s本年目标 %11$s 低于（或宽于）%9$s 年实际完成值 %8$s：请复核目标是否偏低（pjeval 规则，非财政部规定）', '"%1$s"%10$s: this year''s target %11$s is below (or looser than) the actual of %9$s, %8$s: review whether the target is too low (pjeval''s rule, not a 财政部 threshold)'),
    ('target_request_above_executed', 'target', '项目 %1$s“%2$s” %3$s 年绩效目标（第 %4$s 版）%10$s：本年度申请金额 %13$s%14$s 高于 %15$s 年实际执行 %12$s%14$s，而 %15$s 年预算 %11$s%14$s 的执行率 %16$s%% 低于 %17$s%%：请复核申请金额（pjeval 规则，非财政部规定）', 'project %1$s "%2$s", %3$s targets (version %4$s), %10$s: the request of %13$s %14$s is above the %12$s %14$s spent in %15$s, when that year''s execution rate of a budget of %11$s %14$s was %16$s %%, below %17$s %%: review the request (pjeval''s rule, not a 财政部 threshold)'),
    ('unclosed_quote', 'target_line', '第 %1$s 行有一个单元格以引号开头而没有引号闭合，已按文字读入：请核对该行是否完整', 'line %1$s: a cell begins with a quote that nothing closes and was read as text: check that the row is whole'),
    ('evaluation_target_changed', 'cycle', '项目 %1$s“%2$s” %3$s 年自评表“%4$s”的年度指标值 %5$s 与批复的绩效目标（第 %7$s 版）%6$s 不一致', 'project %1$s "%2$s", %3$s: the self-evaluation''s 年度指标值 of "%4$s", %5$s, differs from the approved target (version %7$s), %6$s'),
    ('evaluation_target_unmatched', 'cycle', '项目 %1$s“%2$s” %3$s 年自评表的指标“%4$s”（%5$s）不在批复的绩效目标（第 %7$s 版）中', 'project %1$s "%2$s", %3$s: the self-evaluation''s indicator "%4$s" (%5$s) is not among the approved targets (version %7$s)'),
    ('evaluation_without_target', 'cycle', '项目 %1$s“%2$s” %3$s 年已有其他项目的绩效目标，本项目却没有批复的绩效目标申报表', 'project %1$s "%2$s", %3$s: targets exist for the year, but this project has no approved target form');

-- The target indicators with their levels classified by the standard
-- (pjeval.standard_level) and their name as matched across forms and years
-- (white space dropped).
CREATE VIEW @extschema@.target_indicator_class WITH (security_invoker = true) AS
SELECT ti.target_indicator_id,
       ti.target_id,
       ti.position,
       ti.term,
       ti.level1,
       ti.level2,
       ti.level3,
       ti.target_text,
       ti.target,
       ti.formula,
       ti.notes,
       ti.last_year,
       pg_catalog.regexp_replace(ti.level3, '[[:space:]　]+', '', 'g') AS name_key,
       coalesce(l1.kind, l2.kind) AS kind,
       (l1.kind = 'cost' OR l2.kind = 'cost' OR l2.name = '成本指标') IS TRUE AS is_cost,
       @extschema@.kind(ti.target) AS value_kind,
       pg_catalog.btrim(coalesce(ti.formula, '')) = '' AS no_formula
FROM @extschema@.target_indicator ti
LEFT JOIN @extschema@.standard_level l1 ON l1.level = 1 AND l1.name = @extschema@.indicator_level_name(ti.level1)
LEFT JOIN @extschema@.standard_level l2 ON l2.level = 2 AND l2.name = @extschema@.indicator_level_name(ti.level2);

COMMENT ON VIEW @extschema@.target_indicator_class IS
'Each target indicator with what the checks need: name_key (三级指标 without white space, how indicators match across forms and years), kind (output, benefit, satisfaction, cost: the standard level 1 its levels name), is_cost (成本指标 at either level), value_kind (pjeval.kind of 指标值) and no_formula';

-- T2: per target form, the 年度 indicators that apply (not 不适用), those
-- whose 指标值 has a number (pjeval.kind: quantity, dates included), their
-- share in % (half-up to two places), the minimum of the form's profile
-- (profile.target_quantified_share_min) and whether the share is below it.
CREATE VIEW @extschema@.target_quantified WITH (security_invoker = true) AS
SELECT t.target_id,
       c.applicable,
       c.quantified,
       CASE WHEN c.applicable > 0
            THEN pg_catalog.round(c.quantified * 100.0 / c.applicable, 2) END
           AS quantified_share,
       pr.target_quantified_share_min AS quantified_share_min,
       CASE WHEN c.applicable > 0
            THEN pg_catalog.round(c.quantified * 100.0 / c.applicable, 2)
                 < pr.target_quantified_share_min END AS below_minimum
FROM @extschema@.target t
JOIN (SELECT x.target_id,
             pg_catalog.count(ti.target_indicator_id)
                 FILTER (WHERE NOT @extschema@.is_not_applicable(ti.target) IS TRUE) AS applicable,
             pg_catalog.count(ti.target_indicator_id)
                 FILTER (WHERE @extschema@.kind(ti.target) = 'quantity') AS quantified
      FROM @extschema@.target x
      LEFT JOIN @extschema@.target_indicator ti ON ti.target_id = x.target_id AND ti.term = '年度'
      GROUP BY x.target_id) c ON c.target_id = t.target_id
JOIN @extschema@.profile pr ON pr.name = t.profile;

COMMENT ON VIEW @extschema@.target_quantified IS
'T2, per target form the caller may see: applicable (年度 indicators, 不适用 aside), quantified (those whose 指标值 has a number), quantified_share (in %, half-up to two places; NULL without indicators), quantified_share_min (target_quantified_share_min of the form''s profile; NULL: unset) and below_minimum (NULL when either is unset)';

-- One row per target-quality finding on a target form the caller may see:
-- the form, the indicator's position (NULL for the whole form), code,
-- severity and the messages.  The same shape as pjeval.audit_finding.
CREATE VIEW @extschema@.target_finding WITH (security_invoker = true) AS
SELECT t.target_id,
       NULL::integer AS position,
       'target_too_few'::text AS code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args) AS message_zh,
       pg_catalog.format(fm.message_en, VARIADIC a.args) AS message_en
-- T1: the 年度 indicators that apply, as T2 counts them
FROM @extschema@.target_quantified c
JOIN @extschema@.target t ON t.target_id = c.target_id
JOIN @extschema@.project p ON p.project_id = t.project_id
JOIN @extschema@.finding_catalogue fc ON fc.code = 'target_too_few'
JOIN @extschema@.finding_message fm ON fm.code = 'target_too_few' AND fm.place = 'target'
CROSS JOIN LATERAL (
    SELECT ARRAY[p.code, p.name, t.year::text, t.version::text, c.applicable::text] AS args
) a
WHERE c.applicable < 3
UNION ALL
-- T10 [pjeval]: a 年度 set with no 产出 or no 效益 indicator
SELECT t.target_id,
       NULL::integer,
       'target_level_missing'::text,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args),
       pg_catalog.format(fm.message_en, VARIADIC a.args)
FROM @extschema@.target t
JOIN @extschema@.project p ON p.project_id = t.project_id
CROSS JOIN (VALUES ('output', '产出指标'), ('benefit', '效益指标')) AS l (kind, name)
JOIN @extschema@.finding_catalogue fc ON fc.code = 'target_level_missing'
JOIN @extschema@.finding_message fm ON fm.code = 'target_level_missing' AND fm.place = 'target'
CROSS JOIN LATERAL (
    SELECT ARRAY[p.code, p.name, t.year::text, t.version::text, NULL, l.name] AS args
) a
WHERE EXISTS (SELECT 1 FROM @extschema@.target_indicator ti WHERE ti.target_id = t.target_id AND ti.term = '年度')
  AND NOT EXISTS (SELECT 1 FROM @extschema@.target_indicator_class i
                  WHERE i.target_id = t.target_id AND i.term = '年度' AND i.kind = l.kind AND NOT i.is_cost)
UNION ALL
-- T2: the quantified share below the minimum of the form's profile
SELECT t.target_id,
       NULL::integer,
       'target_quantified_share_low'::text,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args),
       pg_catalog.format(fm.message_en, VARIADIC a.args)
FROM @extschema@.target_quantified q
JOIN @extschema@.target t ON t.target_id = q.target_id
JOIN @extschema@.project p ON p.project_id = t.project_id
JOIN @extschema@.finding_catalogue fc ON fc.code = 'target_quantified_share_low'
JOIN @extschema@.finding_message fm ON fm.code = 'target_quantified_share_low' AND fm.place = 'target'
CROSS JOIN LATERAL (
    SELECT ARRAY[p.code, p.name, t.year::text, t.version::text, q.applicable::text, NULL, q.quantified::text,
                 q.quantified_share::text, q.quantified_share_min::text] AS args
) a
WHERE q.below_minimum
UNION ALL
-- T9 [pjeval], money: a 延续 form's fund line asking for more than last year
-- executed, when last year's execution rate (executed / budget, as
-- execution_rate rounds it) is below the profile's low_execution_rate (a
-- NULL amount or a zero budget never flags)
SELECT t.target_id,
       NULL::integer,
       'target_request_above_executed'::text,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args),
       pg_catalog.format(fm.message_en, VARIADIC a.args)
FROM @extschema@.target_fund_line f
JOIN @extschema@.target t ON t.target_id = f.target_id
JOIN @extschema@.project p ON p.project_id = t.project_id
JOIN @extschema@.profile pr ON pr.name = t.profile
JOIN @extschema@.standard_fund_source s ON s.source = f.source
JOIN @extschema@.finding_catalogue fc ON fc.code = 'target_request_above_executed'
JOIN @extschema@.finding_message fm ON fm.code = 'target_request_above_executed' AND fm.place = 'target'
CROSS JOIN LATERAL (
    SELECT @extschema@.try_execution_rate(f.last_year_budget, f.last_year_executed) AS rate
) r
CROSS JOIN LATERAL (
    SELECT ARRAY[p.code, p.name, t.year::text, t.version::text, NULL, NULL, NULL, NULL, NULL,
                 coalesce(f.label, s.label), f.last_year_budget::text, f.last_year_executed::text, f.requested::text,
                 t.amount_unit, (t.year - 1)::text, r.rate::text, pr.low_execution_rate::text] AS args
) a
WHERE t.attribute = '延续'
  AND f.requested > f.last_year_executed
  AND r.rate < pr.low_execution_rate
UNION ALL
SELECT i.target_id,
       i.position,
       f.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args),
       pg_catalog.format(fm.message_en, VARIADIC a.args)
FROM @extschema@.target_indicator_class i
JOIN @extschema@.target t ON t.target_id = i.target_id
JOIN @extschema@.project tp ON tp.project_id = t.project_id
-- T7: the same name and value on another unit's project the same year.  Per
-- 三级指标, 指标值 (a number) and year, each unit's first project (by
-- 项目编号, then name), the units in that order: the first unit's project is
-- the other one for every other unit, the second unit's for the first.  One
-- pass over the indicators, not a search per indicator (which grew with the
-- square of the forms sharing a name and value: bench/targets_bench.sh).
LEFT JOIN (
    SELECT b.level3, b.target, b.year,
           pg_catalog.array_agg(b.unit_id ORDER BY b.code, b.name) AS units,
           pg_catalog.array_agg(coalesce(b.code, b.name) ORDER BY b.code, b.name) AS projects,
           pg_catalog.array_agg(b.unit_name ORDER BY b.code, b.name) AS unit_names
    FROM (SELECT DISTINCT ON (oi.level3, oi.target, ot.year, op.unit_id)
                 oi.level3, oi.target, ot.year, op.unit_id, op.code, op.name, ou.name AS unit_name
          FROM @extschema@.target_indicator oi
          JOIN @extschema@.target ot ON ot.target_id = oi.target_id
          JOIN @extschema@.project op ON op.project_id = ot.project_id
          JOIN @extschema@.unit ou ON ou.unit_id = op.unit_id
          WHERE @extschema@.kind(oi.target) = 'quantity'
          ORDER BY oi.level3, oi.target, ot.year, op.unit_id, op.code, op.name) b
    GROUP BY b.level3, b.target, b.year
    HAVING pg_catalog.count(*) > 1
) cp ON cp.level3 = i.level3 AND cp.target = i.target AND cp.year = t.year
CROSS JOIN LATERAL (
    SELECT cp.projects[k] AS project, cp.unit_names[k] AS unit
    FROM (SELECT CASE WHEN cp.units[1] <> tp.unit_id THEN 1 ELSE 2 END AS k) x
) o
-- T9: last year's actual of the same project's indicator of that name (its
-- self-evaluation, else the form's 上年度实际水平), clause by clause.  For the
-- 延续 forms' indicators with a number at once: each with the first
-- indicator of its name (by position) in the project's self-evaluation of the
-- year before, joined, not searched for per indicator; and the clauses read
-- inside, so that on a Citus cluster it is one sub-query of its own.
LEFT JOIN (
    SELECT y.target_indicator_id, tc.label,
           pg_catalog.concat(nullif(lc.comparison, '='), lc.number, lc.unit) AS actual_text,
           pg_catalog.concat(nullif(tc.comparison, '='), tc.number, tc.unit) AS target_clause
    FROM (SELECT DISTINCT ON (ti.target_indicator_id) ti.target_indicator_id, ti.target,
                 coalesce(e_i.actual, ti.last_year) AS actual
          FROM @extschema@.target_indicator ti
          JOIN @extschema@.target lt ON lt.target_id = ti.target_id
          LEFT JOIN @extschema@.evaluation e ON e.project_id = lt.project_id AND e.year = lt.year - 1
          LEFT JOIN @extschema@.indicator e_i
            ON e_i.evaluation_id = e.evaluation_id
           AND pg_catalog.regexp_replace(e_i.level3, '[[:space:]　]+', '', 'g')
               = pg_catalog.regexp_replace(ti.level3, '[[:space:]　]+', '', 'g')
          WHERE lt.attribute = '延续' AND @extschema@.kind(ti.target) = 'quantity'
          ORDER BY ti.target_indicator_id, e_i.position) y
    CROSS JOIN LATERAL @extschema@.clauses(y.target) tc
    JOIN LATERAL @extschema@.clauses(y.actual) lc
      ON coalesce(lc.label, '') = coalesce(tc.label, '') AND lc.base_unit = tc.base_unit
    WHERE tc.dimension IS DISTINCT FROM 'date' AND tc.base_upper IS NULL AND lc.base_upper IS NULL
      AND CASE WHEN tc.comparison IN ('≤', '<') THEN tc.base_value > lc.base_value
               WHEN tc.comparison IN ('≥', '>', '=') OR tc.comparison IS NULL THEN tc.base_value < lc.base_value
          END
) ly ON ly.target_indicator_id = i.target_indicator_id
CROSS JOIN LATERAL (VALUES
    -- T3, except where T5 says more
    (CASE WHEN i.value_kind = 'quantity' AND i.no_formula
               AND NOT (i.kind = 'benefit' AND NOT i.is_cost AND @extschema@.base_unit(i.target) = '%'
                        AND @extschema@.clause_count(i.target) <= 1)
          THEN 'target_formula_missing' END),
    (CASE WHEN i.is_cost AND @extschema@.comparison(i.target) IN ('≥', '>') THEN 'target_cost_at_least' END),
    (CASE WHEN i.kind = 'benefit' AND NOT i.is_cost AND i.value_kind = 'quantity' AND i.no_formula
               AND @extschema@.base_unit(i.target) = '%' AND @extschema@.clause_count(i.target) <= 1
          THEN 'target_bare_percentage' END),
    (CASE WHEN i.kind = 'satisfaction'
               AND (pg_catalog.concat(i.formula, ' ', i.notes) !~ '调查|问卷|抽样|抽查|测评|样本|回访'
                    OR pg_catalog.concat(i.formula, ' ', i.notes, ' ', i.target_text) ~ '投诉')
          THEN 'target_satisfaction_unmeasured' END),
    (CASE WHEN o.project IS NOT NULL THEN 'target_copied' END),
    (CASE WHEN i.kind = 'output' AND NOT i.is_cost
               AND (@extschema@.base_unit(i.target) = '元' OR i.level3 ~ '资金|经费|人员|投入')
          THEN 'target_input_as_output' END),
    (CASE WHEN ly.actual_text IS NOT NULL THEN 'target_below_last_year' END),
    -- T10 [pjeval]: a 指标值 that does not read; a number with no unit
    (CASE WHEN i.target IS NULL AND pg_catalog.btrim(coalesce(i.target_text, '')) <> '' THEN 'target_value_unreadable' END),
    (CASE WHEN i.value_kind = 'quantity' AND @extschema@.base_unit(i.target) IS NULL THEN 'target_unit_missing' END)
) f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message fm ON fm.code = f.code AND fm.place = 'target_indicator'
CROSS JOIN LATERAL (
    SELECT ARRAY[i.level3, i.target_text, i.level1, i.level2, coalesce(i.formula, ''), o.project, o.unit,
                 ly.actual_text, (t.year - 1)::text, CASE WHEN ly.label IS NOT NULL THEN '（' || ly.label || '）' ELSE '' END,
                 ly.target_clause] AS args
) a
UNION ALL
SELECT rf.target_id,
       NULL::integer,
       rf.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, rf.line),
       pg_catalog.format(fm.message_en, rf.line)
FROM @extschema@.target_read_finding rf
JOIN @extschema@.finding_catalogue fc ON fc.code = rf.code
JOIN @extschema@.finding_message fm ON fm.code = rf.code AND fm.place = 'target_line';

COMMENT ON VIEW @extschema@.target_finding IS
'One row per target-quality finding on a target form the caller may see (the shape of pjeval.audit_finding): form, indicator position (NULL for the form), code (scope target), severity and a message in Chinese and English: target_too_few (T1), target_formula_missing (T3), target_cost_at_least (T4), target_bare_percentage (T5), target_satisfaction_unmeasured (T6), target_copied (T7), target_input_as_output (T8), target_below_last_year and target_request_above_executed (T9, pjeval''s rules), target_value_unreadable, target_unit_missing and target_level_missing (T10, pjeval''s), target_quantified_share_low (T2, below the minimum of the form''s profile), and what the reader noticed (unclosed_quote)';

-- The self-evaluation against its targets: per evaluation of a project and
-- year with a target form in force, each of its indicators whose 年度指标值
-- differs from the target in force (matched by 三级指标 name, the same 二级指标
-- first) or that has none there (不适用 rows aside); and an evaluation without an approved
-- target form where the year has target forms.
CREATE VIEW @extschema@.cycle_finding WITH (security_invoker = true) AS
SELECT e.evaluation_id,
       i.position,
       tf.target_id,
       f.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args) AS message_zh,
       pg_catalog.format(fm.message_en, VARIADIC a.args) AS message_en
FROM @extschema@.evaluation e
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.target_in_force tf ON tf.project_id = e.project_id AND tf.year = e.year
JOIN @extschema@.indicator i ON i.evaluation_id = e.evaluation_id
                              AND NOT @extschema@.is_not_applicable(i.target) IS TRUE
LEFT JOIN LATERAL (
    SELECT ti.target, ti.target_text
    FROM @extschema@.target_indicator ti
    WHERE ti.target_id = tf.target_id AND ti.term = '年度'
      AND pg_catalog.regexp_replace(ti.level3, '[[:space:]　]+', '', 'g')
          = pg_catalog.regexp_replace(i.level3, '[[:space:]　]+', '', 'g')
    ORDER BY @extschema@.indicator_level_name(ti.level2) = i.level2_name DESC, ti.position
    LIMIT 1
) ti ON true
CROSS JOIN LATERAL (VALUES
    (CASE WHEN ti.target_text IS NULL AND ti.target IS NULL THEN 'evaluation_target_unmatched'
          WHEN coalesce(i.target::text, i.target_text) IS DISTINCT FROM coalesce(ti.target::text, ti.target_text)
          THEN 'evaluation_target_changed' END)
) f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message fm ON fm.code = f.code AND fm.place = 'cycle'
CROSS JOIN LATERAL (
    SELECT ARRAY[p.code, p.name, e.year::text, i.level3, i.target_text, ti.target_text, tf.version::text] AS args
) a
UNION ALL
SELECT e.evaluation_id,
       NULL::integer,
       NULL::bigint,
       'evaluation_without_target',
       fc.severity,
       pg_catalog.format(fm.message_zh, p.code, p.name, e.year),
       pg_catalog.format(fm.message_en, p.code, p.name, e.year)
FROM @extschema@.evaluation e
JOIN @extschema@.project p ON p.project_id = e.project_id
JOIN @extschema@.finding_catalogue fc ON fc.code = 'evaluation_without_target'
JOIN @extschema@.finding_message fm ON fm.code = 'evaluation_without_target' AND fm.place = 'cycle'
WHERE NOT EXISTS (SELECT FROM @extschema@.target_in_force tf WHERE tf.project_id = e.project_id AND tf.year = e.year)
  AND EXISTS (SELECT FROM @extschema@.target t WHERE t.year = e.year);

COMMENT ON VIEW @extschema@.cycle_finding IS
'The self-evaluation against its targets, one row per finding on a form the caller may see: evaluation, indicator position (NULL for the form), the target form in force, code, severity, messages: evaluation_target_changed (the 年度指标值 differs from the target in force, compared as read), evaluation_target_unmatched (no target of that 三级指标), evaluation_without_target (no approved target form while the year has target forms)';

GRANT SELECT ON @extschema@.target_indicator_class, @extschema@.target_quantified, @extschema@.target_finding,
                @extschema@.cycle_finding TO PUBLIC;
