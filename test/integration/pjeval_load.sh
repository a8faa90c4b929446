#!/usr/bin/env bash
# pjeval_load.sh - pjeval-load, the loader for files and folders
# (src/bin/pjeval_load.c, installed by `make install` beside psql):
#
#     pjeval-load [connection options] [--on-conflict replace] [--atomic] FILE|DIR...
#
# on a folder of workbooks (test/fixtures/seed.xlsx and a copy with other
# project codes, one named .XLSX), the seed forms as UTF-8, GB18030, UTF-16LE
# with a byte-order mark and UTF-16LE without one, a broken form, an .xls and
# a .pdf: the summary, the exit status (1 with a broken file, 0 without), the
# rows and scores in the database, --on-conflict replace, --atomic leaving
# nothing, usage and connection errors (2), files refused by size before
# they are sent, a file in no encoding, the progress line under a
# pseudo-terminal (script(1)), Ctrl-C cancelling the running statement.
#
# Run it with PGHOST/PGPORT/PGUSER pointing at a server where pjeval is
# installed, as the cluster's superuser, e.g.
#     pg_virtualenv -t bash test/integration/pjeval_load.sh
# The last line is `N passed, N failed`; the exit status is non-zero when a
# check failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

DB="pjeval_load_$$"
WORK="$(mktemp -d -t pjeval-load.XXXXXX)"
export PGCLIENTENCODING=UTF8 PGDATABASE="$DB"
# PJEVAL_LOAD: another build of it (e.g. one with sanitizers)
LOAD="${PJEVAL_LOAD:-$("${PG_CONFIG:-pg_config}" --bindir)/pjeval-load}"

. test/integration/lib/harness.sh
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
q() { psql -X -At -c "$1"; }
count() { q "SELECT count(*) FROM pjeval.evaluation"; }
# load ARGS...: pjeval-load, stdout in $WORK/out, stderr in $WORK/err, status in $rc
load() {
	"$LOAD" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
}
show() { sed 's/^/    /' "$WORK/out" "$WORK/err"; }
# row FILE: the summary's row of that file (the path as given)
row() { grep -F " $1 " "$WORK/out"; }

if [ -x "$LOAD" ]; then ok "pjeval-load is installed: $LOAD"; else fail "no $LOAD (make install)"; finish; fi
if createdb -E UTF8 -T template0 --locale=C "$DB" && psql -X -q -c 'CREATE EXTENSION pjeval'; then
	ok "a database with pjeval"
else
	fail "a database with pjeval"; finish
fi

