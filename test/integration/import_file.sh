#!/usr/bin/env bash
# import_file.sh - the way in from files, as docs/import.md gives it:
#
#     psql -v ON_ERROR_STOP=1 -c '\set doc `cat forms.txt`' -f - <<< "SELECT * FROM pjeval.import_forms(:'doc')"
#
# loads a file of forms of any size (the seed forms; 2,000 generated forms,
# far beyond what a command-line argument can carry), a file saved on
# Windows (byte-order mark, CRLF), one in GB18030 (through iconv), and stops
# with psql's exit status 3 and the reader's message when a form is broken,
# importing nothing.
#
# Run it with PGHOST/PGPORT/PGUSER pointing at a server where pjeval is
# installed, e.g.  pg_virtualenv -t -p pjeval bash test/integration/import_file.sh
# The last line is `N passed, N failed`; the exit status is non-zero when a
# check failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

DB="pjeval_file_$$"
WORK="$(mktemp -d -t pjeval-file.XXXXXX)"
export PGCLIENTENCODING=UTF8 PGDATABASE="$DB"

. test/integration/lib/harness.sh
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
count() { psql -X -At -c "SELECT count(*) FROM pjeval.evaluation"; }

if createdb -E UTF8 -T template0 --locale=C "$DB" && psql -X -q -c 'CREATE EXTENSION pjeval'; then
	ok "a database with pjeval"
else
	fail "a database with pjeval"
	finish
fi

# The seed forms, with the documented command, from a directory with a space.
mkdir -p "$WORK/my forms"
cp demo/seed/longhua-2022.txt "$WORK/my forms/longhua 2022.txt"
cd "$WORK/my forms" || exit 2
out="$(psql -X -A -t -v ON_ERROR_STOP=1 -c '\set doc `cat "longhua 2022.txt"`' -f - <<< "SELECT * FROM pjeval.import_forms(:'doc')" 2>&1)"
rc=$?
cd - >/dev/null || exit 2
if [ "$rc" = 0 ] && [ "$(echo "$out" | wc -l)" = 2 ] && [ "$(count)" = 2 ]; then
	ok "the documented command imports the seed file (two evaluation ids)"
else
	fail "the documented command imports the seed file (rc $rc)"; echo "$out" | sed 's/^/    /'
fi
out="$(psql -X -A -t -c "SELECT string_agg(total_score::text, ' ' ORDER BY project_code) FROM pjeval.evaluation_result")"
[ "$out" = "99.93 100.00" ] && ok "scored 99.93 and 100.00" || fail "scored 99.93 and 100.00 (got $out)"

# Again, with replace.
out="$(psql -X -A -t -v ON_ERROR_STOP=1 -c '\set doc `cat demo/seed/longhua-2022.txt`' -f - \
	<<< "SELECT count(*) FROM pjeval.import_forms(:'doc', on_conflict => 'replace')" 2>&1)"
[ "$out" = 2 ] && [ "$(count)" = 2 ] && ok "on_conflict => 'replace' the same way" || fail "replace (got $out)"

# 2,000 generated forms: several MB, far more than one argument of a command
# line may hold (which is why -v doc="$(cat file)" is not the way).
psql -X -q -A -t -o "$WORK/big.txt" <<-'SQL'
	\i bench/gen_forms.sql
	SELECT pg_temp.gen_forms(2000, 0.3, 100001);
SQL
size=$(wc -c <"$WORK/big.txt")
out="$(psql -X -A -t -v ON_ERROR_STOP=1 -c "\\set doc \`cat '$WORK/big.txt'\`" -f - \
	<<< "SELECT count(*) FROM pjeval.import_forms(:'doc')" 2>&1)"
[ "$out" = 2000 ] && [ "$(count)" = 2002 ] && ok "a file of 2000 forms ($size bytes)" || { fail "a file of 2000 forms"; echo "$out" | sed 's/^/    /'; }

# Saved on Windows: a byte-order mark and CRLF.
printf '\xef\xbb\xbf' >"$WORK/windows.txt"
sed 's/$/\r/; s/440309210901500004279/W-1/; s/440309210901500007728/W-2/' demo/seed/longhua-2022.txt >>"$WORK/windows.txt"
out="$(psql -X -A -t -v ON_ERROR_STOP=1 -c "\\set doc \`cat '$WORK/windows.txt'\`" -f - \
	<<< "SELECT count(*) FROM pjeval.import_forms(:'doc')" 2>&1)"
t="$(psql -X -A -t -c "SELECT string_agg(total_score::text, ' ' ORDER BY project_code) FROM pjeval.evaluation_result WHERE project_code LIKE 'W-%'")"
[ "$out" = 2 ] && [ "$t" = "99.93 100.00" ] && ok "a file with a byte-order mark and CRLF line ends" \
	|| { fail "a file with a byte-order mark and CRLF line ends ($t)"; echo "$out" | sed 's/^/    /'; }

# In GB18030, as Chinese Windows saves text: converted on the way in.
sed 's/440309210901500004279/G-1/; s/440309210901500007728/G-2/' demo/seed/longhua-2022.txt | iconv -f UTF-8 -t GB18030 >"$WORK/gb.txt"
out="$(psql -X -A -t -v ON_ERROR_STOP=1 -c "\\set doc \`iconv -f GB18030 -t UTF-8 '$WORK/gb.txt'\`" -f - \
	<<< "SELECT count(*) FROM pjeval.import_forms(:'doc')" 2>&1)"
t="$(psql -X -A -t -c "SELECT string_agg(total_score::text, ' ' ORDER BY project_code) FROM pjeval.evaluation_result WHERE project_code LIKE 'G-%'")"
[ "$out" = 2 ] && [ "$t" = "99.93 100.00" ] && ok "a GB18030 file through iconv" \
	|| { fail "a GB18030 file through iconv ($t)"; echo "$out" | sed 's/^/    /'; }

# A broken form: psql stops with status 3 and the reader's message; nothing
# of the file is imported, not even its good first form.
{ sed 's/440309210901500004279/B-1/; s/440309210901500007728/B-2/' demo/seed/longhua-2022.txt |
	sed '0,/1821100.00/s//一百八十二万/'; } >"$WORK/broken.txt"
before="$(count)"
out="$(psql -X -A -t -v ON_ERROR_STOP=1 -c "\\set doc \`cat '$WORK/broken.txt'\`" -f - \
	<<< "SELECT count(*) FROM pjeval.import_forms(:'doc')" 2>&1)"
rc=$?
if [ "$rc" = 3 ] && grep -q 'form 1 of the document cannot be read: line 11' <<<"$out" \
	&& grep -q 'expected an amount (a number) under 全年预算数' <<<"$out" && [ "$(count)" = "$before" ]; then
	ok "a broken file: exit status 3, the form, line and what was expected, nothing imported"
	echo "$out" | sed -n 's/^psql:[^ ]* \(ERROR\)/    \1/p; s/^\(DETAIL\)/    \1/p'
else
	fail "a broken file (rc $rc)"; echo "$out" | sed 's/^/    /'
fi

finish
