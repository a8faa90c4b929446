-- 40_schema.sql - the tables that hold a 项目支出绩效自评表 as written:
-- units, projects, one evaluation per project and year, its fund lines and
-- indicator rows; who belongs to which unit and who reviews; the history of
-- every change.  Scores are never stored as truth: the form's reported
-- numbers are kept as reported and the views (50_views.sql) compute beside
-- them.  Row-level security, the workflow and the grants are in
-- 60_security.sql.
--
-- Constraints reject only what no real form can hold (a negative amount or
-- weight, a year outside 2000-2100, a 得分 on a fund row that has no 得分
-- cell, an amount, weight or score the rules cannot compute with exactly:
-- NaN, an infinity, more than 18 significant digits or decimal places, see
-- is_scorable_number); the merely unusual (a score above its weight,
-- weights that do not total 100, a non-standard level-2 under a level-1) is
-- stored and flagged by pjeval.audit_finding.
--
-- Every name is schema-qualified and every function has a fixed search_path,
-- so nothing here depends on the caller's search_path.

-- Units (实施单位, 一级预算单位).  A unit may sit under a parent unit.
CREATE TABLE @extschema@.unit (
    unit_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL
                CONSTRAINT unit_name_not_blank CHECK (pg_catalog.btrim(name) <> ''),
    parent_id   bigint REFERENCES @extschema@.unit (unit_id),
    code        text UNIQUE
                CONSTRAINT unit_code_not_blank CHECK (pg_catalog.btrim(code) <> ''),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT unit_not_own_parent CHECK (parent_id <> unit_id)
);
CREATE UNIQUE INDEX unit_top_name_key ON @extschema@.unit (name) WHERE parent_id IS NULL;
CREATE UNIQUE INDEX unit_parent_name_key ON @extschema@.unit (parent_id, name) WHERE parent_id IS NOT NULL;

COMMENT ON TABLE @extschema@.unit IS
'Budget units: an implementing unit (实施单位) and the level-1 budget unit (一级预算单位) it belongs to; parent_id links a unit to the unit above it';
COMMENT ON COLUMN @extschema@.unit.code IS 'The unit''s own code (单位编码), when known';

