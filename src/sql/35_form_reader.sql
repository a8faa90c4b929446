-- 35_form_reader.sql - reading the form template's text (项目支出绩效自评表
-- copied out of a spreadsheet as tab-separated text) into one jsonb array
-- of forms; pjeval.import_forms() turns that into rows.

CREATE FUNCTION @extschema@.read_forms(document text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'read_forms'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.read_forms(text) IS
'Reads every 项目支出绩效自评表 of a tab-separated document into a jsonb array: per form its header, amount unit, goals, totals, notes, funds[] and indicators[] (cells as written; amounts, weights and scores as numbers). A form that cannot be read at all raises 22P02 naming the form, the line and what was expected.';