# ---- the files ------------------------------------------------------------
# seed FILE A B: the seed text with its two project codes made A and B
seed() { sed "s/440309210901500004279/$2/; s/440309210901500007728/$3/" demo/seed/longhua-2022.txt >"$1"; }
# workbook OUT A B: test/fixtures/seed.xlsx with its project codes made A and B
# (they are inline strings of the sheets' XML)
workbook() {
	/usr/bin/python3 - "$@" <<-'PY'
	import sys, zipfile
	out, a, b = sys.argv[1:4]
	with zipfile.ZipFile('test/fixtures/seed.xlsx') as z, zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as o:
	    for i in z.infolist():
	        data = z.read(i.filename)
	        if i.filename.startswith('xl/worksheets/'):
	            data = data.replace(b'440309210901500004279', a.encode()).replace(b'440309210901500007728', b.encode())
	        o.writestr(i, data)
	PY
}
IN="$WORK/in"
mkdir -p "$IN/a" "$IN/b" "$IN/c"
cp test/fixtures/seed.xlsx "$IN/a/1 seed.xlsx"
workbook "$IN/a/2-variant.XLSX" X-1 X-2
seed "$IN/b/utf8.txt" U-1 U-2
seed "$WORK/m.txt" M-1 M-2;   { printf '\xef\xbb\xbf'; cat "$WORK/m.txt"; } >"$IN/b/utf8-bom.txt"
seed "$WORK/be.txt" P-1 P-2;  { printf '\xfe\xff'; iconv -f UTF-8 -t UTF-16BE "$WORK/be.txt"; } >"$IN/b/utf16be-bom.txt"
seed "$WORK/bn.txt" Q-1 Q-2;  iconv -f UTF-8 -t UTF-16BE "$WORK/bn.txt" >"$IN/b/utf16be.txt"
seed "$WORK/gb.txt" G-1 G-2;  iconv -f UTF-8 -t GB18030 "$WORK/gb.txt" >"$IN/b/gb18030.tsv"
seed "$WORK/le.txt" L-1 L-2;  { printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE "$WORK/le.txt"; } >"$IN/b/utf16le-bom.txt"
seed "$WORK/nb.txt" N-1 N-2;  iconv -f UTF-8 -t UTF-16LE "$WORK/nb.txt" >"$IN/b/utf16le.txt"
# a broken form: an amount that is not a number (22P02, from the server)
seed "$WORK/br.txt" E-1 E-2;  sed 's/1821100.00\t1808698.26/1821100.00\t九十/' "$WORK/br.txt" >"$IN/c/broken.txt"
# an Excel 97-2003 file (an OLE compound file): the server refuses it (0A000)
{ printf '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'; head -c 504 /dev/zero; } >"$IN/c/old.xls"
printf '%%PDF-1.4\n' >"$IN/c/notes.pdf"
# left alone in a folder: a hidden file, an Office lock file, a link to a folder
cp "$IN/b/utf8.txt" "$IN/c/.hidden.txt"
printf 'lock' >"$IN/c/~\$old.xlsx"
ln -s a "$IN/link"
if ! iconv -f UTF-8 -t UTF-8 "$IN/b/gb18030.tsv" >/dev/null 2>&1; then
	ok "the files: seed.xlsx and a variant, UTF-8, GB18030 (not valid UTF-8), UTF-16LE with and without BOM, broken.txt, old.xls, notes.pdf"
else
	fail "the GB18030 file is valid UTF-8: the test would prove nothing"
fi

# ---- everything at once: one transaction per file ----------------------------
load "$IN"
ids_utf8="$(row "$IN/b/utf8.txt" | awk -F'|' '{ gsub(/ /, "", $3); print $3 }')"
if [ "$rc" = 1 ] && [ "$(count)" = 18 ]; then
	ok "a folder with one broken form and an .xls: exit status 1, the 18 forms of the 9 good files imported"
else
	fail "the folder (rc=$rc, $(count) evaluations)"; show
fi
good=0
for f in "a/1 seed.xlsx" a/2-variant.XLSX b/gb18030.tsv b/utf16be-bom.txt b/utf16be.txt b/utf16le-bom.txt b/utf16le.txt b/utf8-bom.txt b/utf8.txt; do
	row "$IN/$f" | grep -Eq '\|     2 \| [0-9]+-[0-9]+$' && good=$((good + 1))
done
if [ "$good" = 9 ] \
	&& row "$IN/c/broken.txt" | grep -Eq '\|       \| 22P02 form 1 of the document cannot be read: line [0-9]+$' \
	&& row "$IN/c/old.xls" | grep -q '| 0A000 the file is an .xls (Excel 97-2003) workbook, which pjeval does not read$' \
	&& row "$IN/c/notes.pdf" | grep -q '| skipped: not .xlsx, .xls, .txt or .tsv$' \
	&& row "$IN/c/.hidden.txt" | grep -q '| skipped: a hidden file$' \
	&& row "$IN/c/~\$old.xlsx" | grep -q '| skipped: an Office lock file$' \
	&& row "$IN/link" | grep -q '| skipped: a symbolic link to a directory (not followed)$' \
	&& grep -qx '(15 files: 9 imported with 18 forms, 2 failed, 0 not run, 4 skipped)' "$WORK/out" \
	&& head -1 "$WORK/out" | grep -Eq '^ file +\| forms \| evaluation ids or error$'; then
	ok "the summary: a row per file (forms and ids, the error's SQLSTATE and message, skipped: another kind, hidden, a lock file, a link to a folder) and the totals"