-- A unit and the units above it (its parent, the parent's parent, ...).
-- Units are readable by everyone, so this needs no special rights.
CREATE FUNCTION @extschema@.unit_and_ancestors(unit_id bigint)
RETURNS bigint[]
LANGUAGE sql
STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET citus.allow_nested_distributed_execution = on
AS $$
    WITH RECURSIVE up (unit_id, parent_id) AS (
        SELECT u.unit_id, u.parent_id FROM @extschema@.unit u WHERE u.unit_id OPERATOR(pg_catalog.=) $1
        UNION
        SELECT u.unit_id, u.parent_id FROM @extschema@.unit u JOIN up ON u.unit_id OPERATOR(pg_catalog.=) up.parent_id
    )
    SELECT coalesce(pg_catalog.array_agg(up.unit_id), '{}') FROM up
$$;

COMMENT ON FUNCTION @extschema@.unit_and_ancestors(bigint) IS
'The unit and every unit above it (parent_id upwards): the units a form of this unit may name as its 一级预算单位';

-- A unit cannot be its own ancestor.
CREATE FUNCTION @extschema@.unit_check_parent()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL AND NEW.unit_id = ANY (@extschema@.unit_and_ancestors(NEW.parent_id)) THEN
        RAISE EXCEPTION 'unit "%" cannot be placed under unit "%", which is already below it or is itself',
                NEW.name, (SELECT u.name FROM @extschema@.unit u WHERE u.unit_id = NEW.parent_id)
            USING ERRCODE = 'check_violation',
                  HINT = 'The units would form a cycle; choose a parent that is not one of its sub-units.';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER unit_check_parent
BEFORE INSERT OR UPDATE OF parent_id ON @extschema@.unit
FOR EACH ROW EXECUTE FUNCTION @extschema@.unit_check_parent();

-- Projects (项目编号, 项目名称).  Real forms sometimes lack the code; a project
-- without one is known by its unit and name.
CREATE TABLE @extschema@.project (
    project_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text UNIQUE
                CONSTRAINT project_code_not_blank CHECK (pg_catalog.btrim(code) <> ''),
    name        text NOT NULL
                CONSTRAINT project_name_not_blank CHECK (pg_catalog.btrim(name) <> ''),
    unit_id     bigint NOT NULL REFERENCES @extschema@.unit (unit_id),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE UNIQUE INDEX project_uncoded_name_key ON @extschema@.project (unit_id, name) WHERE code IS NULL;
CREATE INDEX project_unit_idx ON @extschema@.project (unit_id);

COMMENT ON TABLE @extschema@.project IS
'Projects: 项目编号 (code, NULL where the form has none), 项目名称 and the implementing unit (实施单位), whose members may see and change its forms';

-- One form: a project's self-evaluation for one year.
CREATE TABLE @extschema@.evaluation (
    evaluation_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES @extschema@.project (project_id),
    year            integer NOT NULL
                    CONSTRAINT evaluation_year_range CHECK (year BETWEEN 2000 AND 2100),
    profile         text NOT NULL DEFAULT @extschema@.default_profile()
                    REFERENCES @extschema@.profile (name) ON UPDATE CASCADE,
    budget_unit_id  bigint REFERENCES @extschema@.unit (unit_id),
    amount_unit     text NOT NULL DEFAULT '元'
                    CONSTRAINT evaluation_amount_unit CHECK (amount_unit IN ('元', '万元')),
    expected_goal   text,
    actual_outcome  text,
    reported_weight_total numeric
                    CONSTRAINT evaluation_reported_weight_total_range CHECK (reported_weight_total BETWEEN 0 AND 100),
    reported_total  numeric
                    CONSTRAINT evaluation_reported_total_range CHECK (reported_total BETWEEN 0 AND 100),
    notes           text,
    status          text NOT NULL DEFAULT 'draft'
                    CONSTRAINT evaluation_status CHECK (status IN ('draft', 'submitted', 'approved')),
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    submitted_at    timestamptz,
    approved_at     timestamptz,
    approved_by     name,
    reported_grade  text
                    CONSTRAINT evaluation_reported_grade CHECK (reported_grade IN ('优', '良', '中', '差')),
    fund_block_weight numeric
                    CONSTRAINT evaluation_fund_block_weight_range CHECK (fund_block_weight BETWEEN 0 AND 100),
    execution_reason text,          -- 未完成原因分析 (四川): why the budget was not spent
    CONSTRAINT evaluation_project_year_key UNIQUE (project_id, year),
    -- what the keys of the form's rows reference: their project_id is the form's
    CONSTRAINT evaluation_evaluation_project_key UNIQUE (evaluation_id, project_id)
);
CREATE INDEX evaluation_year_idx ON @extschema@.evaluation (year);
CREATE INDEX evaluation_profile_idx ON @extschema@.evaluation (profile);
CREATE INDEX evaluation_budget_unit_idx ON @extschema@.evaluation (budget_unit_id);

COMMENT ON TABLE @extschema@.evaluation IS
'One 项目支出绩效自评表: a project''s self-evaluation for one year (绩效自评年度), scored by a profile; draft, submitted or approved';
COMMENT ON COLUMN @extschema@.evaluation.budget_unit_id IS '一级预算单位 as written on the form';
COMMENT ON COLUMN @extschema@.evaluation.amount_unit IS 'The unit of the fund amounts, from the row label 项目资金（元） or （万元）';
COMMENT ON COLUMN @extschema@.evaluation.expected_goal IS '年度总体目标: 预期目标, as written';
COMMENT ON COLUMN @extschema@.evaluation.actual_outcome IS '年度总体目标: 实际完成情况, as written';
COMMENT ON COLUMN @extschema@.evaluation.reported_weight_total IS '总分 row, 分值 column, as written (normally 100)';
COMMENT ON COLUMN @extschema@.evaluation.reported_total IS '总分 row, 得分 column, as written';
COMMENT ON COLUMN @extschema@.evaluation.notes IS '备注, as written';
COMMENT ON COLUMN @extschema@.evaluation.fund_block_weight IS 'The funds'' weight as a template that weights whole blocks writes it in their heading (预算执行情况（20分）): the execution rate''s weight where the 年度资金总额 row has no 分值';
COMMENT ON COLUMN @extschema@.evaluation.reported_grade IS '总分 row, the grade its last cell holds (优秀 read as 优, 良好 as 良, …), NULL where it holds none';
COMMENT ON COLUMN @extschema@.evaluation.status IS 'draft → submitted (pjeval.submit) → approved (pjeval.approve); pjeval.reopen returns it to draft';

-- 资金使用情况: one row per source (other sources one per name).  The 分值, 执行率 and 得分 of the
-- 年度资金总额 row are the form's; a source row that prints them keeps them
-- as written, and the audit checks them against that row's amounts
-- (pjeval.fund_line_result), they never count.  A blank amount cell is 0.
CREATE TABLE @extschema@.fund_line (
    fund_line_id    bigint GENERATED ALWAYS AS IDENTITY,
    evaluation_id   bigint NOT NULL,
    source          text NOT NULL
                    CONSTRAINT fund_line_source CHECK (source IN ('total', 'appropriation', 'carryover', 'other')),
    initial_budget  numeric NOT NULL DEFAULT 0
                    CONSTRAINT fund_line_initial_budget_not_negative CHECK (initial_budget >= 0)
                    CONSTRAINT fund_line_initial_budget_scorable CHECK (@extschema@.is_scorable_number(initial_budget)),
    annual_budget   numeric NOT NULL DEFAULT 0
                    CONSTRAINT fund_line_annual_budget_not_negative CHECK (annual_budget >= 0)
                    CONSTRAINT fund_line_annual_budget_scorable CHECK (@extschema@.is_scorable_number(annual_budget)),
    executed        numeric NOT NULL DEFAULT 0
                    CONSTRAINT fund_line_executed_not_negative CHECK (executed >= 0)
                    CONSTRAINT fund_line_executed_scorable CHECK (@extschema@.is_scorable_number(executed)),
    reported_weight numeric
                    CONSTRAINT fund_line_reported_weight_range CHECK (reported_weight BETWEEN 0 AND 100)
                    CONSTRAINT fund_line_reported_weight_scorable CHECK (@extschema@.is_scorable_number(reported_weight)),
    reported_rate   numeric
                    CONSTRAINT fund_line_reported_rate_not_negative CHECK (reported_rate >= 0)
                    CONSTRAINT fund_line_reported_rate_scorable CHECK (@extschema@.is_scorable_number(reported_rate)),
    reported_score  numeric
                    CONSTRAINT fund_line_reported_score_range CHECK (reported_score BETWEEN 0 AND 100)
                    CONSTRAINT fund_line_reported_score_scorable CHECK (@extschema@.is_scorable_number(reported_score)),
    label           text
                    CONSTRAINT fund_line_label_only_other CHECK (source = 'other' OR label IS NULL)
                    CONSTRAINT fund_line_label_not_blank CHECK (pg_catalog.btrim(label) <> ''),
    -- keys include evaluation_id, the column Citus distributes the form
    -- tables by (docs/scaling.md): it enforces no other
    PRIMARY KEY (evaluation_id, fund_line_id),
    -- the form's project, for row-level security (see form_project below)
    form_project_id bigint NOT NULL,
    CONSTRAINT fund_line_evaluation_id_fkey FOREIGN KEY (evaluation_id, form_project_id)
        REFERENCES @extschema@.evaluation (evaluation_id, project_id) ON DELETE CASCADE ON UPDATE CASCADE
);

-- The template's sources once per form; other sources (财政专户管理资金,
-- 单位资金, …) once per name.
CREATE UNIQUE INDEX fund_line_evaluation_source_key ON @extschema@.fund_line (evaluation_id, source)
    WHERE source <> 'other';
CREATE UNIQUE INDEX fund_line_evaluation_other_key ON @extschema@.fund_line (evaluation_id, (coalesce(label, '')))
    WHERE source = 'other';
CREATE INDEX fund_line_evaluation_idx ON @extschema@.fund_line (evaluation_id);

COMMENT ON TABLE @extschema@.fund_line IS
'资金使用情况: total = 年度资金总额, appropriation = 当年财政拨款, carryover = 上年结转资金, other = 其他资金 and other sources by name (label); amounts in the evaluation''s amount_unit';
COMMENT ON COLUMN @extschema@.fund_line.label IS 'An other source''s name as the form writes it (财政专户管理资金, 单位资金), NULL for 其他资金 itself; a form may have several other sources';
COMMENT ON COLUMN @extschema@.fund_line.initial_budget IS '年初预算数';
COMMENT ON COLUMN @extschema@.fund_line.annual_budget IS '全年预算数 (the adjusted budget the execution rate divides by)';
COMMENT ON COLUMN @extschema@.fund_line.executed IS '全年执行数';
COMMENT ON COLUMN @extschema@.fund_line.reported_weight IS '分值 as written (the form''s on the total row; on a source row checked, never counted)';
COMMENT ON COLUMN @extschema@.fund_line.reported_rate IS '执行率 (%) as written (the form''s on the total row; on a source row checked, never counted)';
COMMENT ON COLUMN @extschema@.fund_line.reported_score IS '得分 as written (the form''s on the total row; on a source row checked, never counted)';

-- What the form reader read but found worth a look (the findings[] of
-- read_forms): a cell whose quote nothing closes, a value it had to infer.
-- import_forms writes them with the form (and replaces them with it); the
-- audit shows them (pjeval.audit_finding, codes in pjeval.finding_code).
-- position names the indicator of the line, source the fund row; both NULL
-- for the header and the rest of the form.
CREATE TABLE @extschema@.read_finding (
    evaluation_id   bigint NOT NULL,
    line            integer NOT NULL
                    CONSTRAINT read_finding_line_positive CHECK (line >= 1),
    position        integer
                    CONSTRAINT read_finding_position_positive CHECK (position >= 1),
    source          text
                    CONSTRAINT read_finding_source CHECK (source IN ('total', 'appropriation', 'carryover', 'other')),
    code            text NOT NULL
                    CONSTRAINT read_finding_code_not_blank CHECK (pg_catalog.btrim(code) <> ''),
    detail          text,
    CONSTRAINT read_finding_one_place CHECK (position IS NULL OR source IS NULL),
    PRIMARY KEY (evaluation_id, line, code),
    form_project_id bigint NOT NULL,
    CONSTRAINT read_finding_evaluation_id_fkey FOREIGN KEY (evaluation_id, form_project_id)
        REFERENCES @extschema@.evaluation (evaluation_id, project_id) ON DELETE CASCADE ON UPDATE CASCADE
);

COMMENT ON TABLE @extschema@.read_finding IS
'What the form reader read but found worth a look, per form and document line (codes in pjeval.finding_code); written and replaced by import_forms with the form';
COMMENT ON COLUMN @extschema@.read_finding.line IS 'The line of the imported document';
COMMENT ON COLUMN @extschema@.read_finding.position IS 'The indicator of that line, NULL for another row';
COMMENT ON COLUMN @extschema@.read_finding.source IS 'The fund row of that line, NULL for another row';
COMMENT ON COLUMN @extschema@.read_finding.detail IS 'What the reader read or inferred there, where the code needs it';

-- 年度绩效指标: one row per indicator, in the form's order.  level1 and
-- level2 hold the cell's text, filled down from the row above where the form
-- leaves it blank; level1 may carry its weight (产出指标 (50分)).
--
-- What the row's own cells give is stored with it, as generated columns
-- (computed by PostgreSQL on every INSERT and UPDATE, never written
-- directly, recomputed when a dump is restored): target and actual are the
-- texts read by try_indicator_value (NULL where the text does not read,
-- never an error; an empty value where the cell is empty), level1_name and
-- level2_name the level names as the standard lists them
-- (indicator_level_name), which the views join with pjeval.standard_level.
-- They come last because an update from 0.2.0 adds them to the table;
-- form_project_id after them likewise (form_project below).
CREATE TABLE @extschema@.indicator (
    indicator_id    bigint GENERATED ALWAYS AS IDENTITY,
    evaluation_id   bigint NOT NULL,
    position        integer NOT NULL
                    CONSTRAINT indicator_position_positive CHECK (position >= 1),
    level1          text NOT NULL
                    CONSTRAINT indicator_level1_not_blank CHECK (pg_catalog.btrim(level1) <> ''),
    level2          text NOT NULL
                    CONSTRAINT indicator_level2_not_blank CHECK (pg_catalog.btrim(level2) <> ''),
    level3          text NOT NULL
                    CONSTRAINT indicator_level3_not_blank CHECK (pg_catalog.btrim(level3) <> ''),
    target_text     text,
    actual_text     text,
    weight          numeric
                    CONSTRAINT indicator_weight_range CHECK (weight BETWEEN 0 AND 100)
                    CONSTRAINT indicator_weight_scorable CHECK (@extschema@.is_scorable_number(weight)),
    reported_score  numeric
                    CONSTRAINT indicator_reported_score_range CHECK (reported_score BETWEEN 0 AND 100)
                    CONSTRAINT indicator_reported_score_scorable CHECK (@extschema@.is_scorable_number(reported_score)),
    deviation_reason text,
    band            text
                    CONSTRAINT indicator_band CHECK (band IN ('achieved', 'partial', 'not_achieved')),
    target          @extschema@.indicator_value
                    GENERATED ALWAYS AS (@extschema@.try_indicator_value(coalesce(target_text, ''))) STORED,
    actual          @extschema@.indicator_value
                    GENERATED ALWAYS AS (@extschema@.try_indicator_value(coalesce(actual_text, ''))) STORED,
    level1_name     text GENERATED ALWAYS AS (@extschema@.indicator_level_name(level1)) STORED,
    level2_name     text GENERATED ALWAYS AS (@extschema@.indicator_level_name(level2)) STORED,
    CONSTRAINT indicator_evaluation_position_key UNIQUE (evaluation_id, position),
    PRIMARY KEY (evaluation_id, indicator_id),  -- with evaluation_id, as fund_line's
    form_project_id bigint NOT NULL,
    CONSTRAINT indicator_evaluation_id_fkey FOREIGN KEY (evaluation_id, form_project_id)
        REFERENCES @extschema@.evaluation (evaluation_id, project_id) ON DELETE CASCADE ON UPDATE CASCADE
);

COMMENT ON TABLE @extschema@.indicator IS
'年度绩效指标: one row per indicator with its levels, target and actual as written and as read, weight (分值), reported score (得分) and deviation explanation';
COMMENT ON COLUMN @extschema@.indicator.level1 IS '一级指标 as written (may carry its weight: 产出指标 (50分)), filled down';
COMMENT ON COLUMN @extschema@.indicator.level2 IS '二级指标 as written, filled down';
COMMENT ON COLUMN @extschema@.indicator.level3 IS '三级指标 as written';
COMMENT ON COLUMN @extschema@.indicator.target_text IS '年度指标值 exactly as written (NULL: empty cell)';
COMMENT ON COLUMN @extschema@.indicator.actual_text IS '实际完成值 exactly as written (NULL: empty cell)';
COMMENT ON COLUMN @extschema@.indicator.target IS 'target_text read by try_indicator_value (generated; NULL when it does not read, the empty value for an empty cell)';
COMMENT ON COLUMN @extschema@.indicator.actual IS 'actual_text read by try_indicator_value (generated; NULL when it does not read, the empty value for an empty cell)';
COMMENT ON COLUMN @extschema@.indicator.level1_name IS 'level1 as the standard lists level names (generated: indicator_level_name, 产出指标 (50分) → 产出指标)';
COMMENT ON COLUMN @extschema@.indicator.level2_name IS 'level2 as the standard lists level names (generated: indicator_level_name)';
COMMENT ON COLUMN @extschema@.indicator.weight IS '分值 as written; NULL where the cell is empty';
COMMENT ON COLUMN @extschema@.indicator.reported_score IS '得分 as written';
COMMENT ON COLUMN @extschema@.indicator.deviation_reason IS '偏差原因分析及改进措施';
COMMENT ON COLUMN @extschema@.indicator.band IS 'The evaluator''s band for a qualitative result: achieved (达成年度指标), partial (部分达成), not_achieved (未达成)';

COMMENT ON COLUMN @extschema@.fund_line.form_project_id IS 'The form''s project (pjeval.evaluation.project_id, kept equal by the key to it), which row-level security tests';
COMMENT ON COLUMN @extschema@.read_finding.form_project_id IS 'The form''s project (pjeval.evaluation.project_id, kept equal by the key to it), which row-level security tests';
COMMENT ON COLUMN @extschema@.indicator.form_project_id IS 'The form''s project (pjeval.evaluation.project_id, kept equal by the key to it), which row-level security tests';

-- The rows of a form (its fund lines, indicators, reader findings, reviews
-- and review items) carry its project_id as form_project_id (a name of its
-- own, so that a query's JOIN ... USING (project_id) stays unambiguous):
-- row-level security tests it on the row itself (pjeval.visible,
-- 60_security.sql), with no look-up of the form, which on a Citus cluster
-- lives in another table of the shard's node (a sub-select in a policy
-- Citus refuses).  Their key (evaluation_id, form_project_id) → evaluation
-- (evaluation_id, project_id) keeps it the form's: ON UPDATE CASCADE moves
-- it with the form (on one node; a Citus cluster refuses the cascade on a
-- key with the distribution column, so there a form with rows keeps its
-- project).  A project that moves to another unit moves nothing: the
-- policies ask for the project's unit when they run.  A writer that leaves
-- form_project_id out (or moves a row to another form) gets the form's
-- from this trigger; import_forms writes it itself.  SECURITY DEFINER: it
-- copies the form's project whatever the caller may see, and the policy
-- then decides; a form that does not exist is refused as the key would
-- refuse it.
CREATE FUNCTION @extschema@.form_project()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tbl CONSTANT text := TG_ARGV[0];  -- the table (TG_TABLE_NAME may be a shard's)
    pid bigint;
BEGIN
    IF TG_TABLE_SCHEMA <> '@extschema@' OR TG_NARGS <> 1 OR TG_LEVEL <> 'ROW'
       OR tbl NOT IN ('fund_line', 'indicator', 'read_finding', 'review', 'review_item') THEN
        RAISE EXCEPTION 'form_project() fills the form_project_id of the rows of pjeval''s forms only, not of %.% (%)', TG_TABLE_SCHEMA, TG_TABLE_NAME, tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format('SELECT e.project_id FROM %s e WHERE e.evaluation_id = $1',
                   @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'evaluation'))
    INTO pid USING NEW.evaluation_id;
    IF pid IS NULL THEN
        RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"', tbl,
                CASE tbl WHEN 'review_item' THEN 'review_item_evaluation_id_reviewer_role_fkey' ELSE tbl || '_evaluation_id_fkey' END
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (evaluation_id)=(%s) is not present in table "evaluation".', NEW.evaluation_id);
    END IF;
    NEW.form_project_id := pid;
    RETURN NEW;
END
$$;

REVOKE EXECUTE ON FUNCTION @extschema@.form_project() FROM PUBLIC;

CREATE TRIGGER form_project BEFORE INSERT ON @extschema@.fund_line
FOR EACH ROW WHEN (NEW.form_project_id IS NULL) EXECUTE FUNCTION @extschema@.form_project('fund_line');
CREATE TRIGGER form_project_update BEFORE UPDATE OF evaluation_id ON @extschema@.fund_line
FOR EACH ROW WHEN (NEW.evaluation_id IS DISTINCT FROM OLD.evaluation_id AND NEW.form_project_id IS NOT DISTINCT FROM OLD.form_project_id)
EXECUTE FUNCTION @extschema@.form_project('fund_line');
CREATE TRIGGER form_project BEFORE INSERT ON @extschema@.indicator
FOR EACH ROW WHEN (NEW.form_project_id IS NULL) EXECUTE FUNCTION @extschema@.form_project('indicator');
CREATE TRIGGER form_project_update BEFORE UPDATE OF evaluation_id ON @extschema@.indicator
FOR EACH ROW WHEN (NEW.evaluation_id IS DISTINCT FROM OLD.evaluation_id AND NEW.form_project_id IS NOT DISTINCT FROM OLD.form_project_id)
EXECUTE FUNCTION @extschema@.form_project('indicator');
CREATE TRIGGER form_project BEFORE INSERT ON @extschema@.read_finding
FOR EACH ROW WHEN (NEW.form_project_id IS NULL) EXECUTE FUNCTION @extschema@.form_project('read_finding');
CREATE TRIGGER form_project_update BEFORE UPDATE OF evaluation_id ON @extschema@.read_finding
FOR EACH ROW WHEN (NEW.evaluation_id IS DISTINCT FROM OLD.evaluation_id AND NEW.form_project_id IS NOT DISTINCT FROM OLD.form_project_id)
EXECUTE FUNCTION @extschema@.form_project('read_finding');

-- Who is who.  Roles are cluster-wide, so the extension creates none: these
-- tables name roles that exist (or will).  A role is a member of a unit when
-- it is a member (pg_has_role ... 'MEMBER') of a role listed for the unit;
-- with_subunits extends that to the units below.  A role is a reviewer when
-- it is a member of a role listed in reviewer.
CREATE TABLE @extschema@.unit_member (
    unit_id         bigint NOT NULL REFERENCES @extschema@.unit (unit_id) ON DELETE CASCADE,
    role_name       name NOT NULL,
    with_subunits   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (unit_id, role_name)
);
CREATE INDEX unit_member_role_idx ON @extschema@.unit_member (role_name);

CREATE TABLE @extschema@.reviewer (
    role_name       name PRIMARY KEY
);

COMMENT ON TABLE @extschema@.unit_member IS
'Which database roles (and their members) work for a unit: they see and change its forms; with_subunits also those of the units below it';
COMMENT ON TABLE @extschema@.reviewer IS
'Database roles whose members review: they see every form, approve and reopen';

-- The two questions row-level security asks.  SECURITY DEFINER so that they
-- can read the membership tables whatever the caller may see; the caller
-- passes its own CURRENT_USER (policies and views do), since inside a
-- SECURITY DEFINER function current_user is the owner.  A role that
-- bypasses row-level security (superuser, BYPASSRLS) is a reviewer.
-- On a Citus cluster the workflow trigger calls them on a worker, inside
-- the query on a shard of evaluation, where a query on a reference table
-- is a nested distributed query: they are allowed one
-- (citus.allow_nested_distributed_execution; they read reference tables
-- only, whose copy is on every node; without Citus the setting is an
-- unused placeholder).  So are unit_and_ancestors and
-- evaluation_check_budget_unit, which the trigger calls too.
CREATE FUNCTION @extschema@.is_reviewer(role_name name)
RETURNS boolean
LANGUAGE sql
STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET citus.allow_nested_distributed_execution = on
AS $$
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                   WHERE r.rolname = $1 AND (r.rolsuper OR r.rolbypassrls))
        OR EXISTS (SELECT 1
                   FROM @extschema@.reviewer v
                   JOIN pg_catalog.pg_roles r ON r.rolname = v.role_name
                   WHERE pg_catalog.pg_has_role($1, r.oid, 'MEMBER'))
