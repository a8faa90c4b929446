-- pjeval 0.2.0 -> 0.2.1 (ALTER EXTENSION pjeval UPDATE): the defects found by
-- an adversarial review (hostile stored values, hostile documents, one unit's
-- values breaking everyone's reports, workflow holes).  See CHANGELOG.md.
\echo Use "ALTER EXTENSION pjeval UPDATE TO '0.2.1'" to load this file. \quit
