-- 20_profile.sql - what varies by locality, as data: named scoring profiles.
--
-- The pure scoring functions take these knobs as arguments with the
-- central-2020 values as defaults (so they stay IMMUTABLE); views and the
-- profile_* helpers read them from here (STABLE).  Built-in rows ship with
-- the extension and are left out of pg_dump (CREATE EXTENSION recreates
-- them); a user's own profiles are dumped with the data.

-- The execution-rate caps of a profile (total_cap_below, total_cap) and the
-- total they leave: below total_cap_below[i] percent (the first that
-- applies; the bounds ascending, each band includes its lower bound) the
-- total is at most total_cap[i].  No cap for a NULL rate or no bands.
CREATE FUNCTION @extschema@.total_cap_valid(below pg_catalog.numeric[], cap pg_catalog.numeric[])
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT $1 IS NULL
        OR (pg_catalog.cardinality($1) = pg_catalog.cardinality($2) AND pg_catalog.cardinality($1) > 0
            AND pg_catalog.array_position($1, NULL) IS NULL AND pg_catalog.array_position($2, NULL) IS NULL
            AND $1 = (SELECT pg_catalog.array_agg(DISTINCT b ORDER BY b) FROM pg_catalog.unnest($1) b))
$$;

COMMENT ON FUNCTION @extschema@.total_cap_valid(pg_catalog.numeric[], pg_catalog.numeric[]) IS
'True when execution-rate caps are usable: none, or as many caps as bounds, no NULL, the bounds strictly ascending';

CREATE FUNCTION @extschema@.capped_total(total pg_catalog.numeric, execution_rate pg_catalog.numeric,
                                         below pg_catalog.numeric[], cap pg_catalog.numeric[])
RETURNS pg_catalog.numeric
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF total IS NULL OR execution_rate IS NULL OR below IS NULL THEN
        RETURN total;
    END IF;
    FOR i IN 1 .. pg_catalog.cardinality(below) LOOP
        IF execution_rate < below[i] THEN
            RETURN LEAST(total, pg_catalog.round(cap[i], 2));
        END IF;
    END LOOP;
    RETURN total;
END
$$;

COMMENT ON FUNCTION @extschema@.capped_total(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric[], pg_catalog.numeric[]) IS
'The total a profile''s execution-rate caps leave: below below[i] percent (the first that applies) at most cap[i]; the total itself where no cap applies or the rate is NULL';