$$;

-- A role may ask about itself, about a role it is a member of, and a
-- reviewer about anyone: which units another role works for is not everyone's
-- business.  Inside this function current_user is its owner; the role asking
-- is the session's (SET ROLE's role, else the session user), which no one
-- can set to a role they could not become.  A role that is not the session's
-- (inside another SECURITY DEFINER function) is answered only when the
-- session's role is a member of it.
CREATE FUNCTION @extschema@.member_units(role_name name)
RETURNS bigint[]
LANGUAGE plpgsql
STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET citus.allow_nested_distributed_execution = on
AS $$
DECLARE
    asking name := CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END;
    units bigint[];
BEGIN
    IF $1 IS DISTINCT FROM asking
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_roles r
                       WHERE r.rolname = $1 AND pg_catalog.pg_has_role(asking, r.oid, 'MEMBER'))
       AND NOT @extschema@.is_reviewer(asking) THEN
        RAISE EXCEPTION 'role % may not ask which units role % works for', asking, $1
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A role may ask about itself (pjeval.member_units(CURRENT_USER)) and the roles it is a member of; reviewers about anyone.';
    END IF;
    WITH RECURSIVE mine (unit_id, with_subunits) AS (
        SELECT m.unit_id, m.with_subunits
        FROM @extschema@.unit_member m
        JOIN pg_catalog.pg_roles r ON r.rolname = m.role_name
        WHERE pg_catalog.pg_has_role($1, r.oid, 'MEMBER')
        UNION
        SELECT u.unit_id, true
        FROM @extschema@.unit u
        JOIN mine ON u.parent_id = mine.unit_id AND mine.with_subunits
    )
    SELECT coalesce(pg_catalog.array_agg(DISTINCT mine.unit_id), '{}') INTO units FROM mine;
    RETURN units;
