-- 35_form_reader.sql - reading the form template's text (项目支出绩效自评表
-- copied out of a spreadsheet as tab-separated text) into jsonb: the whole
-- document as one array (read_forms), or a batch of forms at a time from a
-- position (read_form_batch, which pjeval.import_forms() reads with).

CREATE FUNCTION @extschema@.read_forms(document text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'read_forms'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.read_forms(text) IS
'Reads every 项目支出绩效自评表 of a tab-separated document into a jsonb array: per form its header, amount unit, goals, totals, notes, funds[], indicators[] and findings[] (cells as written; amounts, weights and scores as numbers). A form that cannot be read at all raises 22P02 naming the form, the line and what was expected; forms that make a jsonb value over 256 MB raise 54000 (read_form_batch reads any size)';

CREATE FUNCTION @extschema@.read_form_batch(document text, start_offset bigint DEFAULT 0,
                                            start_line integer DEFAULT 1, start_form integer DEFAULT 0,
                                            max_forms integer DEFAULT 500,
                                            OUT forms jsonb, OUT next_offset bigint,
                                            OUT next_line integer, OUT next_form integer)
RETURNS record
AS 'MODULE_PATHNAME', 'read_form_batch'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.read_form_batch(text, bigint, integer, integer, integer) IS
'The forms of a document that begin at byte start_offset (its line start_line, after start_form forms), as read_forms reads them: at most max_forms forms and about 8 MB of text, and where the next batch begins (next_offset NULL after the last form). Numbers of forms and lines go on across batches';

-- The standard's level names as the reader knows them (src/core/form.c, the
-- one list): pjeval.standard_level shows it, and the views classify levels
-- with it.
CREATE FUNCTION @extschema@.standard_level_list(OUT name text, OUT level integer, OUT kind text,
                                                OUT level1 text, OUT standard text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'standard_level_list'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
ROWS 20;

COMMENT ON FUNCTION @extschema@.standard_level_list() IS
'The form reader''s list of standard level names (see pjeval.standard_level)';

-- The weight a level's name carries, as the reader reads it: how the views
-- know a block's weight where a template weights whole level-1 blocks and
-- not each indicator (产出指标（40分） with no 分值 column).
CREATE FUNCTION @extschema@.indicator_level_weight(level text)
RETURNS numeric
AS 'MODULE_PATHNAME', 'level_weight'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.indicator_level_weight(text) IS
'The weight a level''s name carries (产出指标 (40分) → 40), NULL where it carries none';
