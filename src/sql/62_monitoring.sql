-- 62_monitoring.sql - in-year monitoring (绩效运行监控, "双监控";
-- docs/monitoring.md): the light functions, the monitoring report with its
-- fund lines and indicators, and pjeval.monitoring_result.
--
-- The rules are the C core's (src/core/monitor.c); the functions take the
-- profile's knobs as arguments with central-2020's values as defaults, so
-- they stay IMMUTABLE; the view reads the knobs from the report's profile.
-- The tables follow the self-evaluation's (40_schema.sql) and reuse its
-- machinery: the same row-level security test, the workflow triggers
-- (evaluation_workflow, form_row_workflow, set_form_status), the history
-- triggers and the indicator's generated typed values.  Lights are never stored: the view
-- computes them.  After 60_security.sql, whose functions it attaches.

-- 时间进度 and the lights

CREATE FUNCTION @extschema@.time_progress(year integer, month integer,
                                          basis pg_catalog.text DEFAULT 'month')
RETURNS pg_catalog.numeric
AS 'MODULE_PATHNAME', 'monitor_time_progress'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.time_progress(integer, integer, pg_catalog.text) IS
'时间进度 (序时进度) to the end of month N as a percentage, half-up to 2 places: basis ''month'' N/12 (7 → 58.33), ''day'' the days from 1月1日 to month N''s last day, both included, over 365 or 366 (2023, 7 → 212/365 = 58.08). A month outside 1-12 or a year outside 1-9999 raises 22008';

-- What the view needs of the funds in one call.
CREATE TYPE @extschema@.fund_status AS (
    light pg_catalog.text,
    fund_index pg_catalog.numeric,
    on_schedule pg_catalog.bool
);

COMMENT ON TYPE @extschema@.fund_status IS
'What fund_status() returns: the fund light, v = 执行率 / 时间进度 × 100 (2 places, for display) and 达到序时支出进度 (执行率 ≥ 时间进度); all NULL when the budget is 0';

CREATE FUNCTION @extschema@.fund_light(adjusted_budget pg_catalog.numeric, executed pg_catalog.numeric,
                                       month integer, year integer DEFAULT NULL,
                                       basis pg_catalog.text DEFAULT 'month',
                                       yellow_from pg_catalog.numeric DEFAULT 60,
                                       green_from pg_catalog.numeric DEFAULT 80)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'monitor_fund_light'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.fund_status(adjusted_budget pg_catalog.numeric, executed pg_catalog.numeric,
                                        month integer, year integer DEFAULT NULL,
                                        basis pg_catalog.text DEFAULT 'month',
                                        yellow_from pg_catalog.numeric DEFAULT 60,
                                        green_from pg_catalog.numeric DEFAULT 80)
RETURNS @extschema@.fund_status
AS 'MODULE_PATHNAME', 'monitor_fund_status'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.fund_light(pg_catalog.numeric, pg_catalog.numeric, integer, integer, pg_catalog.text, pg_catalog.numeric, pg_catalog.numeric) IS
'预算执行预警: v = (executed / adjusted_budget) / 时间进度 × 100, compared exactly: red below yellow_from (60), yellow below green_from (80), else green; NULL for a budget of 0 or a NULL amount or month. The day basis needs the year (22004)';
COMMENT ON FUNCTION @extschema@.fund_status(pg_catalog.numeric, pg_catalog.numeric, integer, integer, pg_catalog.text, pg_catalog.numeric, pg_catalog.numeric) IS
'fund_light() with v (2 places) and 达到序时支出进度 (执行率 ≥ 时间进度, exactly) in one call, for views';

CREATE FUNCTION @extschema@.indicator_light(target @extschema@.indicator_value,
                                            actual @extschema@.indicator_value,
                                            month integer,
                                            category pg_catalog.text DEFAULT NULL,
                                            accrual pg_catalog.text DEFAULT NULL,
                                            year integer DEFAULT NULL,
                                            yellow_from pg_catalog.numeric DEFAULT 60,
                                            green_from pg_catalog.numeric DEFAULT 80,
                                            blue_from pg_catalog.numeric DEFAULT 120)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'monitor_indicator_light'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.indicator_light(@extschema@.indicator_value, @extschema@.indicator_value, integer, pg_catalog.text, pg_catalog.text, integer, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric) IS
'目标执行预警 of one indicator at the end of month N: blue, green, yellow, red or NULL. Cumulative quantities (counts, measures, money with ≥ > = or bare) are pro-rated, v = A / (T × N/12) × 100; rates, frequencies, levels and accrual ''point'' (时点) are compared directly, v = A / T × 100; bands red < 60 ≤ yellow < 80 ≤ green < 120 ≤ blue. Reverse targets (≤ <, 成本 category) and a target of 0: green when met, else red. Ranges: inside green, else v = A/a or b/A. Dates: met or not yet due green, due and unmet red (year NULL: by month and day). 达成/部分达成/未达成 (目标…) give green/yellow/red, a text equal to the target green. Clauses: the worst. NULL for 不适用, no actual, incomparable units or a NULL target or actual';

-- The project light: the worst of its indicators' (red > yellow > green >
-- blue), NULLs skipped; an aggregate over worse_light.
CREATE FUNCTION @extschema@.worse_light(a pg_catalog.text, b pg_catalog.text)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'monitor_worse_light'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.project_light(pg_catalog.text) (
    SFUNC = @extschema@.worse_light,
    STYPE = pg_catalog.text,
    COMBINEFUNC = @extschema@.worse_light,
    PARALLEL = SAFE
);

CREATE FUNCTION @extschema@.dual_light(on_schedule pg_catalog.bool, stage_met pg_catalog.bool)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'monitor_dual_light'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.worse_light(pg_catalog.text, pg_catalog.text) IS
'The worse of two lights: red > yellow > green > blue (22023 for another word)';
COMMENT ON AGGREGATE @extschema@.project_light(pg_catalog.text) IS
'项目 目标执行预警: the worst of the indicator lights (red > yellow > green > blue), NULLs skipped; NULL when none has a light';
COMMENT ON FUNCTION @extschema@.dual_light(pg_catalog.bool, pg_catalog.bool) IS
'双监控 light from 达到序时支出进度 and 达到阶段性绩效目标: 否 and anything → red, 是 and 是 → green, 是 and 否 → yellow; NULL where an answer needed is NULL';