END
$$;

COMMENT ON FUNCTION @extschema@.is_reviewer(name) IS
'True when the role is a member of a role listed in pjeval.reviewer, or bypasses row-level security; call it with CURRENT_USER';
COMMENT ON FUNCTION @extschema@.member_units(name) IS
'The units whose forms the role may see and change (through pjeval.unit_member, with sub-units where with_subunits); call it with CURRENT_USER. A role may ask about itself and the roles it is a member of, a reviewer about anyone (42501 otherwise)';

-- The ids a role may see, of units, projects, monitoring reports or target
-- forms: NULL (all of them) for a reviewer.  SECURITY DEFINER, as
-- member_units; the projects, reports and target forms are reference tables
-- on a Citus cluster, read on the node (citus.allow_nested_distributed_execution,
-- as member_units).  For pjeval.visible, which asks it once per statement.
CREATE FUNCTION @extschema@.visible_ids(what text, role_name name)
RETURNS bigint[]
LANGUAGE plpgsql
STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET citus.allow_nested_distributed_execution = on
AS $$
DECLARE
    units bigint[];
BEGIN
    IF what IS NULL OR what NOT IN ('unit', 'project', 'monitoring', 'target') THEN
        RAISE EXCEPTION 'pjeval.visible(): what must be unit, project, monitoring or target, not %', coalesce(what, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF @extschema@.is_reviewer(role_name) THEN
        RETURN NULL;
    END IF;
    units := @extschema@.member_units(role_name);
    RETURN CASE what
        WHEN 'unit' THEN units
        WHEN 'project' THEN ARRAY(SELECT p.project_id FROM @extschema@.project p
                                  WHERE p.unit_id = ANY (units))
        WHEN 'monitoring' THEN ARRAY(SELECT m.monitoring_id FROM @extschema@.monitoring m
                                     JOIN @extschema@.project p ON p.project_id = m.project_id
                                     WHERE p.unit_id = ANY (units))
        ELSE ARRAY(SELECT t.target_id FROM @extschema@.target t
                   JOIN @extschema@.project p ON p.project_id = t.project_id
                   WHERE p.unit_id = ANY (units)) END;
END
$$;

REVOKE EXECUTE ON FUNCTION @extschema@.visible_ids(text, name) FROM PUBLIC;

COMMENT ON FUNCTION @extschema@.visible_ids(text, name) IS
'The ids of the units, projects, monitoring reports or target forms (what) the role may see, NULL for a reviewer (all); what pjeval.visible asks once per statement';

-- The test of every policy: may the role in effect see the row of this
-- unit, project, monitoring report or target form (what)?  A reviewer sees
-- every row, including those of no unit (id NULL), which are a reviewer's
-- alone; others see the ids visible_ids gives them.  C (visible.c): the
-- answer is asked once per statement and call, then each row is a binary
-- search, so a policy may call it row by row, on a Citus shard too.  Its
-- support function tells the planner how many rows pass: every one for a
-- reviewer, for others as many as id = ANY (their ids) would.
CREATE FUNCTION @extschema@.visible_support(internal)
RETURNS internal
LANGUAGE C STRICT
AS 'MODULE_PATHNAME', 'pj_visible_support';

CREATE FUNCTION @extschema@.visible(what text, id bigint)
RETURNS boolean
LANGUAGE C STABLE PARALLEL SAFE
SUPPORT @extschema@.visible_support
AS 'MODULE_PATHNAME', 'pj_visible';

COMMENT ON FUNCTION @extschema@.visible(text, bigint) IS
'True when the role in effect may see the row of this unit, project, monitoring report or target form (what: unit, project, monitoring, target): a reviewer every one (and the rows of no unit, id NULL), others those of the units they work for (pjeval.unit_member); asked once per statement, for the row-level security policies';

-- The WITH CHECK of the policies: visible(what, id), and where it is not,
-- PostgreSQL's refusal of the new row with the table named tbl.  On a Citus
-- cluster the check runs on a shard, which PostgreSQL's own message names
-- (indicator_102108); the policies pass their table's name.
CREATE FUNCTION @extschema@.may_write(tbl text, what text, id bigint)
RETURNS boolean
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pj_may_write';

COMMENT ON FUNCTION @extschema@.may_write(text, text, bigint) IS
'The WITH CHECK of the row-level security policies: true when pjeval.visible(what, id), else the error new row violates row-level security policy for table tbl (42501), naming the table, on a Citus shard too';

-- History: every INSERT, UPDATE and DELETE on the tables above, as whole rows
-- in jsonb.  It is written by a SECURITY DEFINER trigger, so no one needs (or
-- gets) the right to write it; rows are never changed or removed (see
-- history_append_only).  evaluation_id and unit_id are copied, not
-- referenced: the history of a deleted form stays, and stays visible to its
-- unit.
CREATE TABLE @extschema@.history (
    history_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name      text NOT NULL,
    operation       text NOT NULL
                    CONSTRAINT history_operation CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')),
    evaluation_id   bigint,
    unit_id         bigint,
    row_id          bigint,
    old_row         jsonb,
    new_row         jsonb,
    session_user_name name NOT NULL,
    current_user_name name NOT NULL,
    changed_at      timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    transaction_id  bigint NOT NULL
);
CREATE INDEX history_evaluation_idx ON @extschema@.history (evaluation_id, history_id);
CREATE INDEX history_unit_idx ON @extschema@.history (unit_id);

COMMENT ON TABLE @extschema@.history IS
'Every INSERT, UPDATE, DELETE (and TRUNCATE) on the pjeval form tables: the old and new row as jsonb, who (session_user, and the role in effect) and when. Append-only';
COMMENT ON COLUMN @extschema@.history.row_id IS 'The row''s own key (indicator_id, fund_line_id, ...), where it has a single one';
COMMENT ON COLUMN @extschema@.history.current_user_name IS 'The role in effect when the change was made: SET ROLE''s role, else the session user';

-- The history of the rows that belong to no form (units, projects, members,
-- reviewers, profiles, the monitoring reports) on a Citus cluster, where
-- history is distributed by evaluation_id and such a row has no shard
-- (docs/scaling.md): a table of the coordinator alone, written by the
-- trigger on the coordinator's copy of those reference tables, its ids from
-- history's sequence.  pjeval.distribute() moves the rows of no form here
-- from history; on one node it stays empty.  pjeval.history_all reads both.
CREATE TABLE @extschema@.history_admin (
    LIKE @extschema@.history INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    PRIMARY KEY (history_id)
);
ALTER TABLE @extschema@.history_admin
    ALTER COLUMN history_id SET DEFAULT pg_catalog.nextval('@extschema@.history_history_id_seq'::pg_catalog.regclass);
CREATE INDEX history_admin_unit_idx ON @extschema@.history_admin (unit_id);
CREATE INDEX history_admin_monitoring_idx ON @extschema@.history_admin (row_id, history_id) WHERE table_name = 'monitoring';

COMMENT ON TABLE @extschema@.history_admin IS
'On a Citus cluster, the history of the rows of no form (units, projects, members, reviewers, profiles, monitoring reports), kept on the coordinator; empty on one node. Append-only; pjeval.history_all reads it with pjeval.history';

-- All of the history, wherever it is kept.
CREATE VIEW @extschema@.history_all AS
SELECT h.history_id, h.table_name, h.operation, h.evaluation_id, h.unit_id, h.row_id, h.old_row, h.new_row,
       h.session_user_name, h.current_user_name, h.changed_at, h.transaction_id
FROM @extschema@.history h
UNION ALL
SELECT a.history_id, a.table_name, a.operation, a.evaluation_id, a.unit_id, a.row_id, a.old_row, a.new_row,
       a.session_user_name, a.current_user_name, a.changed_at, a.transaction_id
FROM @extschema@.history_admin a;

COMMENT ON VIEW @extschema@.history_all IS
'Every history row: pjeval.history and, on a Citus cluster, pjeval.history_admin (the rows of no form); what each role sees is what the tables'' row-level security shows it';

-- pg_dump and pg_restore set row_security = off and check_function_bodies =
-- off before they load data.  While both are off, and the session's role
-- (SET ROLE's role, else the session user) is a superuser or the extension's
-- owner, the triggers let rows in as they were dumped: an approved form's
-- rows, its timestamps, and no second copy of the history (the dumped history
-- is loaded with them).  Any role can set the two settings; only the role
-- check makes it a restore: a BYPASSRLS role that sets them is held to the
-- workflow and the history like everyone else.  is_superuser follows SET
-- ROLE and cannot be set.
CREATE FUNCTION @extschema@.restoring_dump()
RETURNS boolean
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN pg_catalog.current_setting('row_security') OPERATOR(pg_catalog.=) 'off'
                 AND pg_catalog.current_setting('check_function_bodies') OPERATOR(pg_catalog.=) 'off'
           THEN pg_catalog.current_setting('is_superuser') OPERATOR(pg_catalog.=) 'on'
                OR EXISTS (SELECT FROM pg_catalog.pg_extension x
                           WHERE x.extname OPERATOR(pg_catalog.=) 'pjeval'
                             AND pg_catalog.pg_has_role(CASE pg_catalog.current_setting('role')
                                                        WHEN 'none' THEN SESSION_USER
                                                        ELSE pg_catalog.current_setting('role')::name END,
                                                        x.extowner, 'USAGE'))
           ELSE false END
$$;

COMMENT ON FUNCTION @extschema@.restoring_dump() IS
'True while a dump is being loaded: row_security and check_function_bodies both off, as pg_dump and pg_restore set them, by a superuser or the extension''s owner. The workflow checks and the history stand aside';

-- One statement's rows at a time (statement-level triggers with transition
-- tables): a load of many rows writes its history with one INSERT, not one
-- trigger call per row.  The old and new rows of an UPDATE are paired in the
-- order the statement changed them, the order both transition tables keep.
-- The query is put together per table and operation (each trigger has only
-- its own transition tables), once per statement.
CREATE FUNCTION @extschema@.record_history()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- the table, as its trigger names it: on a Citus shard TG_TABLE_NAME is
    -- the shard's (indicator_102135), the argument the table's
    tbl CONSTANT text := TG_ARGV[0];
    acting name;
    src text;
    old_j text;
    new_j text;
    eval_id text;
    unit text;
    joins text := '';
    -- where the rows go: on one node pjeval.history.  On a Citus cluster
    -- (docs/scaling.md) the trigger fires on a shard, TG_TABLE_NAME is the
    -- shard's and the rows go to the shards on its node: a form's rows to the
    -- co-located shard of history (history_id then from this node's range,
    -- its group id in the top 16 bits: the shard has no identity), the
    -- rows of no form (units, projects, members, reviewers, profiles, the
    -- monitoring reports: reference tables, a copy on every node) to
    -- pjeval.history_admin on the coordinator, from the coordinator's copy.
    target text := '@extschema@.history';
    ids text := '';
    id_values text := '';
    node_group integer;
BEGIN
    -- Only for the tables it was made for (it runs as the owner).
    IF TG_TABLE_SCHEMA <> '@extschema@' OR TG_NARGS <> 1
       OR tbl NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile',
                      'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification',
                      'review', 'review_item',
                      'target', 'target_fund_line', 'target_indicator')
       OR TG_LEVEL <> 'STATEMENT' THEN
        RAISE EXCEPTION 'record_history() keeps the history of the pjeval tables only, not of %.% (%)', TG_TABLE_SCHEMA, TG_TABLE_NAME, tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF @extschema@.restoring_dump() THEN
        RETURN NULL;
    END IF;
    -- Inside this function current_user is the owner; the role in effect
    -- for the session is in the role setting.
    acting := CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END;
    IF TG_TABLE_NAME <> tbl AND to_regclass('pg_catalog.pg_dist_local_group') IS NOT NULL THEN
        EXECUTE 'SELECT groupid FROM pg_catalog.pg_dist_local_group' INTO node_group;
        IF tbl IN ('evaluation', 'fund_line', 'indicator', 'review', 'review_item') THEN
            target := @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'history');
            ids := 'history_id, ';
            id_values := format('(%s::bigint << 48) + nextval(%L::regclass), ', node_group, '@extschema@.history_history_id_seq');
        ELSIF node_group = 0 THEN
            target := '@extschema@.history_admin';
        ELSE
            RETURN NULL;
        END IF;
    END IF;

    CASE TG_OP
        WHEN 'INSERT' THEN
            src := 'new_rows t';
            old_j := 'NULL::jsonb';
            new_j := 'to_jsonb(t)';
        WHEN 'DELETE' THEN
            src := 'old_rows t';
            old_j := 'to_jsonb(t)';
            new_j := 'NULL::jsonb';
        ELSE
            src := '(SELECT o.old_j, t.*
                     FROM (SELECT row_number() OVER () AS n, to_jsonb(o) AS old_j FROM old_rows o) o
                     JOIN (SELECT row_number() OVER () AS n, to_jsonb(t) AS new_j, t.* FROM new_rows t) t ON t.n = o.n
                     ORDER BY t.n) t';
            old_j := 't.old_j';
            new_j := 't.new_j';
    END CASE;
    -- The form and the unit a row belongs to, looked up row by row in the
    -- statement's order (a lateral lookup keeps that order, and repeats of
    -- the same form are cached); a form deleted in this transaction (ON
    -- DELETE CASCADE) has its unit in its own history.  OFFSET 0 keeps each
    -- lookup an index probe per row: flattened into a join, it was planned as
    -- a hash join over every evaluation and project, so an import of 1,000
    -- forms into 10^6 read the whole evaluation table twice.
    CASE tbl
        WHEN 'evaluation' THEN
            eval_id := 't.evaluation_id';
            unit := 'p.unit_id';
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id FROM %s p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        WHEN 'fund_line', 'indicator', 'review', 'review_item' THEN
            eval_id := 't.evaluation_id';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN format('coalesce(p.unit_id, (SELECT h.unit_id FROM %s h
                                                    WHERE h.evaluation_id = t.evaluation_id AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))', target)
                         ELSE 'p.unit_id' END;
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM %s e
                                         JOIN %s p ON p.project_id = e.project_id
                                         WHERE e.evaluation_id = t.evaluation_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'evaluation'),
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        -- a monitoring report (62_monitoring.sql) has no evaluation_id; its
        -- rows find their unit through it, or once it is gone through its
        -- own history (history_monitoring_idx)
        WHEN 'monitoring' THEN
            eval_id := 'NULL::bigint';
            unit := 'p.unit_id';
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id FROM %s p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        WHEN 'monitoring_fund_line', 'monitoring_indicator' THEN
            eval_id := 'NULL::bigint';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN format('coalesce(p.unit_id, (SELECT h.unit_id FROM %s h
                                                    WHERE h.table_name = ''monitoring'' AND h.row_id = t.monitoring_id
                                                      AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))', target)
                         ELSE 'p.unit_id' END;
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM %s m
                                         JOIN %s p ON p.project_id = m.project_id
                                         WHERE m.monitoring_id = t.monitoring_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'monitoring'),
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        -- a target form (72_targets.sql) likewise
        WHEN 'target' THEN
            eval_id := 'NULL::bigint';
            unit := 'p.unit_id';
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id FROM %s p
                                         WHERE p.project_id = t.project_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        WHEN 'target_fund_line', 'target_indicator' THEN
            eval_id := 'NULL::bigint';
            unit := CASE WHEN TG_OP = 'DELETE'
                         THEN format('coalesce(p.unit_id, (SELECT h.unit_id FROM %s h
                                                    WHERE h.table_name = ''target'' AND h.row_id = t.target_id
                                                      AND h.unit_id IS NOT NULL
                                                    ORDER BY h.history_id DESC LIMIT 1))', target)
                         ELSE 'p.unit_id' END;
            joins := format('LEFT JOIN LATERAL (SELECT p.unit_id
                                         FROM %s x
                                         JOIN %s p ON p.project_id = x.project_id
                                         WHERE x.target_id = t.target_id OFFSET 0) p ON true',
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'target'),
                            @extschema@.colocated_shard(TG_TABLE_NAME, tbl, 'project'));
        WHEN 'reviewer', 'profile' THEN
            eval_id := 'NULL::bigint';
            unit := 'NULL::bigint';
        ELSE
            eval_id := 'NULL::bigint';
            unit := 't.unit_id';
    END CASE;

    EXECUTE format($q$
        INSERT INTO %s (%stable_name, operation, evaluation_id, unit_id, row_id,
                        old_row, new_row, session_user_name, current_user_name, transaction_id)
        SELECT %s$1, $2, %s, %s, %s, %s, %s, session_user, $3, pg_current_xact_id()::text::bigint
        FROM %s %s$q$,
        target, ids, id_values, eval_id, unit,
        CASE WHEN tbl IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator',
                                    'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification',
                                    'target', 'target_fund_line', 'target_indicator')
             THEN 't.' || tbl || '_id' ELSE 'NULL::bigint' END,
        old_j, new_j, src, joins)
    USING tbl, TG_OP, acting;
    RETURN NULL;
