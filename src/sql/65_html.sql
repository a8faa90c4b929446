-- 65_html.sql - what the printable pages (export_form's 'html', report_html)
-- share.

-- The characters XML 1.0 does not allow and a text can hold (U+0001 to
-- U+001F but TAB, LF and CR; U+FFFE, U+FFFF) become U+FFFD, so that the
-- pages stay well-formed whatever a name holds.
CREATE FUNCTION @extschema@.html_escape(value pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT pg_catalog.translate(
               pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                   coalesce($1, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;'),
               E'\x01\x02\x03\x04\x05\x06\x07\x08\x0B\x0C\x0E\x0F\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1A\x1B\x1C\x1D\x1E\x1F\uFFFE\uFFFF',
               pg_catalog.repeat(E'\uFFFD', 30))
$$;

COMMENT ON FUNCTION @extschema@.html_escape(pg_catalog.text) IS
'Text made safe inside HTML or XML content and attribute values (& < > " and '' as entities; the control characters XML does not allow, and U+FFFE, U+FFFF, as U+FFFD); NULL is the empty string';