-- The words of the form: 偏差原因 (a set of the five standard causes),
-- 完成目标可能性, 原因类型 (合肥's seven reasons, by code).
CREATE TYPE @extschema@.deviation_cause AS ENUM ('经费保障', '制度保障', '人员保障', '硬件条件保障', '其他');
CREATE TYPE @extschema@.completion_likelihood AS ENUM ('确定能', '有可能', '完全不可能');

COMMENT ON TYPE @extschema@.deviation_cause IS
'偏差原因 of a monitoring indicator: 经费保障, 制度保障, 人员保障, 硬件条件保障, 其他 (a column holds a set of them)';
COMMENT ON TYPE @extschema@.completion_likelihood IS
'完成目标可能性: 确定能, 有可能, 完全不可能';

CREATE TABLE @extschema@.monitoring_reason (
    code            smallint PRIMARY KEY,
    label           text NOT NULL UNIQUE
);

INSERT INTO @extschema@.monitoring_reason (code, label) VALUES
    (1, '因政策调整影响项目实施或资金支付'),
    (2, '因疫情原因影响项目实施或资金支付'),
    (3, '因履行政府采购程序影响项目实施或资金支付'),
    (4, '因其他不可控因素影响项目实施或资金支付'),
    (5, '根据计划安排项目暂未实施'),
    (6, '根据合同约定资金暂未支付'),
    (7, '其他原因');

COMMENT ON TABLE @extschema@.monitoring_reason IS
'原因类型 of a monitoring report, the seven reasons for slow spending (合肥 practice), written 6-根据合同约定资金暂未支付';

-- One monitoring report (项目支出绩效目标执行监控表): a project's year to the
-- end of month N.  The key (project, year) finds its self-evaluation too.
CREATE TABLE @extschema@.monitoring (
    monitoring_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES @extschema@.project (project_id),
    year            integer NOT NULL
                    CONSTRAINT monitoring_year_range CHECK (year BETWEEN 2000 AND 2100),
    month           integer NOT NULL
                    CONSTRAINT monitoring_month_range CHECK (month BETWEEN 1 AND 12),
    profile         text NOT NULL DEFAULT @extschema@.default_profile()
                    REFERENCES @extschema@.profile (name) ON UPDATE CASCADE,
    budget_unit_id  bigint REFERENCES @extschema@.unit (unit_id),
    amount_unit     text NOT NULL DEFAULT '元'
                    CONSTRAINT monitoring_amount_unit CHECK (amount_unit IN ('元', '万元')),
    annual_goal     text,
    progress        text,
    declared_on_schedule boolean,
    declared_stage_met boolean,
    reason_type     smallint REFERENCES @extschema@.monitoring_reason (code),
    analysis        text,
    target_adjustment text,
    notes           text,
    status          text NOT NULL DEFAULT 'draft'
                    CONSTRAINT monitoring_status CHECK (status IN ('draft', 'submitted', 'approved')),
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    submitted_at    timestamptz,
    approved_at     timestamptz,
    approved_by     name,
    CONSTRAINT monitoring_project_period_key UNIQUE (project_id, year, month)
);
CREATE INDEX monitoring_year_month_idx ON @extschema@.monitoring (year, month);
CREATE INDEX monitoring_profile_idx ON @extschema@.monitoring (profile);
CREATE INDEX monitoring_budget_unit_idx ON @extschema@.monitoring (budget_unit_id);

COMMENT ON TABLE @extschema@.monitoring IS
'One 项目支出绩效目标执行监控表: a project''s year to the end of month N (监控期间 1-N月), scored by a profile; draft, submitted or approved';
COMMENT ON COLUMN @extschema@.monitoring.month IS '监控期间 1-N月: N';
COMMENT ON COLUMN @extschema@.monitoring.budget_unit_id IS '一级预算单位 (主管部门) as written on the form';
COMMENT ON COLUMN @extschema@.monitoring.amount_unit IS 'The unit of the fund amounts: 项目资金（元） or （万元）';
COMMENT ON COLUMN @extschema@.monitoring.annual_goal IS '年度总体目标: 年度目标, as written';
COMMENT ON COLUMN @extschema@.monitoring.progress IS '年度总体目标: 1-N月执行情况, as written';
COMMENT ON COLUMN @extschema@.monitoring.declared_on_schedule IS '是否达到序时支出进度 as declared (the view computes its own)';
COMMENT ON COLUMN @extschema@.monitoring.declared_stage_met IS '是否达到阶段性绩效目标 as declared (the view computes its own)';
COMMENT ON COLUMN @extschema@.monitoring.reason_type IS '原因类型: a code of pjeval.monitoring_reason';
COMMENT ON COLUMN @extschema@.monitoring.analysis IS '情况分析, as written';
COMMENT ON COLUMN @extschema@.monitoring.target_adjustment IS '绩效目标调整情况, as written';
COMMENT ON COLUMN @extschema@.monitoring.notes IS '备注, as written';
COMMENT ON COLUMN @extschema@.monitoring.status IS 'draft → submitted (pjeval.submit_monitoring) → approved (pjeval.approve_monitoring); pjeval.reopen_monitoring returns it to draft';

-- 资金执行情况: one row per source, as the self-evaluation's fund_line.
CREATE TABLE @extschema@.monitoring_fund_line (
    monitoring_fund_line_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    monitoring_id   bigint NOT NULL REFERENCES @extschema@.monitoring (monitoring_id) ON DELETE CASCADE,
    source          text NOT NULL REFERENCES @extschema@.standard_fund_source (source),
    label           text
                    CONSTRAINT monitoring_fund_line_label_only_other CHECK (source = 'other' OR label IS NULL)
                    CONSTRAINT monitoring_fund_line_label_not_blank CHECK (pg_catalog.btrim(label) <> ''),
    initial_budget  numeric NOT NULL DEFAULT 0
                    CONSTRAINT monitoring_fund_line_initial_budget_amount
                    CHECK (initial_budget >= 0 AND @extschema@.is_scorable_number(initial_budget)),
    added           numeric
                    CONSTRAINT monitoring_fund_line_added_amount
                    CHECK (added >= 0 AND @extschema@.is_scorable_number(added)),
    reduced         numeric
                    CONSTRAINT monitoring_fund_line_reduced_amount
                    CHECK (reduced >= 0 AND @extschema@.is_scorable_number(reduced)),
    adjusted_budget numeric NOT NULL DEFAULT 0
                    CONSTRAINT monitoring_fund_line_adjusted_budget_amount
                    CHECK (adjusted_budget >= 0 AND @extschema@.is_scorable_number(adjusted_budget)),
    executed        numeric NOT NULL DEFAULT 0
                    CONSTRAINT monitoring_fund_line_executed_amount
                    CHECK (executed >= 0 AND @extschema@.is_scorable_number(executed)),
    reported_rate   numeric
                    CONSTRAINT monitoring_fund_line_reported_rate_number
                    CHECK (reported_rate >= 0 AND @extschema@.is_scorable_number(reported_rate)),
    forecast        numeric
                    CONSTRAINT monitoring_fund_line_forecast_amount
                    CHECK (forecast >= 0 AND @extschema@.is_scorable_number(forecast))
);
CREATE UNIQUE INDEX monitoring_fund_line_source_key ON @extschema@.monitoring_fund_line (monitoring_id, source)
    WHERE source <> 'other';
CREATE UNIQUE INDEX monitoring_fund_line_other_key ON @extschema@.monitoring_fund_line (monitoring_id, (coalesce(label, '')))
    WHERE source = 'other';

COMMENT ON TABLE @extschema@.monitoring_fund_line IS
'资金执行情况 of a monitoring report, one row per source (pjeval.standard_fund_source; other sources by name); amounts in the report''s amount_unit';
COMMENT ON COLUMN @extschema@.monitoring_fund_line.initial_budget IS '年初预算数';
COMMENT ON COLUMN @extschema@.monitoring_fund_line.added IS '追加数 (NULL: not on the form)';
COMMENT ON COLUMN @extschema@.monitoring_fund_line.reduced IS '追减数 (NULL: not on the form)';
COMMENT ON COLUMN @extschema@.monitoring_fund_line.adjusted_budget IS '调整后预算数 (全年预算数): what 执行率 divides by';
COMMENT ON COLUMN @extschema@.monitoring_fund_line.executed IS '1-N月执行数';
COMMENT ON COLUMN @extschema@.monitoring_fund_line.reported_rate IS '1-N月执行率 (%) as written';
COMMENT ON COLUMN @extschema@.monitoring_fund_line.forecast IS '全年预计执行数';

-- 年度绩效指标 of a monitoring report: target, in-year actual and forecast
-- as written and as read (generated columns, as for pjeval.indicator).
CREATE TABLE @extschema@.monitoring_indicator (
    monitoring_indicator_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    monitoring_id   bigint NOT NULL REFERENCES @extschema@.monitoring (monitoring_id) ON DELETE CASCADE,
    position        integer NOT NULL
                    CONSTRAINT monitoring_indicator_position_positive CHECK (position >= 1),
    level1          text NOT NULL
                    CONSTRAINT monitoring_indicator_level1_not_blank CHECK (pg_catalog.btrim(level1) <> ''),
    level2          text NOT NULL
                    CONSTRAINT monitoring_indicator_level2_not_blank CHECK (pg_catalog.btrim(level2) <> ''),
    level3          text NOT NULL
                    CONSTRAINT monitoring_indicator_level3_not_blank CHECK (pg_catalog.btrim(level3) <> ''),
    target_text     text,
    actual_text     text,
    forecast_text   text,
    target          @extschema@.indicator_value
                    GENERATED ALWAYS AS (@extschema@.try_indicator_value(coalesce(target_text, ''))) STORED,
    actual          @extschema@.indicator_value
                    GENERATED ALWAYS AS (@extschema@.try_indicator_value(coalesce(actual_text, ''))) STORED,
    forecast        @extschema@.indicator_value
                    GENERATED ALWAYS AS (@extschema@.try_indicator_value(coalesce(forecast_text, ''))) STORED,
    accrual         text
                    CONSTRAINT monitoring_indicator_accrual CHECK (accrual IN ('cumulative', 'point')),
    deviation_causes @extschema@.deviation_cause[] NOT NULL DEFAULT '{}',
    deviation_note  text,
    likelihood      @extschema@.completion_likelihood,
    notes           text,
    CONSTRAINT monitoring_indicator_position_key UNIQUE (monitoring_id, position)
);

COMMENT ON TABLE @extschema@.monitoring_indicator IS
'年度绩效指标 of a monitoring report: levels, 年度指标值 (target), 1-N月实际完成值 (actual), 全年预计完成值 (forecast), 偏差原因, 完成目标可能性, 备注';
COMMENT ON COLUMN @extschema@.monitoring_indicator.target_text IS '年度指标值 exactly as written';
COMMENT ON COLUMN @extschema@.monitoring_indicator.actual_text IS '1-N月实际完成值 exactly as written (— or empty: no in-year actual)';
COMMENT ON COLUMN @extschema@.monitoring_indicator.forecast_text IS '全年预计完成值 exactly as written';
COMMENT ON COLUMN @extschema@.monitoring_indicator.accrual IS 'The target''s accrual where its unit does not tell: cumulative (累计, pro-rated) or point (时点, a stock compared directly); NULL goes by the unit';
COMMENT ON COLUMN @extschema@.monitoring_indicator.deviation_causes IS '偏差原因: the standard causes ticked';
COMMENT ON COLUMN @extschema@.monitoring_indicator.deviation_note IS '偏差原因: what the form writes beyond the standard causes';
COMMENT ON COLUMN @extschema@.monitoring_indicator.likelihood IS '完成目标可能性';

-- Row-level security: the self-evaluation's test (60_security.sql).
ALTER TABLE @extschema@.monitoring ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.monitoring_fund_line ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.monitoring_indicator ENABLE ROW LEVEL SECURITY;

CREATE POLICY monitoring_unit ON @extschema@.monitoring FOR ALL
    USING (@extschema@.visible('project', project_id))
    WITH CHECK (@extschema@.may_write('monitoring', 'project', project_id));

CREATE POLICY monitoring_fund_line_unit ON @extschema@.monitoring_fund_line FOR ALL
    USING (@extschema@.visible('monitoring', monitoring_id))
    WITH CHECK (@extschema@.may_write('monitoring_fund_line', 'monitoring', monitoring_id));

CREATE POLICY monitoring_indicator_unit ON @extschema@.monitoring_indicator FOR ALL
    USING (@extschema@.visible('monitoring', monitoring_id))
    WITH CHECK (@extschema@.may_write('monitoring_indicator', 'monitoring', monitoring_id));

-- The workflow: the self-evaluation's triggers, with the form's table as
-- their argument where they need it.
CREATE TRIGGER evaluation_workflow
BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.monitoring
FOR EACH ROW EXECUTE FUNCTION @extschema@.evaluation_workflow('monitoring');

CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.monitoring_fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring', 'monitoring_fund_line');
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.monitoring_fund_line
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring', 'monitoring_fund_line');
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.monitoring_fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring', 'monitoring_fund_line');
CREATE TRIGGER form_row_workflow
AFTER INSERT ON @extschema@.monitoring_indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring', 'monitoring_indicator');
CREATE TRIGGER form_row_workflow_update
BEFORE UPDATE ON @extschema@.monitoring_indicator
FOR EACH ROW EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring', 'monitoring_indicator');
CREATE TRIGGER form_row_workflow_delete
AFTER DELETE ON @extschema@.monitoring_indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.form_row_workflow('monitoring', 'monitoring_indicator');

CREATE FUNCTION @extschema@.submit_monitoring(monitoring_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_form_status('monitoring', $1, ARRAY['draft'], 'submitted', 'submitted')
$$;

CREATE FUNCTION @extschema@.approve_monitoring(monitoring_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_form_status('monitoring', $1, ARRAY['submitted'], 'approved', 'approved')
$$;

CREATE FUNCTION @extschema@.reopen_monitoring(monitoring_id bigint)
RETURNS text
LANGUAGE sql
VOLATILE STRICT
AS $$
    SELECT @extschema@.set_form_status('monitoring', $1, ARRAY['submitted', 'approved'], 'draft', 'reopened')
$$;

COMMENT ON FUNCTION @extschema@.submit_monitoring(bigint) IS
'Submits a draft monitoring report (draft → submitted); from then on it and its rows are read-only';
COMMENT ON FUNCTION @extschema@.approve_monitoring(bigint) IS
'Approves a submitted monitoring report (submitted → approved); reviewers only';
COMMENT ON FUNCTION @extschema@.reopen_monitoring(bigint) IS
'Returns a submitted or approved monitoring report to draft; reviewers only';

-- History: the self-evaluation's triggers (record_history knows these tables).
CREATE INDEX history_monitoring_idx ON @extschema@.history (row_id, history_id)
    WHERE table_name = 'monitoring';

CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.monitoring
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.monitoring
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.monitoring
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring');
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.monitoring_fund_line
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring_fund_line');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.monitoring_fund_line
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring_fund_line');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.monitoring_fund_line
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring_fund_line');
CREATE TRIGGER zz_history AFTER INSERT ON @extschema@.monitoring_indicator
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring_indicator');
CREATE TRIGGER zz_history_update AFTER UPDATE ON @extschema@.monitoring_indicator
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring_indicator');
CREATE TRIGGER zz_history_delete AFTER DELETE ON @extschema@.monitoring_indicator
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_history('monitoring_indicator');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.monitoring
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('monitoring');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.monitoring_fund_line
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('monitoring_fund_line');
CREATE TRIGGER zz_history_truncate BEFORE TRUNCATE ON @extschema@.monitoring_indicator
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_truncate('monitoring_indicator');

-- One row per report: the total row's money against time, the indicator
-- lights counted, and the lights computed from them, on the report's
-- profile.  Who sees what, as for evaluation_result (50_views.sql): the
-- view runs with the caller's rights (security_invoker), so the tables'
-- policies apply, and keeps the caller's units by the policies' test too.
CREATE VIEW @extschema@.monitoring_result WITH (security_invoker = true) AS
SELECT
    m.monitoring_id,
    m.project_id,
    p.code AS project_code,
    p.name AS project_name,
    p.unit_id,
    m.year,
    m.month,
    m.status,
    m.profile,
    f.adjusted_budget,
    f.executed,
    f.forecast,
    @extschema@.try_execution_rate(f.adjusted_budget, f.executed) AS execution_rate,
    @extschema@.time_progress(m.year, m.month, pr.monitor_time_basis) AS time_progress,
    fs.fund_index,
    fs.light AS fund_light,
    fs.on_schedule,
    m.declared_on_schedule,
    coalesce(il.red, 0) AS red,
    coalesce(il.yellow, 0) AS yellow,
    coalesce(il.green, 0) AS green,
    coalesce(il.blue, 0) AS blue,
    coalesce(il.unlit, 0) AS unlit,
    il.project_light,
    il.project_light IN ('green', 'blue') AS stage_met,
    m.declared_stage_met,
    @extschema@.dual_light(fs.on_schedule, il.project_light IN ('green', 'blue')) AS dual_light,
    @extschema@.dual_light(m.declared_on_schedule, m.declared_stage_met) AS declared_dual_light
FROM @extschema@.monitoring m
JOIN @extschema@.project p ON p.project_id = m.project_id
JOIN @extschema@.profile pr ON pr.name = m.profile
LEFT JOIN @extschema@.monitoring_fund_line f ON f.monitoring_id = m.monitoring_id AND f.source = 'total'
LEFT JOIN LATERAL @extschema@.fund_status(f.adjusted_budget, f.executed, m.month, m.year, pr.monitor_time_basis,
                                          pr.monitor_yellow_from, pr.monitor_green_from) fs ON true
LEFT JOIN LATERAL (
    SELECT pg_catalog.count(*) FILTER (WHERE l.light = 'red') AS red,
           pg_catalog.count(*) FILTER (WHERE l.light = 'yellow') AS yellow,
           pg_catalog.count(*) FILTER (WHERE l.light = 'green') AS green,
           pg_catalog.count(*) FILTER (WHERE l.light = 'blue') AS blue,
           pg_catalog.count(*) FILTER (WHERE l.light IS NULL) AS unlit,
           @extschema@.project_light(l.light) AS project_light
    FROM @extschema@.monitoring_indicator mi
    CROSS JOIN LATERAL (
        SELECT @extschema@.indicator_light(mi.target, mi.actual, m.month, mi.level2, mi.accrual, m.year,
                                           pr.monitor_yellow_from, pr.monitor_green_from, pr.monitor_blue_from) AS light
    ) l
    WHERE mi.monitoring_id = m.monitoring_id
) il ON true
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.monitoring_result IS
'One row per monitoring report: the total row''s 调整后预算数, 1-N月执行数 and 全年预计执行数, 执行率, 时间进度, v (fund_index) and the fund light, 达到序时支出进度 computed and declared, the indicator lights counted (unlit: no light), the project light, 达到阶段性绩效目标 computed (project light green or blue) and declared, and the 双监控 light on the computed and on the declared answers; on the report''s profile';

-- Daily use: PUBLIC reads (the policies decide what); writing is granted by
-- the administrator, as for the self-evaluation tables.
GRANT SELECT ON @extschema@.monitoring, @extschema@.monitoring_fund_line, @extschema@.monitoring_indicator,
                @extschema@.monitoring_reason, @extschema@.monitoring_result TO PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring_fund_line', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring_indicator', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring_monitoring_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring_fund_line_monitoring_fund_line_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring_indicator_monitoring_indicator_id_seq', '');

-- 监控报送及时性: the due date of each round (year, month N), and the
-- projects that had not submitted their report when it passed, as recorded
-- by pjeval.record_overdue_monitoring() (a pg_cron job: docs/monitoring.md).
-- Who expects a report: as monitoring_unit_summary's reports_missing, the
-- projects with a self-evaluation of the year, a report of an earlier month
-- of it, or a report for the round.
CREATE TABLE @extschema@.monitoring_due (
    year            integer NOT NULL
                    CONSTRAINT monitoring_due_year_range CHECK (year BETWEEN 2000 AND 2100),
    month           integer NOT NULL
                    CONSTRAINT monitoring_due_month_range CHECK (month BETWEEN 1 AND 12),
    due_date        date NOT NULL,
    PRIMARY KEY (year, month)
);

COMMENT ON TABLE @extschema@.monitoring_due IS
'报送截止日期: the date by which the reports of a round (year, 1-N月) are due; the administrator enters them';

CREATE TABLE @extschema@.monitoring_overdue (
    year            integer NOT NULL,
    month           integer NOT NULL,
    project_id      bigint NOT NULL REFERENCES @extschema@.project (project_id) ON DELETE CASCADE,
    unit_id         bigint NOT NULL REFERENCES @extschema@.unit (unit_id),
    due_date        date NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (year, month, project_id),
    FOREIGN KEY (year, month) REFERENCES @extschema@.monitoring_due (year, month) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX monitoring_overdue_unit_idx ON @extschema@.monitoring_overdue (unit_id, year, month);

COMMENT ON TABLE @extschema@.monitoring_overdue IS
'监控报送及时性: one row per project that was expected to report for a round and had no submitted or approved report when its due date passed (recorded by pjeval.record_overdue_monitoring, with the project''s unit then); kept when the report comes later';

ALTER TABLE @extschema@.monitoring_overdue ENABLE ROW LEVEL SECURITY;
CREATE POLICY monitoring_overdue_unit ON @extschema@.monitoring_overdue FOR ALL
    USING (@extschema@.visible('unit', unit_id))
    WITH CHECK (@extschema@.may_write('monitoring_overdue', 'unit', NULL));

-- Records, for every round whose due date is before as_of (the due day has
-- ended), the expected projects without a submitted or approved report;
-- rows already recorded stay as they are.  Returns the rows it added.  For
-- the extension's owner, who must see every project (as refresh_reports);
-- a pg_cron job runs it daily.
CREATE FUNCTION @extschema@.record_overdue_monitoring(as_of date DEFAULT CURRENT_DATE)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    n integer;
BEGIN
    IF NOT @extschema@.is_reviewer(current_user) THEN
        RAISE EXCEPTION 'the owner of pjeval, role %, does not see every project', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'The extension''s owner must be a superuser, bypass row-level security or be a reviewer (pjeval.reviewer).';
    END IF;
    -- (joins of grouped rows, no correlated sub-query: on a Citus cluster
    -- evaluation is distributed, and Citus plans none beside a reference
    -- table.)  A project is expected from month from_month of a year on: 1
    -- with a self-evaluation of the year, else its first report's month.
    INSERT INTO @extschema@.monitoring_overdue (year, month, project_id, unit_id, due_date)
    SELECT d.year, d.month, p.project_id, p.unit_id, d.due_date
    FROM (SELECT c.project_id, c.year, pg_catalog.min(c.from_month) AS from_month
          FROM (SELECT e.project_id, e.year, 1 AS from_month
                FROM @extschema@.evaluation e GROUP BY e.project_id, e.year
                UNION ALL
                SELECT m.project_id, m.year, pg_catalog.min(m.month)
                FROM @extschema@.monitoring m GROUP BY m.project_id, m.year) c
          GROUP BY c.project_id, c.year) x
    JOIN @extschema@.monitoring_due d ON d.year = x.year AND d.month >= x.from_month
    JOIN @extschema@.project p ON p.project_id = x.project_id
    LEFT JOIN (SELECT m.project_id, m.year, m.month
               FROM @extschema@.monitoring m WHERE m.status IN ('submitted', 'approved')
               GROUP BY m.project_id, m.year, m.month) done
      ON done.project_id = x.project_id AND done.year = d.year AND done.month = d.month
    WHERE d.due_date < as_of AND done.project_id IS NULL
    ORDER BY d.year, d.month, p.project_id
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$fn$;

COMMENT ON FUNCTION @extschema@.record_overdue_monitoring(date) IS
'监控报送及时性: records in pjeval.monitoring_overdue, for every round of pjeval.monitoring_due whose due date is before as_of (default today), the projects expected to report (a self-evaluation of the year, a report of an earlier month of it, or a draft for the round) that have no submitted or approved report; returns the rows added. For the extension''s owner; daily from pg_cron: SELECT cron.schedule(''pjeval-monitoring-due'', ''5 0 * * *'', ''SELECT pjeval.record_overdue_monitoring()'')';
REVOKE EXECUTE ON FUNCTION @extschema@.record_overdue_monitoring(date) FROM PUBLIC;

GRANT SELECT ON @extschema@.monitoring_due, @extschema@.monitoring_overdue TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring_due', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.monitoring_overdue', '');

-- Per unit and round (year, month N), for dashboards (performance-cycle
-- §3.4's roll-up): the reports and their money in 元, the project lights
-- counted, and the reports missing: projects of the unit with a
-- self-evaluation of that year or a report of an earlier month of it, but
-- no report for the round.  The rounds are those of the reports the caller
-- sees.  Who sees what, as for monitoring_result.
CREATE VIEW @extschema@.monitoring_unit_summary WITH (security_invoker = true) AS
WITH counted AS (
    SELECT r.unit_id, r.year, r.month,
           pg_catalog.count(*) AS projects,
           pg_catalog.sum(r.adjusted_budget * s.factor) AS adjusted_budget,
           pg_catalog.sum(r.executed * s.factor) AS executed,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'red') AS red,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'yellow') AS yellow,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'green') AS green,
           pg_catalog.count(*) FILTER (WHERE r.project_light = 'blue') AS blue,
           pg_catalog.count(*) FILTER (WHERE m.submitted_at::date > d.due_date) AS late
    FROM @extschema@.monitoring_result r
    JOIN @extschema@.monitoring m ON m.monitoring_id = r.monitoring_id
    LEFT JOIN @extschema@.monitoring_due d ON d.year = m.year AND d.month = m.month
    CROSS JOIN LATERAL (SELECT CASE m.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS factor) s
    GROUP BY r.unit_id, r.year, r.month
), missing AS (
    -- a project expected in a period (a self-evaluation of that year, or a
    -- report of an earlier month of it) without a report for it: joins and
    -- an anti-join, no sub-query per project (a cluster refuses those over
    -- reference tables, and their cost estimate put small databases
    -- through JIT compilation)
    SELECT p.unit_id, x.year, x.month, pg_catalog.count(*) AS reports_missing
    FROM (SELECT e.project_id, rd.year, rd.month
          FROM (SELECT DISTINCT m.year, m.month FROM @extschema@.monitoring m) rd
          JOIN @extschema@.evaluation e ON e.year = rd.year
          UNION
          SELECT m.project_id, rd.year, rd.month
          FROM (SELECT DISTINCT m.year, m.month FROM @extschema@.monitoring m) rd
          JOIN @extschema@.monitoring m ON m.year = rd.year AND m.month < rd.month) x
    JOIN @extschema@.project p ON p.project_id = x.project_id
    LEFT JOIN @extschema@.monitoring m ON m.project_id = x.project_id AND m.year = x.year AND m.month = x.month
    WHERE m.monitoring_id IS NULL
    GROUP BY p.unit_id, x.year, x.month
)
SELECT unit_id,
       u.name AS unit_name,
       year,
       month,
       coalesce(c.projects, 0) AS projects,
       c.adjusted_budget,
       c.executed,
       coalesce(c.red, 0) AS red,
       coalesce(c.yellow, 0) AS yellow,
       coalesce(c.green, 0) AS green,
       coalesce(c.blue, 0) AS blue,
       coalesce(x.reports_missing, 0) AS reports_missing,
       d.due_date,
       coalesce(c.late, 0) AS reports_late,
       coalesce(o.overdue, 0) AS reports_overdue
FROM counted c
FULL JOIN missing x USING (unit_id, year, month)
LEFT JOIN @extschema@.unit u USING (unit_id)
LEFT JOIN @extschema@.monitoring_due d USING (year, month)
LEFT JOIN (SELECT od.unit_id, od.year, od.month, pg_catalog.count(*) AS overdue
           FROM @extschema@.monitoring_overdue od
           GROUP BY od.unit_id, od.year, od.month) o USING (unit_id, year, month)
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.monitoring_unit_summary IS
'Per unit, year and period (month N): the monitoring reports (projects), the total rows'' 调整后预算数 and 1-N月执行数 summed in 元, the project lights counted (red, yellow, green, blue), reports_missing: the unit''s projects with a self-evaluation of that year or a report of an earlier month of it but none for this period; due_date (pjeval.monitoring_due), reports_late: reports submitted after the due date (by their last submission), reports_overdue: projects recorded in pjeval.monitoring_overdue, without a submitted report when the due date passed';

-- The monitoring consistency findings (performance-cycle §4) that need only
-- the report: their codes (scope monitor) and messages are rows of
-- finding_catalogue and finding_message, whose arguments are
--   monitoring            1 项目编号, 2 项目名称, 3 year, 4 month N, 5 调整后预算数,
--                         6 1-N月执行数, 7 全年预计执行数, 8 执行率, 9 时间进度,
--                         10 v, 11 the declared 是否达到序时支出进度 (是/否)
--   monitoring_indicator  1 三级指标, 2 年度指标值, 3 1-N月实际完成值,
--                         4 全年预计完成值, 5 the indicator light, 6 完成目标可能性,
--                         7 month N; for the year-end checks (M4) also 8 the
--                         self-evaluation's 实际完成值, 9 its year
--   monitoring (M4 only)  12 the self-evaluation's 全年预算数, 13 its 全年执行数,
--                         14 全年预计执行数 (all in 元), 15 the difference as a
--                         percentage of 全年预算数, 16 the tolerance (10)
--   monitoring (M8, M9)   17 年初预算数, 18 追加数, 19 追减数 (the report's total
--                         row), 20 the month of the report before, 21 its
--                         1-N月执行数, 22 this one's (both in 元)
INSERT INTO @extschema@.finding_catalogue (code, scope, severity, description_zh, description_en) VALUES
    ('fund_red_unexplained', 'monitor', 'warning', '预算执行红灯，预计全年执行完毕却未填写原因类型和情况分析', 'the fund light is red and the whole budget is forecast to be spent, with neither a 原因类型 nor a 情况分析'),
    ('impossible_unexplained', 'monitor', 'warning', '完成目标可能性为“完全不可能”却未填写偏差原因', 'the target is 完全不可能 (cannot be met), with no 偏差原因'),
    ('certain_under_red', 'monitor', 'warning', '指标红灯，完成目标可能性却为“确定能”', 'the indicator light is red, yet the target is 确定能 (certain to be met)'),
    ('schedule_declared_wrong', 'monitor', 'error', '填报的“是否达到序时支出进度”与执行率和时间进度不符', 'the declared 是否达到序时支出进度 contradicts the execution rate against 时间进度'),
    ('year_end_execution_off_forecast', 'monitor', 'warning', '年度自评全年执行数与最后一次已审核监控的全年预计执行数相差超过预算的10%', 'the year-end 全年执行数 is more than 10 % of the budget away from the last approved monitoring forecast'),
    ('year_end_met_against_forecast', 'monitor', 'warning', '监控预计不能完成，年度自评却报告完成且未说明原因', 'the last approved monitoring report forecast a miss, yet the self-evaluation reports the target met with no explanation'),
    ('year_end_missed_against_forecast', 'monitor', 'warning', '监控预计“确定能”完成，年度自评却报告未完成', 'the last approved monitoring report was 确定能, yet the self-evaluation reports the target missed'),
    ('stage_declared_wrong', 'monitor', 'warning', '填报达到阶段性绩效目标，项目目标执行预警却为红灯或黄灯', 'declared 是否达到阶段性绩效目标 = 是 while the project light is red or yellow'),
    ('light_unexplained', 'monitor', 'warning', '指标为红灯或黄灯却未填写偏差原因', 'a red or yellow indicator with no 偏差原因'),
    ('behind_schedule_unexplained', 'monitor', 'warning', '填报未达到序时支出进度却未选择原因类型', 'declared behind 序时进度 with no 原因类型'),
    ('adjusted_budget_mismatch', 'monitor', 'error', '调整后预算数不等于年初预算数加追加数减追减数', 'the adjusted budget is not 年初预算数 + 追加数 − 追减数'),
    ('executed_above_adjusted', 'monitor', 'warning', '1-N月执行数超过调整后预算数', 'more was executed in months 1-N than the adjusted budget'),
    ('forecast_below_executed', 'monitor', 'error', '全年预计执行数小于1-N月已执行数', 'the forecast for the year is below what months 1-N already executed'),
    ('executed_decreased', 'monitor', 'error', '1-N月执行数小于上一期监控的执行数（执行数应累计）', 'less executed by month N than the report of an earlier month says (execution is cumulative)');

INSERT INTO @extschema@.finding_message (code, place, message_zh, message_en) VALUES
    ('fund_red_unexplained', 'monitoring', '1-%4$s月执行率 %8$s%% 仅为时间进度 %9$s%% 的 %10$s%%（红灯），全年预计执行数 %7$s 不低于调整后预算数 %5$s，却未填写原因类型和情况分析', 'months 1-%4$s: the execution rate %8$s%% is %10$s%% of 时间进度 %9$s%% (red), yet the forecast %7$s is not below the budget %5$s and neither 原因类型 nor 情况分析 is given'),
    ('schedule_declared_wrong', 'monitoring', '填报是否达到序时支出进度为“%11$s”，而 1-%4$s月执行率 %8$s%% 与时间进度 %9$s%% 相比结论相反', 'declared 是否达到序时支出进度 %11$s, but the execution rate of months 1-%4$s, %8$s%% against 时间进度 %9$s%%, says the opposite'),
    ('impossible_unexplained', 'monitoring_indicator', '“%1$s”完成目标可能性为“%6$s”（目标 %2$s，1-%7$s月实际 %3$s，全年预计 %4$s），未填写偏差原因', '"%1$s" is %6$s (target %2$s, actual of months 1-%7$s %3$s, forecast %4$s) with no 偏差原因'),
    ('certain_under_red', 'monitoring_indicator', '“%1$s”为红灯（目标 %2$s，1-%7$s月实际 %3$s），完成目标可能性却为“%6$s”', '"%1$s" is red (target %2$s, actual of months 1-%7$s %3$s), yet marked %6$s'),
    ('year_end_execution_off_forecast', 'monitoring', '%3$s年度自评全年执行数 %13$s 元与 1-%4$s月监控的全年预计执行数 %14$s 元相差全年预算数 %12$s 元的 %15$s%%，超过 %16$s%%', 'the %3$s self-evaluation''s 全年执行数 %13$s 元 differs from the forecast %14$s 元 of the 1-%4$s月 monitoring report by %15$s%% of the budget %12$s 元, more than %16$s%%'),
    ('year_end_met_against_forecast', 'monitoring_indicator', '“%1$s”1-%7$s月监控预计全年 %4$s（%6$s，目标 %2$s），%9$s年度自评实际 %8$s 已完成，未说明原因', '"%1$s": the 1-%7$s月 monitoring report forecast %4$s (%6$s, target %2$s), yet the %9$s self-evaluation reports %8$s, met, with no explanation'),
    ('year_end_missed_against_forecast', 'monitoring_indicator', '“%1$s”1-%7$s月监控为“%6$s”、预计全年 %4$s（目标 %2$s），%9$s年度自评实际 %8$s 未完成', '"%1$s": the 1-%7$s月 monitoring report was %6$s with a forecast of %4$s (target %2$s), yet the %9$s self-evaluation reports %8$s, missed'),
    ('stage_declared_wrong', 'monitoring', '填报是否达到阶段性绩效目标为“是”，1-%4$s月项目目标执行预警却为%23$s', 'declared 是否达到阶段性绩效目标 是, yet the project light of months 1-%4$s is %23$s'),
    ('light_unexplained', 'monitoring_indicator', '“%1$s”1-%7$s月为%5$s（目标 %2$s，实际 %3$s），未填写偏差原因', '"%1$s" is %5$s in months 1-%7$s (target %2$s, actual %3$s) with no 偏差原因'),
    ('behind_schedule_unexplained', 'monitoring', '填报未达到序时支出进度（1-%4$s月执行率 %8$s%%，时间进度 %9$s%%），未选择原因类型', 'declared behind 序时进度 (months 1-%4$s: %8$s%% against %9$s%%) with no 原因类型'),
    ('adjusted_budget_mismatch', 'monitoring', '调整后预算数 %5$s 不等于年初预算数 %17$s + 追加数 %18$s − 追减数 %19$s', 'the adjusted budget %5$s is not 年初预算数 %17$s + 追加数 %18$s − 追减数 %19$s'),
    ('executed_above_adjusted', 'monitoring', '1-%4$s月执行数 %6$s 超过调整后预算数 %5$s', 'months 1-%4$s executed %6$s, more than the adjusted budget %5$s'),
    ('forecast_below_executed', 'monitoring', '全年预计执行数 %7$s 小于 1-%4$s月已执行数 %6$s', 'the forecast %7$s is below the %6$s months 1-%4$s already executed'),
    ('executed_decreased', 'monitoring', '1-%4$s月执行数 %22$s 元小于 1-%20$s月监控的执行数 %21$s 元', 'months 1-%4$s executed %22$s 元, less than the %21$s 元 of the 1-%20$s月 report');

-- One row per finding on a report the caller may see: report, indicator
-- position (NULL for the report), code, severity and the messages.
CREATE VIEW @extschema@.monitoring_finding WITH (security_invoker = true) AS
SELECT r.monitoring_id,
       NULL::integer AS position,
       f.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args) AS message_zh,
       pg_catalog.format(fm.message_en, VARIADIC a.args) AS message_en