END
$$;

-- TRUNCATE removes rows without row triggers: keep them in the history first.
CREATE FUNCTION @extschema@.record_truncate()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tbl CONSTANT text := TG_ARGV[0];  -- the table (TG_TABLE_NAME may be a shard's)
BEGIN
    IF TG_TABLE_SCHEMA <> '@extschema@' OR TG_NARGS <> 1
       OR tbl NOT IN ('unit', 'project', 'evaluation', 'fund_line', 'indicator', 'unit_member', 'reviewer', 'profile',
                                'monitoring', 'monitoring_fund_line', 'monitoring_indicator', 'rectification',
                      'review', 'review_item',
                      'target', 'target_fund_line', 'target_indicator') THEN
        RAISE EXCEPTION 'record_truncate() keeps the history of the pjeval tables only, not of %.% (%)', TG_TABLE_SCHEMA, TG_TABLE_NAME, tbl
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format($q$
        INSERT INTO @extschema@.history (table_name, operation, evaluation_id, unit_id, row_id,
                                         old_row, session_user_name, current_user_name, transaction_id)
        SELECT %1$L, 'TRUNCATE', (to_jsonb(t) ->> 'evaluation_id')::bigint,
               CASE WHEN %1$L IN ('unit', 'project', 'unit_member', 'rectification') THEN (to_jsonb(t) ->> 'unit_id')::bigint END,
               (to_jsonb(t) ->> %2$L)::bigint, to_jsonb(t), session_user,
               CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END,
               pg_current_xact_id()::text::bigint
        FROM %3$s t$q$,
        tbl, tbl || '_id', TG_RELID::regclass);
    RETURN NULL;
END
$$;

CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.unit
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('unit');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.unit
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('unit');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.unit
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('unit');
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.project
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('project');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.project
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('project');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.project
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('project');
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.evaluation
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('evaluation');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.evaluation
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('evaluation');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.evaluation
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('evaluation');
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('fund_line');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.fund_line
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('fund_line');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('fund_line');
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('indicator');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.indicator
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('indicator');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('indicator');
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.unit_member
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('unit_member');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.unit_member
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('unit_member');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.unit_member
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('unit_member');
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.reviewer
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('reviewer');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.reviewer
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('reviewer');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.reviewer
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('reviewer');

-- Profiles a reviewer or administrator adds or changes (the built-in rows
-- come with the extension and change only with it).
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.profile
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('profile');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.profile
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('profile');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.profile
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('profile');

CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.unit
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('unit');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.project
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('project');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.evaluation
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('evaluation');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.fund_line
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('fund_line');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.indicator
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('indicator');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.unit_member
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('unit_member');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.reviewer
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('reviewer');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.profile
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('profile');

-- The history is append-only, for its owner too.
CREATE FUNCTION @extschema@.history_append_only()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'pjeval.history is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'To prune it on purpose, a superuser can ALTER TABLE pjeval.history DISABLE TRIGGER USER for the time it takes.';
END
$$;

CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON @extschema@.history
FOR EACH ROW EXECUTE FUNCTION @extschema@.history_append_only();
CREATE TRIGGER history_append_only_truncate BEFORE TRUNCATE ON @extschema@.history
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.history_append_only();
CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON @extschema@.history_admin
FOR EACH ROW EXECUTE FUNCTION @extschema@.history_append_only();
CREATE TRIGGER history_append_only_truncate BEFORE TRUNCATE ON @extschema@.history_admin
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.history_append_only();

-- Trigger functions are for the triggers above, not to be attached elsewhere
-- (a trigger fires without EXECUTE; CREATE TRIGGER needs it).
REVOKE EXECUTE ON FUNCTION @extschema@.unit_check_parent() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.record_history() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.record_truncate() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.history_append_only() FROM PUBLIC;

-- pg_dump keeps the rows of these tables (and where their keys stand): they
-- are the users' data, not the extension's.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.unit', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.project', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.evaluation', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.fund_line', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.indicator', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.read_finding', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.unit_member', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.reviewer', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.history', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.history_admin', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.unit_unit_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.project_project_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.evaluation_evaluation_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.fund_line_fund_line_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.indicator_indicator_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.history_history_id_seq', '');
