-- scoring_baseline.sql - the scoring rules (scoring-rules.md §3) written in
-- PL/pgSQL over pjeval's accessors, the way a database developer would
-- without the C functions: kind(), clause_count(), clauses() (label,
-- comparison, number, base_value, base_upper, base_unit, dimension).
--
-- For bench/scoring_bench.sh only: the baseline that
-- pjeval.indicator_score(target, actual, weight, category) is measured
-- against.  It gives the same scores on the benchmark's data (the script
-- checks the sums and counts differing rows); it computes in numeric, so it
-- can differ from the exact rules where numeric division rounds before the
-- half-up rounding (e.g. ≥3 against 0.415 with weight 3: 0.41, not 0.42).
-- Flags are not computed: only the score.

CREATE SCHEMA IF NOT EXISTS bench;

-- Dates are yyyymmdd codes; compare at the coarser precision of the two
-- (a missing year or day means "any").
CREATE OR REPLACE FUNCTION bench.date_cmp(a numeric, b numeric)
RETURNS int
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    x bigint := a;
    y bigint := b;
BEGIN
    IF x / 10000 = 0 OR y / 10000 = 0 THEN
        x := x % 10000;
        y := y % 10000;
    END IF;
    IF x % 100 = 0 OR y % 100 = 0 THEN
        x := x / 100;
        y := y / 100;
    END IF;
    RETURN sign(x - y);
END
$$;

CREATE OR REPLACE FUNCTION bench.plpgsql_indicator_score(
    target pjeval.indicator_value, actual pjeval.indicator_value,
    weight numeric, category text)
RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    tkind text;
    akind text;
    t record;
    a record;
    tcount int;
    acount int;
    actual_labelled boolean;
    n int := 0;
    total numeric := 0;
    c numeric;
    tb numeric;
    ub numeric;
    ab numeric;
    f numeric;
    d int;
    met boolean;
BEGIN
    IF target IS NULL OR actual IS NULL OR weight IS NULL THEN
        RETURN NULL;
    END IF;
    tkind := pjeval.kind(target);
    akind := pjeval.kind(actual);
    -- 不适用: no part in scoring
    IF tkind = 'not_applicable' OR akind = 'not_applicable' THEN
        RETURN 0.00;
    END IF;
    IF tkind = 'empty' OR akind = 'empty' THEN
        RETURN NULL;
    END IF;
    -- qualitative: the same text is full weight, anything else is a person's
    IF tkind <> 'quantity' OR akind <> 'quantity' THEN
        IF tkind <> 'quantity' AND akind <> 'quantity' AND target::text = actual::text THEN
            RETURN round(weight, 2);
        END IF;
        RETURN NULL;
    END IF;

    tcount := pjeval.clause_count(target);
    acount := pjeval.clause_count(actual);
    SELECT bool_or(x.label IS NOT NULL) INTO actual_labelled FROM pjeval.clauses(actual) AS x;

    FOR t IN SELECT * FROM pjeval.clauses(target) LOOP
        -- the actual clause: the only one, else the same label, else the same position
        IF tcount = 1 AND acount = 1 THEN
            SELECT * INTO a FROM pjeval.clauses(actual);
        ELSE
            SELECT * INTO a FROM pjeval.clauses(actual) AS x
            WHERE x.label IS NOT DISTINCT FROM t.label
            ORDER BY x.position LIMIT 1;
            IF NOT FOUND THEN
                IF actual_labelled OR acount <> tcount THEN
                    RETURN NULL;        -- a clause without its actual
                END IF;
                SELECT * INTO a FROM pjeval.clauses(actual) AS x WHERE x.position = t.position;
            END IF;
        END IF;

        IF t.dimension = 'date' AND a.dimension = 'date' THEN
            -- a deadline: met or not; a missed one is the evaluator's
            d := bench.date_cmp(a.number, t.number);
            met := CASE t.comparison
                       WHEN '≥' THEN d >= 0
                       WHEN '>' THEN d > 0
                       WHEN '<' THEN d < 0
                       WHEN 'range' THEN d >= 0 AND bench.date_cmp(a.number, t.upper) <= 0
                       ELSE d <= 0
                   END;
            IF NOT met THEN
                RETURN NULL;
            END IF;
            c := 1;
        ELSE
            -- one unit for both: a bare number is in the other side's unit,
            -- and 0 < x <= 1 against a percentage is a fraction
            IF (t.dimension = 'none') <> (a.dimension = 'none') THEN
                IF t.dimension = 'date' OR a.dimension = 'date' THEN
                    RETURN NULL;
                END IF;
                IF t.dimension = 'none' THEN
                    f := CASE WHEN a.number = 0 THEN 1 ELSE a.base_value / a.number END;
                    tb := t.base_value * CASE WHEN a.dimension = 'ratio' AND t.base_value > 0
                                                   AND t.base_value <= 1 THEN 100 ELSE f END;
                    ub := t.base_upper * CASE WHEN a.dimension = 'ratio' AND t.base_upper > 0
                                                   AND t.base_upper <= 1 THEN 100 ELSE f END;
                    ab := a.base_value;
                ELSE
                    f := CASE WHEN t.number = 0 THEN 1 ELSE t.base_value / t.number END;
                    ab := a.base_value * CASE WHEN t.dimension = 'ratio' AND a.base_value > 0
                                                   AND a.base_value <= 1 THEN 100 ELSE f END;
                    tb := t.base_value;
                    ub := t.base_upper;
                END IF;
            ELSIF t.dimension = a.dimension AND t.base_unit IS NOT DISTINCT FROM a.base_unit THEN
                tb := t.base_value;
                ub := t.base_upper;
                ab := a.base_value;
            ELSE
                RETURN NULL;            -- units that cannot be compared
            END IF;
            ab := greatest(ab, 0);

            IF t.comparison = 'range' THEN
                c := CASE WHEN ab < tb THEN ab / tb WHEN ab > ub THEN ub / ab ELSE 1 END;
            ELSIF t.comparison = '=' AND tb = 0 THEN
                c := CASE WHEN ab = 0 THEN 1 ELSE 0 END;
            ELSIF t.comparison IN ('≥', '>')
                  OR (t.comparison NOT IN ('≤', '<') AND coalesce(category, '') NOT LIKE '%成本%') THEN
                c := CASE WHEN ab >= tb THEN 1 WHEN tb <= 0 THEN 0 ELSE ab / tb END;
            ELSE
                c := CASE WHEN ab <= tb THEN 1 WHEN tb <= 0 THEN 0 ELSE tb / ab END;
            END IF;
        END IF;
        total := total + least(c, 1);
        n := n + 1;
    END LOOP;
    RETURN round(weight * total / n, 2);
END
$$;