FROM @extschema@.monitoring_result r
JOIN @extschema@.monitoring m ON m.monitoring_id = r.monitoring_id
LEFT JOIN @extschema@.monitoring_fund_line tf ON tf.monitoring_id = m.monitoring_id AND tf.source = 'total'
-- the report of the period before (M9), both amounts in 元
LEFT JOIN LATERAL (
    SELECT pm.month AS month,
           pf.executed * CASE pm.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS executed
    FROM @extschema@.monitoring pm
    JOIN @extschema@.monitoring_fund_line pf ON pf.monitoring_id = pm.monitoring_id AND pf.source = 'total'
    WHERE pm.project_id = m.project_id AND pm.year = m.year AND pm.month < m.month
    ORDER BY pm.month DESC
    LIMIT 1
) pv ON true
CROSS JOIN LATERAL (SELECT tf.executed * CASE m.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS executed) ty
CROSS JOIN LATERAL (VALUES
    (CASE WHEN r.fund_light = 'red' AND r.forecast >= r.adjusted_budget
               AND m.reason_type IS NULL AND pg_catalog.btrim(coalesce(m.analysis, '')) = ''
          THEN 'fund_red_unexplained' END),
    (CASE WHEN r.declared_on_schedule <> r.on_schedule THEN 'schedule_declared_wrong' END),
    -- M6-M9 [pjeval]
    (CASE WHEN m.declared_stage_met AND r.project_light IN ('red', 'yellow') THEN 'stage_declared_wrong' END),
    (CASE WHEN NOT m.declared_on_schedule AND m.reason_type IS NULL THEN 'behind_schedule_unexplained' END),
    -- (only where the form has 追加数 or 追减数: without them 调整后 may differ)
    (CASE WHEN tf.added IS NOT NULL OR tf.reduced IS NOT NULL THEN
          CASE WHEN tf.adjusted_budget <> tf.initial_budget + coalesce(tf.added, 0) - coalesce(tf.reduced, 0)
               THEN 'adjusted_budget_mismatch' END END),
    (CASE WHEN tf.executed > tf.adjusted_budget THEN 'executed_above_adjusted' END),
    (CASE WHEN tf.forecast < tf.executed THEN 'forecast_below_executed' END),
    (CASE WHEN pv.executed > ty.executed THEN 'executed_decreased' END)
) f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message fm ON fm.code = f.code AND fm.place = 'monitoring'
CROSS JOIN LATERAL (
    SELECT ARRAY[r.project_code, r.project_name, r.year::text, r.month::text, r.adjusted_budget::text,
                 r.executed::text, r.forecast::text, r.execution_rate::text, r.time_progress::text,
                 r.fund_index::text, CASE WHEN r.declared_on_schedule THEN '是' ELSE '否' END,
                 NULL, NULL, NULL, NULL, NULL,
                 tf.initial_budget::text, coalesce(tf.added, 0)::text, coalesce(tf.reduced, 0)::text,
                 pv.month::text, pv.executed::text, ty.executed::text,
                 CASE r.project_light WHEN 'red' THEN '红灯' WHEN 'yellow' THEN '黄灯' END] AS args
) a
UNION ALL
SELECT m.monitoring_id,
       mi.position,
       f.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC a.args),
       pg_catalog.format(fm.message_en, VARIADIC a.args)
