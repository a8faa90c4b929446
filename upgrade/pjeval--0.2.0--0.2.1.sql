-- pjeval 0.2.0 -> 0.2.1 (ALTER EXTENSION pjeval UPDATE): the defects found by
-- an adversarial review (hostile stored values, hostile documents, one unit's
-- values breaking everyone's reports, workflow holes).  See CHANGELOG.md.
\echo Use "ALTER EXTENSION pjeval UPDATE TO '0.2.1'" to load this file. \quit

-- values (issue 17 part 7): signed comparisons; the flag opposite_sign
COMMENT ON FUNCTION @extschema@.indicator_flags(@extschema@.indicator_value, @extschema@.indicator_value, pg_catalog.text, pg_catalog.numeric) IS
'The audit flags of an indicator, in a fixed order (not_met, over_achieved at A/T ≥ over_ratio, incomparable_units, qualitative_needs_band, actual_is_claim, missing_value, unmatched_clause, too_large, date_missed, opposite_sign: missed by an actual on the other side of zero, completion 0); {unreadable} for a NULL target or actual; {} when none. Numbers beyond exact arithmetic give too_large (and a NULL score), never an error';