CREATE TABLE @extschema@.profile (
    name                   text PRIMARY KEY
                           CHECK (name ~ '^[a-z0-9][a-z0-9_.-]*$'),
    description            text NOT NULL DEFAULT '',
    builtin                boolean NOT NULL DEFAULT false,
    -- level-1 weights; cost_weight is set where 成本指标 is its own level 1
    -- (财预〔2021〕101号), NULL where it sits under 产出指标
    execution_weight       numeric(6,2) NOT NULL DEFAULT 10 CHECK (execution_weight >= 0),
    output_weight          numeric(6,2) NOT NULL DEFAULT 50 CHECK (output_weight >= 0),
    benefit_weight         numeric(6,2) NOT NULL DEFAULT 30 CHECK (benefit_weight >= 0),
    satisfaction_weight    numeric(6,2) NOT NULL DEFAULT 10 CHECK (satisfaction_weight >= 0),
    cost_weight            numeric(6,2) CHECK (cost_weight >= 0),
    -- grade bands: 优 ≥ excellent, 良 ≥ good, 中 ≥ pass, else 差
    grade_excellent        numeric(5,2) NOT NULL DEFAULT 90,
    grade_good             numeric(5,2) NOT NULL DEFAULT 80,
    grade_pass             numeric(5,2) NOT NULL DEFAULT 60,
    -- qualitative bands as shares of the weight: 达成 [achieved, 1],
    -- 部分达成 [partial, achieved), 未达成 [0, partial)
    band_achieved          numeric(4,3) NOT NULL DEFAULT 0.80,
    band_partial           numeric(4,3) NOT NULL DEFAULT 0.60,
    -- a positive indicator at A/T ≥ this ratio must explain itself (广西: 1.30)
    over_achievement_ratio numeric(6,3) NOT NULL DEFAULT 1.30 CHECK (over_achievement_ratio > 1),
    -- a missed negative indicator: 'ratio' T/A, or 'linear' 1 - (A-T)/T
    negative_formula       text NOT NULL DEFAULT 'ratio'
                           CHECK (negative_formula IN ('ratio', 'linear')),
    -- an execution rate below this percentage is flagged
    low_execution_rate     numeric(5,2) NOT NULL DEFAULT 80 CHECK (low_execution_rate >= 0),
    -- in-year monitoring (docs/monitoring.md): 时间进度 on the 'month' (N/12)
    -- or 'day' basis; the light bands on v: red below yellow_from, yellow
    -- below green_from, green below blue_from (the fund light has no blue)
    monitor_time_basis     text NOT NULL DEFAULT 'month'
                           CHECK (monitor_time_basis IN ('month', 'day')),
    monitor_yellow_from    numeric(6,2) NOT NULL DEFAULT 60,
    monitor_green_from     numeric(6,2) NOT NULL DEFAULT 80,
    monitor_blue_from      numeric(6,2) NOT NULL DEFAULT 120,
    -- local rules (docs/scoring-rules.md, "Local profiles"): a positive
    -- indicator at A/T ≥ over_achievement_ratio loses this many points
    -- (floor 0; NULL: none, the national rule asks for an explanation only);
    -- the total is capped by the execution rate: below total_cap_below[i]
    -- percent (the first that applies, ascending) it is at most total_cap[i]
    over_achievement_deduction numeric(5,2) CHECK (over_achievement_deduction >= 0),
    total_cap_below        numeric[],
    total_cap              numeric[],
    -- 四川: an execution rate below this percentage needs a reason
    -- (evaluation.execution_reason, 未完成原因分析; NULL: none asked for);
    -- level1_split false: the indicators' 90 points are not split by level
    -- 1, so level-1 weights are not compared with the profile's
    execution_reason_below numeric(5,2) CHECK (execution_reason_below BETWEEN 0 AND 100),
    level1_split           boolean NOT NULL DEFAULT true,
    -- the target-quality check T2 (docs/targets.md): the lowest share (in %)
    -- of a target form's 年度 indicators with a number (NULL: unset, never
    -- flagged)
    target_quantified_share_min numeric(5,2)
                           CONSTRAINT profile_target_quantified_share_min_range
                           CHECK (target_quantified_share_min BETWEEN 0 AND 100),
    CONSTRAINT profile_total_cap CHECK ((total_cap_below IS NULL) = (total_cap IS NULL)
                                        AND @extschema@.total_cap_valid(total_cap_below, total_cap)),
    CONSTRAINT profile_monitor_bands CHECK (monitor_yellow_from >= 0 AND monitor_green_from >= monitor_yellow_from
                                            AND monitor_blue_from >= monitor_green_from),
    CHECK (execution_weight + output_weight + benefit_weight + satisfaction_weight
           + coalesce(cost_weight, 0) = 100),
    CHECK (grade_excellent > grade_good AND grade_good > grade_pass AND grade_pass >= 0),
    CHECK (band_achieved > band_partial AND band_partial > 0 AND band_achieved <= 1)
);

COMMENT ON TABLE @extschema@.profile IS
'Named scoring profiles: level-1 weights, grade and qualitative bands, over-achievement ratio and negative-indicator formula. central-2020 (财预〔2020〕10号) is the default.';

COMMENT ON COLUMN @extschema@.profile.target_quantified_share_min IS
'T2 of the target checks: the minimum share (in %, 0 to 100) of a target form''s 年度 indicators with a number (pjeval.target_quantified); NULL: unset, no finding';

INSERT INTO @extschema@.profile (name, description, builtin)
VALUES ('central-2020', '财政部《项目支出绩效评价管理办法》(财预〔2020〕10号): 执行率10, 产出50, 效益30, 满意度10; 优≥90 良≥80 中≥60', true);

-- Provincial variants (docs/scoring-rules.md, "Local profiles"): the 一体化
-- manual's total capped by the execution rate and 2 points off an
-- over-achieved indicator, with the national grade bands and with the
-- 80/70/60 bands of provincial systems.
INSERT INTO @extschema@.profile (name, description, builtin, grade_excellent, grade_good, grade_pass,
                                 over_achievement_deduction, total_cap_below, total_cap)
VALUES ('capped-2021', '一体化: 总分按执行率封顶 (<50% 59, <60% 69, <70% 79, <80% 89), 超额完成≥130%的指标减2分; 优≥90 良≥80 中≥60', true,
        90, 80, 60, 2, '{50,60,70,80}', '{59,69,79,89}'),
       ('capped-2021-80', '一体化 as capped-2021, with the grade bands 优≥80 良≥70 中≥60', true,
        80, 70, 60, 2, '{50,60,70,80}', '{59,69,79,89}');

-- 四川 (510000_0013zp 部门预算项目支出绩效自评表, 2023): 执行率 10, the
-- indicators 90 by their own weights with no level-1 split, and a reason
-- (未完成原因分析) for an execution rate below 90 %.
INSERT INTO @extschema@.profile (name, description, builtin, level1_split, execution_reason_below)
VALUES ('sichuan-2023', '四川: 执行率10, 指标90 (按指标分值, 不分一级指标), 执行率低于90%须说明未完成原因; 优≥90 良≥80 中≥60', true,
        false, 90);