FROM @extschema@.monitoring m
JOIN @extschema@.project p ON p.project_id = m.project_id
JOIN @extschema@.profile pr ON pr.name = m.profile
JOIN @extschema@.monitoring_indicator mi ON mi.monitoring_id = m.monitoring_id
CROSS JOIN LATERAL (
    SELECT @extschema@.indicator_light(mi.target, mi.actual, m.month, mi.level2, mi.accrual, m.year,
                                       pr.monitor_yellow_from, pr.monitor_green_from, pr.monitor_blue_from) AS light
) l
CROSS JOIN LATERAL (VALUES
    (CASE WHEN mi.likelihood = '完全不可能' AND pg_catalog.cardinality(mi.deviation_causes) = 0
               AND pg_catalog.btrim(coalesce(mi.deviation_note, '')) = ''
          THEN 'impossible_unexplained' END),
    (CASE WHEN mi.likelihood = '确定能' AND l.light = 'red' THEN 'certain_under_red' END),
    (CASE WHEN l.light IN ('red', 'yellow') AND pg_catalog.cardinality(mi.deviation_causes) = 0
               AND pg_catalog.btrim(coalesce(mi.deviation_note, '')) = ''
          THEN 'light_unexplained' END)
) f (code)
JOIN @extschema@.finding_catalogue fc ON fc.code = f.code
JOIN @extschema@.finding_message fm ON fm.code = f.code AND fm.place = 'monitoring_indicator'
CROSS JOIN LATERAL (
    SELECT ARRAY[mi.level3, mi.target_text, mi.actual_text, mi.forecast_text,
                 CASE WHEN f.code = 'light_unexplained' THEN CASE l.light WHEN 'red' THEN '红灯' ELSE '黄灯' END ELSE l.light END,
                 mi.likelihood::text, m.month::text] AS args
) a
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[])
UNION ALL
-- M4, the year end: a project's self-evaluation against the forecast of the
-- year's last approved monitoring report (the highest month approved), on
-- that report.  Money: |全年执行数 − 全年预计执行数| > 10 % of 全年预算数 (the
-- total rows, in 元).  Indicators, matched by their level names
-- (indicator_level_name) and 三级指标 folded (NFKC, no white space): a
-- forecast short of target or 完全不可能, and the self-evaluation's actual
-- meeting its target with no 偏差原因; or 确定能 with a forecast meeting the
-- target, and the actual missing it.  Meeting a target is the indicator
-- light at month 12 with all bands at 100: v ≥ 100, a reverse or dated
-- target met, 达成.
SELECT y.monitoring_id,
       y.position,
       y.code,
       fc.severity,
       pg_catalog.format(fm.message_zh, VARIADIC y.args),
       pg_catalog.format(fm.message_en, VARIADIC y.args)
