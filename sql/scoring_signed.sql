-- scoring_signed: targets and actuals below zero (growth and decline rates,
-- differences).  Met or not is decided on the signed values; a missed bound
-- B gives c = the smaller of |A| and |B| over the larger (for positive values
-- the table's A/T, T/A, A/a, b/A), 0 when B is 0, and 0 with the flag
-- opposite_sign when A lies on the other side of zero from B.  Where more is
-- better on magnitudes (≥T with T > 0, ≤T with T < 0) a met target's c is
-- |A|/|T|, uncapped, and over-achievement shows (scoring-rules.md §3).
--
-- Each case carries the score, completion and flags worked out by hand, with
-- the reason; ok must be t on every row.  Weight 10 throughout.
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE TEMP TABLE signed_cases (
    n          serial PRIMARY KEY,
    target     pjeval.indicator_value,
    actual     pjeval.indicator_value,
    category   text,
    formula    text,
    want       numeric,
    want_c     numeric,
    want_flags text[],
    why        text
);

INSERT INTO signed_cases (target, actual, category, formula, want, want_c, want_flags, why) VALUES
    -- the review's three cases
    ('≥-5%', '-10%', NULL, 'ratio', 5.00, 0.5, '{not_met}', 'a fall of 10% misses "at most 5%": 5/10'),
    ('-1-0', '-5', NULL, 'ratio', 2.00, 0.2, '{not_met}', 'below the range -1..0: 1/5'),
    ('-10', '-20', '成本指标', 'ratio', 10.00, 2, '{over_achieved}', 'cost: -20 ≤ -10 is met, twice the cut'),
    -- ≥T with T < 0: like ≤|T| on magnitudes
    ('≥-5%', '-3%', NULL, 'ratio', 10.00, 1, '{}', 'a smaller fall: met'),
    ('≥-5%', '-5%', NULL, 'ratio', 10.00, 1, '{}', 'at the bound: met'),
    ('≥-5%', '2%', NULL, 'ratio', 10.00, 1, '{}', 'growth: met'),
    ('>-5%', '-5%', NULL, 'ratio', 10.00, 1, '{not_met}', 'strict, at the bound: ratio 1, flagged'),
    ('≥-5%', '-6%', NULL, 'ratio', 8.33, 0.8333333333333333, '{not_met}', '5/6 = 0.8333…'),
    ('≥-5%', '-6%', NULL, 'linear', 8.00, 0.8, '{not_met}', 'linear: (2×5 - 6)/5'),
    ('≥-5%', '-12%', NULL, 'linear', 0.00, 0, '{not_met}', 'linear: (10 - 12)/5 < 0, floored'),
    -- ≤T with T < 0: like ≥|T| on magnitudes
    ('≤-3%', '-1%', NULL, 'ratio', 3.33, 0.3333333333333333, '{not_met}', 'cut 1% of 3%: 1/3'),
    ('≤-3%', '-1%', NULL, 'linear', 3.33, 0.3333333333333333, '{not_met}', 'linear is for |A| > |T| only'),
    ('≤-3%', '-3.6%', NULL, 'ratio', 10.00, 1.2, '{}', 'met, 1.2 < 1.30'),
    ('≤-3%', '-4%', NULL, 'ratio', 10.00, 1.3333333333333333, '{over_achieved}', 'met, 4/3 ≥ 1.30'),
    ('<-3%', '-3%', NULL, 'ratio', 10.00, 1, '{not_met}', 'strict, at the bound'),
    ('≤-3%', '0%', NULL, 'ratio', 0.00, 0, '{not_met}', 'no cut at all: 0/3'),
    ('≤-3%', '2%', NULL, 'ratio', 0.00, 0, '{not_met,opposite_sign}', 'a rise against a cut: nothing achieved'),
    -- a positive target missed by a negative actual
    ('≥5%', '-3%', NULL, 'ratio', 0.00, 0, '{not_met,opposite_sign}', 'a fall against growth: nothing achieved'),
    ('≤5', '-3', NULL, 'ratio', 10.00, 1, '{}', 'below a ceiling: met'),
    -- a bare target: the category decides
    ('-10', '-5', '成本指标', 'ratio', 5.00, 0.5, '{not_met}', 'cost: cut 5 of 10'),
    ('-10', '5', '成本指标', 'ratio', 0.00, 0, '{not_met,opposite_sign}', 'cost rose against a cut'),
    ('-10', '-20', '数量指标', 'ratio', 5.00, 0.5, '{not_met}', 'positive: -20 < -10, 10/20'),
    ('-10', '-5', '数量指标', 'ratio', 10.00, 1, '{}', 'positive: -5 ≥ -10'),
    -- target 0: met or not
    ('≥0', '-2', NULL, 'ratio', 0.00, 0, '{not_met}', '-2 < 0'),
    ('≥0', '0', NULL, 'ratio', 10.00, 1, '{}', '0 ≥ 0'),
    ('≤0', '-1', NULL, 'ratio', 10.00, 1, '{}', '-1 ≤ 0'),
    ('≤0', '1', NULL, 'ratio', 0.00, 0, '{not_met}', '1 > 0'),
    ('0', '-1', NULL, 'ratio', 0.00, 0, '{not_met}', 'zero target: -1 is not 0'),
    -- ranges: the bound missed, on magnitudes
    ('-1-0', '-0.5', NULL, 'ratio', 10.00, 1, '{}', 'inside'),
    ('-1-0', '0', NULL, 'ratio', 10.00, 1, '{}', 'at the upper bound'),
    ('-1-0', '3', NULL, 'ratio', 0.00, 0, '{not_met}', 'above a bound of 0: no ratio'),
    ('-2~3', '-4', NULL, 'ratio', 5.00, 0.5, '{not_met}', 'across zero, below -2: 2/4'),
    ('-2~3', '6', NULL, 'ratio', 5.00, 0.5, '{not_met}', 'across zero, above 3: 3/6'),
    ('-2~3', '0', NULL, 'ratio', 10.00, 1, '{}', 'inside'),
    ('-5~-2', '-10', NULL, 'ratio', 5.00, 0.5, '{not_met}', 'below -5: 5/10'),
    ('-5~-2', '-1', NULL, 'ratio', 5.00, 0.5, '{not_met}', 'above -2: 1/2'),
    ('-5~-2', '1', NULL, 'ratio', 0.00, 0, '{not_met,opposite_sign}', 'above, on the other side of zero'),
    ('2~5', '-1', NULL, 'ratio', 0.00, 0, '{not_met,opposite_sign}', 'below, on the other side of zero'),
    ('0~5', '-1', NULL, 'ratio', 0.00, 0, '{not_met}', 'below a bound of 0'),
    -- clauses: each on its own signs, then the mean
    ('a≥-5%，b≥5%', 'a-10%，b5%', NULL, 'ratio', 7.50, 0.75, '{not_met}', '(0.5 + 1)/2');

CREATE TEMP VIEW signed_checked AS
SELECT c.n, c.target, c.actual, c.category, c.formula, c.why,
       a.rule, a.completion, a.score, a.flags,
       a.score IS NOT DISTINCT FROM c.want
           AND pg_catalog.round(a.completion, 16) = c.want_c
           AND a.flags = c.want_flags
           AND pjeval.indicator_score(c.target, c.actual, 10, c.category, 1.30, c.formula) IS NOT DISTINCT FROM c.want
           AND pjeval.indicator_flags(c.target, c.actual, c.category) = c.want_flags AS ok
FROM signed_cases c
CROSS JOIN LATERAL pjeval.assess(c.target, c.actual, 10, c.category, 1.30, c.formula) a;

SELECT n, target, actual, category, formula, rule, pg_catalog.round(completion, 4) AS c, score, flags, ok, why
FROM signed_checked ORDER BY n;
SELECT count(*) AS cases, count(*) FILTER (WHERE NOT ok) AS failing FROM signed_checked;

-- what an auditor sees: signed base values, the completion, the flag
SELECT pjeval.explain('≥5%', '-3%', 10) -> 'parts' -> 0 ->> 'target' AS target,
       pjeval.explain('≥5%', '-3%', 10) -> 'parts' -> 0 ->> 'actual' AS actual,
       pjeval.explain('≥5%', '-3%', 10) -> 'parts' -> 0 ->> 'completion' AS completion,
       pjeval.explain('≥5%', '-3%', 10) ->> 'flags' AS flags;
-- completion() agrees with assess()
SELECT pjeval.completion('≥-5%', '-10%') AS c1, pjeval.completion('-1-0', '-5') AS c2,
       pjeval.completion('-10', '-20', '成本指标') AS c3;

DROP VIEW signed_checked;
DROP TABLE signed_cases;