-- The profile a form is scored by unless a reviewer chooses another (the
-- default of evaluation.profile; a unit member's form always has it).
CREATE FUNCTION @extschema@.default_profile()
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT 'central-2020'::text $$;

COMMENT ON FUNCTION @extschema@.default_profile() IS
'The profile a new form is scored by (central-2020); only a reviewer gives a form another one';

-- Built-in rows are part of the extension: change a copy, not the original.
-- A profile that a submitted or approved form (an evaluation or a monitoring
-- report, 62_monitoring.sql) is scored by is frozen too: changing it would
-- change the grades or lights of forms that are no longer drafts.
-- The forms that use it are locked (FOR SHARE) while this is checked, so
-- none can be submitted meanwhile.  SECURITY DEFINER: the check sees every
-- unit's forms, whatever the caller may see.
-- One exception: Citus copying the table's rows into a shard of it
-- (create_reference_table, a shard copied to a new node).  The copy runs on
-- a shard (TG_RELID is a copy of pjeval.profile, never pjeval.profile
-- itself) as the role that distributes the table, which must own it: so a
-- built-in row may be inserted into a table other than pjeval.profile by a
-- superuser or the extension's owner, who could disable the trigger anyway.
-- On one node nothing else reaches this trigger.
CREATE FUNCTION @extschema@.profile_protect()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
    f record;
BEGIN
    IF ((TG_OP = 'INSERT' AND NEW.builtin) OR (TG_OP <> 'INSERT' AND OLD.builtin))
       AND NOT (TG_OP = 'INSERT' AND TG_RELID OPERATOR(pg_catalog.<>) '@extschema@.profile'::pg_catalog.regclass
                AND (pg_catalog.current_setting('is_superuser') OPERATOR(pg_catalog.=) 'on'
                     OR EXISTS (SELECT FROM pg_catalog.pg_extension x
                                WHERE x.extname OPERATOR(pg_catalog.=) 'pjeval'
                                  AND pg_catalog.pg_has_role(CASE pg_catalog.current_setting('role')
                                                             WHEN 'none' THEN SESSION_USER
                                                             ELSE pg_catalog.current_setting('role')::name END,
                                                             x.extowner, 'USAGE')))) THEN
        RAISE EXCEPTION 'profile "%" is built in', coalesce(OLD.name, NEW.name)
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Copy it under a new name and change the copy: INSERT INTO pjeval.profile SELECT ... ';
    END IF;
    IF TG_OP <> 'INSERT' AND NOT @extschema@.restoring_dump() THEN
        -- the forms scored by it, locked; on a Citus cluster (the trigger
        -- fires on every node's copy of the profiles) those of the shards
        -- on this node, and the node's copy of the monitoring reports
        FOR f IN SELECT 'evaluation' AS form, 'evaluation_id' AS key,
                        @extschema@.colocated_shard(s, 'evaluation', 'evaluation') AS tbl
                 FROM @extschema@.local_shards('evaluation') s
                 UNION ALL
                 SELECT 'monitoring report', 'monitoring_id',
                        @extschema@.colocated_shard(TG_TABLE_NAME, 'profile', 'monitoring') LOOP
            EXECUTE pg_catalog.format($q$
                WITH locked AS MATERIALIZED (
                    SELECT f.%1$I AS id, f.status FROM %2$s f
                    WHERE f.profile OPERATOR(pg_catalog.=) $1
                    FOR SHARE OF f)
                SELECT l.id, l.status FROM locked l
                WHERE l.status OPERATOR(pg_catalog.<>) 'draft'
                ORDER BY l.id
                LIMIT 1$q$, f.key, f.tbl)
            INTO bad USING OLD.name;
            IF bad.id IS NOT NULL THEN
                RAISE EXCEPTION 'profile "%" scores % %, which is %: it cannot be changed or deleted', OLD.name, f.form, bad.id, bad.status
                    USING ERRCODE = 'object_not_in_prerequisite_state',
                          DETAIL = 'A profile that a submitted or approved form is scored by is frozen, so that the form''s grade stays as it was reviewed.',
                          HINT = format('Copy it under a new name and change the copy: INSERT INTO pjeval.profile SELECT ''%s-2'', ... FROM pjeval.profile WHERE name = %L; a reviewer then moves draft forms to it.', OLD.name, OLD.name);
            END IF;
        END LOOP;
    END IF;
    RETURN coalesce(NEW, OLD);
END
$$;

CREATE TRIGGER profile_protect
BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.profile
FOR EACH ROW EXECUTE FUNCTION @extschema@.profile_protect();
REVOKE EXECUTE ON FUNCTION @extschema@.profile_protect() FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.profile', 'WHERE NOT builtin');

GRANT SELECT ON @extschema@.profile TO PUBLIC;
