-- indicator_value_rejects: text the docs say must not read as a value.
--
-- docs/indicator-values.md: a value is [label] [comparison] number [unit],
-- labelled clauses are separated by ，,；;、, and a comma inside 1,821,100 is a
-- thousands separator; "text with digits that does not read as a value is an
-- error".  So a label may not be just comparison words, units or signs (that
-- hides a unit written before the number, or two comparisons that
-- contradict each other), and a malformed digit grouping is an error, not a
-- list of unlabelled numbers.  Every row must say reads = f.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;

SELECT s, try_indicator_value(s) IS NOT NULL AS reads, try_indicator_value(s) AS read_as
FROM unnest(ARRAY[
    -- comparison words doubled or contradicting each other
    '≥≥90%', '>>90%', '≤≥90%', '约约95%', '--95%', '以上95%',
    -- a unit written before the number
    '%95', '%%95', '元95', '万元95',
    -- digit groups that are not thousands
    '1,82,1100元', '1,821,10元', '1,821,1000元', '12,3456元', '1,2',
    -- already refused, kept so they stay refused
    '95%以上95%', '1,821,100,元', '2022年12月31日前后', '95‰%', '95元/', '10万-20'
]) WITH ORDINALITY AS t(s, n)
ORDER BY n;