else
	fail "the summary"; show
fi
# the files in order of name, the folders walked in order
order="$(tail -n +3 "$WORK/out" | head -15 | sed -E "s/ +\| .*$//; s|^ $IN/||" | tr '\n' ' ')"
[ "$order" = "a/1 seed.xlsx a/2-variant.XLSX b/gb18030.tsv b/utf16be-bom.txt b/utf16be.txt b/utf16le-bom.txt b/utf16le.txt b/utf8-bom.txt b/utf8.txt c/.hidden.txt c/broken.txt c/notes.pdf c/old.xls c/~\$old.xlsx link " ] \
	&& ok "the folder walked recursively in order of name" || fail "the order: $order"
if grep -q "^pjeval-load: $IN/c/broken.txt: ERROR:  form 1 of the document cannot be read" "$WORK/err" \
	&& grep -q '^DETAIL:  Line [0-9]*: ".*九十.*"; expected an amount (a number) under 全年执行数.$' "$WORK/err" \
	&& ! grep -q -e $'\r' -e CONTEXT "$WORK/err"; then
	ok "errors in full on stderr (with the detail), and no progress line when stderr is not a terminal"
else
	fail "stderr"; show
fi
# Every encoding read alike: the same two project names and totals per code pair.
scores="$(q "SELECT string_agg(DISTINCT project_name || ' ' || total_score, ' / ' ORDER BY project_name || ' ' || total_score) FROM pjeval.evaluation_result")"
pairs="$(q "SELECT string_agg(p, ' ' ORDER BY p) FROM (SELECT DISTINCT split_part(project_code, '-', 1) AS p FROM pjeval.evaluation_result) x")"
if [ "$scores" = "数字化城管信息系统运行项目（系统操作员） 99.93 / 网格信息采集工作 100.00" ] && [ "$pairs" = "440309210901500004279 440309210901500007728 G L M N P Q U X" ]; then
	ok "UTF-8, GB18030, UTF-16LE and UTF-16BE (each with and without BOM) and both workbooks give the seed's names and totals 99.93 / 100.00"
else
	fail "decoded forms: '$scores' codes '$pairs'"
fi

# ---- replace -----------------------------------------------------------------
load -d "dbname=$DB application_name=replacing" --on-conflict replace "$IN/b" "$IN/a"
if [ "$rc" = 0 ] && [ "$(count)" = 18 ] && [ "$(row "$IN/b/utf8.txt" | awk -F'|' '{ gsub(/ /, "", $3); print $3 }')" = "$ids_utf8" ] \
	&& grep -qx '(9 files: 9 imported with 18 forms, 0 failed, 0 not run, 0 skipped)' "$WORK/out"; then
	ok "--on-conflict replace (-d with a conninfo string) re-imports in place (the same ids, $ids_utf8), exit status 0"
else
	fail "--on-conflict replace (rc=$rc)"; show
fi
load "$IN/b/utf8.txt"
if [ "$rc" = 1 ] && row "$IN/b/utf8.txt" | grep -q '| 23505 '; then
	ok "without it, a form already stored is the file's error (23505), exit status 1"
else
	fail "already stored (rc=$rc)"; show
fi
load --quiet "$IN/b/utf8.txt"
if [ "$rc" = 1 ] && [ ! -s "$WORK/out" ] && grep -q "^pjeval-load: $IN/b/utf8.txt: ERROR:  project U-1 .* already has a form for 2022" "$WORK/err"; then
	ok "--quiet: no summary, the error on stderr, exit status 1"
else
	fail "--quiet (rc=$rc)"; show
fi

