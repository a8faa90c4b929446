-- 65_html.sql - what the printable pages (export_form's 'html', report_html)
-- share.

CREATE FUNCTION @extschema@.html_escape(value pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
               coalesce($1, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;')
$$;

COMMENT ON FUNCTION @extschema@.html_escape(pg_catalog.text) IS
'Text made safe inside HTML or XML content and attribute values (& < > " and '' as entities); NULL is the empty string';