FROM (
    SELECT lm.monitoring_id, NULL::integer AS position, 'year_end_execution_off_forecast' AS code, 'monitoring' AS place,
           ARRAY[lm.project_code, lm.project_name, lm.year::text, lm.month::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                 pg_catalog.round(x.budget, 2)::text, pg_catalog.round(x.executed, 2)::text, pg_catalog.round(x.forecast, 2)::text,
                 pg_catalog.round(pg_catalog.abs(x.executed - x.forecast) * 100 / x.budget, 2)::text, '10'] AS args
    FROM (SELECT DISTINCT ON (m.project_id, m.year) m.*, p.code AS project_code, p.name AS project_name
          FROM @extschema@.monitoring m
          JOIN @extschema@.project p ON p.project_id = m.project_id
          WHERE m.status = 'approved'
          ORDER BY m.project_id, m.year, m.month DESC) lm
    JOIN @extschema@.evaluation e ON e.project_id = lm.project_id AND e.year = lm.year
    JOIN @extschema@.monitoring_fund_line mf ON mf.monitoring_id = lm.monitoring_id AND mf.source = 'total'
    JOIN @extschema@.fund_line ef ON ef.evaluation_id = e.evaluation_id AND ef.source = 'total'
    CROSS JOIN LATERAL (
        SELECT ef.annual_budget * CASE e.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS budget,
               ef.executed * CASE e.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS executed,
               mf.forecast * CASE lm.amount_unit WHEN '万元' THEN 10000 ELSE 1 END AS forecast
    ) x
    WHERE x.budget > 0 AND pg_catalog.abs(x.executed - x.forecast) * 100 > 10 * x.budget
    UNION ALL
    SELECT lm.monitoring_id, mi.position, c.code, 'monitoring_indicator',
           ARRAY[mi.level3, mi.target_text, mi.actual_text, mi.forecast_text, NULL, mi.likelihood::text, lm.month::text,
                 i.actual_text, lm.year::text]
    FROM (SELECT DISTINCT ON (m.project_id, m.year) m.*
          FROM @extschema@.monitoring m
          WHERE m.status = 'approved'
          ORDER BY m.project_id, m.year, m.month DESC) lm
    JOIN @extschema@.evaluation e ON e.project_id = lm.project_id AND e.year = lm.year
    JOIN @extschema@.monitoring_indicator mi ON mi.monitoring_id = lm.monitoring_id
    JOIN @extschema@.indicator i
      ON i.evaluation_id = e.evaluation_id
     AND i.level1_name = @extschema@.indicator_level_name(mi.level1)
     AND i.level2_name = @extschema@.indicator_level_name(mi.level2)
     AND pg_catalog.regexp_replace(pg_catalog.normalize(i.level3, 'NFKC'), '\s+', '', 'g')
         = pg_catalog.regexp_replace(pg_catalog.normalize(mi.level3, 'NFKC'), '\s+', '', 'g')
    CROSS JOIN LATERAL (
        SELECT @extschema@.indicator_light(mi.target, mi.forecast, 12, mi.level2, mi.accrual, lm.year, 100, 100, 100)
                   IN ('green', 'blue') AS forecast_met,
               @extschema@.indicator_light(i.target, i.actual, 12, i.level2, mi.accrual, lm.year, 100, 100, 100)
                   IN ('green', 'blue') AS actual_met
    ) met
    CROSS JOIN LATERAL (VALUES
        (CASE WHEN (mi.likelihood = '完全不可能' OR NOT met.forecast_met) AND met.actual_met
                   AND pg_catalog.btrim(coalesce(i.deviation_reason, '')) = ''
              THEN 'year_end_met_against_forecast' END),
        (CASE WHEN mi.likelihood = '确定能' AND met.forecast_met AND NOT met.actual_met
              THEN 'year_end_missed_against_forecast' END)
    ) c (code)
    WHERE c.code IS NOT NULL
) y
JOIN @extschema@.monitoring m ON m.monitoring_id = y.monitoring_id
JOIN @extschema@.project p ON p.project_id = m.project_id
JOIN @extschema@.finding_catalogue fc ON fc.code = y.code
JOIN @extschema@.finding_message fm ON fm.code = y.code AND fm.place = y.place
WHERE (SELECT @extschema@.is_reviewer(CURRENT_USER))
   OR p.unit_id = ANY ((SELECT @extschema@.member_units(CURRENT_USER))::bigint[]);