# ---- --atomic ------------------------------------------------------------------
mkdir -p "$WORK/at"
workbook "$WORK/at/1.xlsx" A-1 A-2
cp "$IN/c/broken.txt" "$WORK/at/2.txt"
seed "$WORK/at/3.txt" B-1 B-2
load --atomic "$WORK/at"
if [ "$rc" = 1 ] && [ "$(count)" = 18 ] \
	&& row "$WORK/at/1.xlsx" | grep -q '| rolled back (--atomic): 2 forms read$' \
	&& row "$WORK/at/2.txt" | grep -q '| 22P02 ' \
	&& row "$WORK/at/3.txt" | grep -q '| not run: an earlier file failed (--atomic)$' \
	&& grep -q '; --atomic: nothing imported)$' "$WORK/out"; then
	ok "--atomic stops at the first error and rolls back: nothing imported, exit status 1"
else
	fail "--atomic (rc=$rc, $(count) evaluations)"; show
fi
rm "$WORK/at/2.txt"
load --atomic "$WORK/at"
[ "$rc" = 0 ] && [ "$(count)" = 22 ] && ok "--atomic without the broken file: all imported, exit status 0" || { fail "--atomic (rc=$rc)"; show; }

# ---- psql's connection options; -W prompts on the terminal ----------------------
me="$(q 'SELECT current_user')"
load -h "${PGHOST:-localhost}" -p "${PGPORT:-5432}" -U "$me" -w --on-conflict replace "$IN/b/utf8.txt"
[ "$rc" = 0 ] && ok "-h -p -U -w" || { fail "-h -p -U -w (rc=$rc)"; show; }
# prompted: PASSWORD answers the prompt on a pseudo-terminal once it is shown;
# the terminal's output in $WORK/tty, the status in $rc
prompted() {
	PGPASSWORD= /usr/bin/python3 - "$1" "$LOAD" -W -h localhost --on-conflict replace "$IN/b/utf8.txt" >"$WORK/tty" <<-'PY'
	import os, pty, sys
	pid, fd = pty.fork()
	if pid == 0:
	    os.execv(sys.argv[2], sys.argv[2:])
	out = b''
	def read():
	    global out
	    try:
	        d = os.read(fd, 4096)
	    except OSError:
	        return False
	    out += d
	    return bool(d)
	while b'Password: ' not in out and read():
	    pass
	os.write(fd, sys.argv[1].encode() + b'\n')
	while read():
	    pass
	sys.stdout.buffer.write(out)
	sys.exit(os.waitpid(pid, 0)[1] >> 8)
	PY
	rc=$?
}
if [ -n "${PGPASSWORD:-}" ]; then
	pw="$PGPASSWORD"
	prompted not-the-password
	rc1=$rc; cp "$WORK/tty" "$WORK/tty1"
	prompted "$pw"
	if [ "$rc1" = 2 ] && grep -aq 'Password: ' "$WORK/tty1" && grep -aq 'password authentication failed' "$WORK/tty1" \
		&& [ "$rc" = 0 ] && grep -aq 'Password: ' "$WORK/tty" && ! grep -aqF "$pw" "$WORK/tty"; then
		ok "-W asks for the password on the terminal, without echo (a wrong one: exit status 2)"
	else
		fail "-W (rc $rc1, $rc)"; sed -n l "$WORK/tty1" "$WORK/tty" | head -20
	fi
fi

# ---- usage and connection errors: 2, nothing done -------------------------------
all2=1
for args in "--on-conflict=maybe $IN" "--bogus $IN" "" "$WORK/no-such-dir" "-p 1 $IN" "-d postgres $IN"; do
	# shellcheck disable=SC2086
	load $args
	[ "$rc" = 2 ] || { all2=0; echo "    rc=$rc for: $args"; show; }
done
if [ "$all2" = 1 ] && [ "$(count)" = 22 ] && grep -q 'pjeval is not installed in database "postgres"' "$WORK/err"; then
	ok "usage errors, a missing path, no server, no pjeval in the database: exit status 2, nothing imported"
else
	fail "exit status 2"
fi

