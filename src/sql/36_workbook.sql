-- 36_workbook.sql - .xlsx workbooks (Office Open XML) as units send them
-- back, one form per sheet:
--   workbook_text(workbook)               the tab-separated document the
--       workbook holds, each cell as the spreadsheet shows it: what
--       import_forms reads, for a person to see
--   import_workbook(workbook, on_conflict) every form of every sheet, by
--       import_forms on that document; errors name the sheet and the row
--
-- The reading is done once, in C (src/wb: libzip and libxml2); there is one
-- form reader, the text one, and the workbook only supplies its rows.

CREATE FUNCTION @extschema@.workbook_text(workbook bytea)
RETURNS text
AS 'MODULE_PATHNAME', 'workbook_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.workbook_text(bytea) IS
'The tab-separated document an .xlsx workbook holds, as pjeval.import_forms reads it: every visible sheet in order, a line per row, each cell as the spreadsheet shows it (numbers through their format, dates, formulas by their cached value, merged ranges by their top-left cell). Not a workbook: 22P03; .xls or a password: 0A000; beyond the limits of docs/workbooks.md: 54000';

CREATE FUNCTION @extschema@.workbook_read(workbook bytea, OUT document text, OUT sheets text[],
                                          OUT line_sheet integer[], OUT line_row integer[])
RETURNS record
AS 'MODULE_PATHNAME', 'workbook_read'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.workbook_read(bytea) IS
'workbook_text with the map back: sheets (their names, in order), and per line of the document (one more: the line after the last) its sheet (1-based into sheets) and row';

-- A message of import_forms with its document lines ("line 22", "Line 22:")
-- as the sheet and row they came from.  In a detail that shows the line
-- itself ('Line 22: "…"; expected …') the shown text is the workbook's and
-- stays as it is.
CREATE FUNCTION @extschema@.workbook_place(message text, sheets text[], line_sheet integer[], line_row integer[])
RETURNS text
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    parts text[];
    m text[];
    i integer := 0;
    n integer;
    result text;
BEGIN
    IF message IS NULL THEN
        RETURN NULL;
    END IF;
    m := pg_catalog.regexp_match(message, '^(Line [0-9]+: ")(.*)("; expected .*)$');
    IF m IS NOT NULL THEN
        RETURN @extschema@.workbook_place(m[1], sheets, line_sheet, line_row) || m[2]
            || @extschema@.workbook_place(m[3], sheets, line_sheet, line_row);
    END IF;
    parts := pg_catalog.regexp_split_to_array(message, '[[:<:]][Ll]ine [0-9]+');
    result := parts[1];
    FOR m IN SELECT pg_catalog.regexp_matches(message, '[[:<:]]([Ll]ine) ([0-9]+)', 'g') LOOP
        i := i + 1;
        n := CASE WHEN pg_catalog.length(m[2]) <= 9 THEN m[2]::integer END;
        result := result || CASE
            WHEN n BETWEEN 1 AND pg_catalog.cardinality(line_row)
                THEN pg_catalog.format('Sheet "%s", row %s', sheets[line_sheet[n]], line_row[n])
            ELSE m[1] || ' ' || m[2] END
            || parts[i + 1];
    END LOOP;
    RETURN result;
END
$fn$;

COMMENT ON FUNCTION @extschema@.workbook_place(text, text[], integer[], integer[]) IS
'A message of import_forms with "line N" and "Line N" replaced by the sheet and row of the workbook they came from (Sheet "NAME", row R); the line a detail shows in quotes is left as it is';

CREATE FUNCTION @extschema@.import_workbook(workbook bytea, on_conflict text DEFAULT 'error')
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    wb record;
    st text;
    msg text;
    det text;
    hint text;
BEGIN
    IF workbook IS NULL THEN
        -- as import_forms of no document: on_conflict is still checked
        RETURN QUERY SELECT * FROM @extschema@.import_forms(NULL, on_conflict);
        RETURN;
    END IF;
    -- A file that is not a workbook raises here (22P03, 0A000, 54000):
    -- nothing is written yet.
    wb := @extschema@.workbook_read(workbook);
    BEGIN
        RETURN QUERY SELECT * FROM @extschema@.import_forms(wb.document, on_conflict);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                                det = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
        msg := @extschema@.workbook_place(msg, wb.sheets, wb.line_sheet, wb.line_row);
        det := @extschema@.workbook_place(nullif(det, ''), wb.sheets, wb.line_sheet, wb.line_row);
        hint := @extschema@.workbook_place(nullif(hint, ''), wb.sheets, wb.line_sheet, wb.line_row);
        IF det IS NOT NULL AND hint IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, DETAIL = det, HINT = hint;
        ELSIF det IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, DETAIL = det;
        ELSIF hint IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, HINT = hint;
        ELSE
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg;
        END IF;
    END;
END
$fn$;

COMMENT ON FUNCTION @extschema@.import_workbook(bytea, text) IS
'Imports every 项目支出绩效自评表 on every visible sheet of an .xlsx workbook: pjeval.import_forms on the document pjeval.workbook_text shows, with the same semantics (all or nothing, on_conflict, findings); its errors keep their SQLSTATE and name the sheet and row (Sheet "NAME", row R) instead of a line. VOLATILE, runs with the caller''s rights';