COMMENT ON VIEW @extschema@.monitoring_finding IS
'One row per monitoring consistency finding on a report the caller may see: report, indicator position (NULL for the whole report), code (pjeval.finding_code, scope monitor), severity and a message in Chinese and English: fund_red_unexplained (M1), impossible_unexplained (M2), certain_under_red (M3), schedule_declared_wrong (M5); against the year''s self-evaluation, on the last approved report (M4): year_end_execution_off_forecast, year_end_met_against_forecast, year_end_missed_against_forecast';

GRANT SELECT ON @extschema@.monitoring_unit_summary, @extschema@.monitoring_finding TO PUBLIC;

-- Reading the monitoring form's text (src/core/form.c's monitoring layout,
-- src/pg/monitor_form.c): the document's forms as jsonb, which
-- pjeval.import_monitoring() writes into rows.
CREATE FUNCTION @extschema@.read_monitoring_forms(document text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'read_monitoring_forms'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.read_monitoring_forms(text) IS
'Reads every 项目支出绩效目标执行监控表 of a tab-separated document into a jsonb array: per form its header, month (监控期间 1-N月), amount unit, goal and progress, the 执行情况分析 answers, notes, the line of each field (lines), funds[], indicators[] and findings[] (cells as written; amounts as numbers). A form that cannot be read raises 22P02 naming the form, the line and what was expected; forms that make a jsonb value over 256 MB raise 54000';
