-- 00_setup: install pjeval once for the whole suite (every later file uses it).
-- The extension lives in its own fixed schema and is not relocatable.
CREATE EXTENSION pjeval;

SELECT e.extname, e.extrelocatable, n.nspname AS schema
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'pjeval';

-- Anyone may use the schema's objects: no superuser needed.
SELECT pg_catalog.has_schema_privilege('public', 'pjeval', 'USAGE') AS public_usage;