# ---- files refused before they are sent --------------------------------------
mkdir -p "$WORK/big"
truncate -s 65M "$WORK/big/big.xlsx"
truncate -s 2G "$WORK/big/big.txt"
printf 'bad \x80 byte\n' >"$WORK/big/bytes.txt"
load "$WORK/big"
if [ "$rc" = 1 ] \
	&& row "$WORK/big/big.xlsx" | grep -q '| 54000 the file is 68157440 bytes, more than the 67108864 of a workbook (docs/workbooks.md) (not sent)$' \
	&& row "$WORK/big/big.txt" | grep -q '| 54000 the file is 2147483648 bytes, more than the 1072693248 of one text value (not sent)$' \
	&& row "$WORK/big/bytes.txt" | grep -q '| 22021 neither UTF-8 nor UTF-16 nor GB18030: as GB18030: invalid byte sequence at byte 4$'; then
	ok "a 65 MB workbook and a 2 GB text refused before they are sent (54000); a file in no encoding (22021)"
else
	fail "limits (rc=$rc)"; show
fi

# ---- the progress line on a terminal ------------------------------------------
script -qec "'$LOAD' --on-conflict replace '$IN/b'" "$WORK/typescript" >/dev/null 2>&1
rc=$?
if [ "$rc" = 0 ] && grep -aq $'\r\e\\[Kpjeval-load: 0/7 files, 0 forms' "$WORK/typescript" \
	&& grep -aEq $'\r\e\\[Kpjeval-load: 2/7 files, 4 forms, [0-9.]+ forms/s, 0 errors' "$WORK/typescript" \
	&& grep -aEq $'pjeval-load: 7/7 files, 14 forms, [0-9.]+ forms/s, 0 errors\r?$' "$WORK/typescript"; then
	ok "on a terminal: a progress line rewritten in place (files done/total, forms, forms/s, errors)"
else
	fail "the progress line (rc=$rc)"; sed -n l "$WORK/typescript" | head -20
fi

# ---- Ctrl-C cancels the running statement ---------------------------------------
psql -X -q -A -t -o "$WORK/many.txt" <<-'SQL'
	\i bench/gen_forms.sql
	SELECT pg_temp.gen_forms(2000, 0.3, 500001);
SQL
before="$(count)"
"$LOAD" "$WORK/many.txt" >"$WORK/out" 2>"$WORK/err" &
pid=$!
active=0
for _ in $(seq 1 400); do
	if [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pjeval-load' AND state = 'active' AND query LIKE '%import_forms%'")" = 1 ]; then
		active=1; break
	fi
	sleep 0.05
done
start=$(date +%s)
kill -INT "$pid"
wait "$pid"
rc=$?
took=$(( $(date +%s) - start ))
if [ "$active" = 1 ] && [ "$rc" = 1 ] && [ "$took" -le 5 ] && [ "$(count)" = "$before" ] \
	&& row "$WORK/many.txt" | grep -q '| 57014 canceling statement due to user request$' \
	&& grep -q '^pjeval-load: interrupted$' "$WORK/err"; then
	ok "Ctrl-C while importing 2000 forms cancels the statement (57014) within 5 s: exit status 1, the summary, nothing imported"
else
	fail "Ctrl-C (active=$active rc=$rc ${took}s, $(count) evaluations)"; show
fi

# ---- Debian: pjeval-load on PATH through pg_wrapper ------------------------------
if [ -x /usr/share/postgresql-common/pg_wrapper ]; then
	if [ "$(readlink /usr/bin/pjeval-load)" = ../share/postgresql-common/pg_wrapper ] \
		&& (cd "$WORK" && PATH=/usr/bin:/bin pjeval-load -q --on-conflict replace "$IN/b/utf8.txt") \
		&& [ "$(count)" = "$before" ]; then
		ok "on Debian, /usr/bin/pjeval-load is a pg_wrapper link, like psql's, and imports"
	else
		fail "the pg_wrapper link /usr/bin/pjeval-load"
	fi
fi

finish
