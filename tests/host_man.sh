#!/bin/bash
# The man pages (man/*.scd): they build with scdoc and render without a
# single groff warning; every command of the CLI's help has its page and a
# place in vmscope(8); every option of every command's getopt_long table in
# user/*.c (and the common ones of user/cmds.h) is documented in the OPTIONS
# of that command's page, and nothing there is an option the table lacks;
# the global options of main() and the environment variables the CLI reads
# are in vmscope(8); the section 4 pages exist; the JSON schema path they
# name follows PREFIX.  Needs no root.  KEEP=1
# keeps its scratch directory.
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
. tests/lib/options.sh
T=$(mktemp -d)
[ -n "$KEEP" ] || trap 'rm -rf "$T"' EXIT
tap_start
M=build/man
VMSCOPE=build/vmscope

if ! command -v scdoc >/dev/null; then
	skip "man pages" "scdoc is not installed (apt-get install scdoc)"
	finish
fi

make -s man > $T/make 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/# /' $T/make
result "make man builds every page" $rc

missing=""
for src in man/*.scd; do
	p=$M/$(basename "$src" .scd)
	[ -s "$p" ] || missing="$missing $p"
done
[ -z "$missing" ]; result "a page for every man/*.scd (missing:${missing:- none})" $?

ok "no @VERSION@ or @DOCDIR@ left in the pages" \
	bash -c "! grep -lE '@(VERSION|DOCDIR)@' $M/*"
# The DOCDIR the pages were made with (build/man/.paths: make's default PREFIX)
docdir=$(sed -nE 's/^s\|@DOCDIR@\|(.*)\|g$/\1/p' $M/.paths)

for p in vmscope.4 mtest.4 maptest.4; do
	grep -q "^\.TH \"${p%.4}\" \"4\"" $M/$p
	result "section 4 page $p exists" $?
done

# ---- rendering: no warnings ----
render() {
	if command -v man >/dev/null; then
		man -l --warnings -E UTF-8 "$1"
	else
		groff -ww -z -man -Tutf8 "$1"
	fi
}
if command -v man >/dev/null || command -v groff >/dev/null; then
	for p in $M/*; do
		render "$p" > $T/out 2> $T/err
		rc=$?
		[ $rc = 0 ] && [ ! -s $T/err ] && [ -s $T/out ]
		rc=$?
		[ $rc = 0 ] || sed 's/^/# /' $T/err | head -n 10
		result "$(basename "$p") renders with no warning" $rc
	done
else
	skip "rendering" "neither man nor groff is installed"
fi

# section NAME PAGE: the roff of one .SH section of PAGE, without the \&
# that scdoc puts after every period
section() { sed 's/\\&//g' "$2" | awk -v s=".SH $1" '$0 == s {on = 1; next} /^\.SH / {on = 0} on'; }
# bold WORD: the roff of WORD in bold, as a grep -F pattern
bold() { printf '\\fB%s\\fR' "$1"; }

# ---- commands ----
if [ ! -x $VMSCOPE ]; then
	result "build/vmscope exists (run make first)" 1
	finish
fi
# The commands user/main.c lists: name and function.  An alias runs the
# function of another command.
cli_commands > $T/table
awk '$1 == $2 && $1 != "help" {print $1}' $T/table | sort > $T/cmds
awk '$1 != $2 {print $1, $2}' $T/table | sort > $T/aliases
$VMSCOPE --help | sed -nE 's/^  vmscope ([a-z]+).*/\1/p' | sort -u > $T/help_cmds
[ -s $T/cmds ] && same $T/cmds $T/help_cmds
rc=$?
result "the help overview lists the commands of main.c's list ($(echo $(cat $T/cmds)))" $rc

bad=""
for c in $(cat $T/cmds); do
	p=$M/vmscope-$c.8
	[ -s $p ] && grep -q "^\.TH \"vmscope-$c\" \"8\"" $p &&
		section COMMANDS $M/vmscope.8 | grep -qF "$(bold $c)" &&
		section "SEE ALSO" $M/vmscope.8 | grep -qF "$(bold vmscope-$c)(8)" || bad="$bad $c"
done
[ -z "$bad" ]; result "every command has its page vmscope-CMD(8), an entry in vmscope(8)'s COMMANDS and SEE ALSO (bad:${bad:- none})" $?

bad=""
while read -r a c; do
	grep -qF "$(bold $a)" $M/vmscope.8 && section NAME $M/vmscope-$c.8 | grep -q "vmscope-$a" &&
		$VMSCOPE help $a | grep -q "lab's name for 'vmscope $c'" || bad="$bad $a"
done < $T/aliases
[ -s $T/aliases ] && [ -z "$bad" ]
result "every lab alias is in vmscope(8) and named in its command's page (bad:${bad:- none})" $?

bad=""
for p in $M/vmscope-*.8; do
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES "EXIT STATUS" "SEE ALSO"; do
		grep -qx "\.SH $s" $p || bad="$bad $(basename $p):$s"
	done
	sed 's/\\&//g' $p | grep -qF "$docdir/json-schema.json" ||
		bad="$bad $(basename $p):schema"
done
[ -z "$bad" ]; result "every command page has NAME..SEE ALSO and points to the installed JSON schema ($docdir; bad:${bad:- none})" $?

# The schema's path is make install's DOCDIR, for any PREFIX: pages made
# for PREFIX=/opt/vmscope-test (in a scratch OUT) name it there and
# nowhere else.
make -s man OUT=$T/pfx PREFIX=/opt/vmscope-test > $T/make 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/# /' $T/make
bad=""
for p in $T/pfx/man/vmscope*.8; do
	sed 's/\\&//g' $p | grep -qF /opt/vmscope-test/share/doc/vmscope/json-schema.json &&
		! grep -qE '@DOCDIR@|/usr(/local)?/share/doc/vmscope' $p || bad="$bad $(basename $p)"
done
[ $rc = 0 ] && [ -z "$bad" ]
result "with PREFIX=/opt/vmscope-test the pages name /opt/vmscope-test/share/doc/vmscope/json-schema.json (bad:${bad:- none})" $?

# Every page referred to in bold with a section number exists, for ours.
bad=""
for ref in $(grep -ohE '\\fB(vmscope[a-z-]*|mtest)\\fR\([48]\)' $M/* | sort -u); do
	name=$(echo "$ref" | sed -E 's/\\fB(.*)\\fR\(([48])\)/\1.\2/')
	[ -s $M/$name ] || bad="$bad $name"
done
[ -z "$bad" ]; result "every vmscope page referred to exists (missing:${bad:- none})" $?

# ---- options: the getopt_long tables against the pages ----
cli_options > $T/opts
diag "options in the getopt_long tables: $(wc -l < $T/opts)"
awk '{print $1}' $T/opts | sort -u > $T/opt_cmds
common=$(sed -nE 's/.*\{ "([a-z0-9-]+)", [a-z]+_argument, NULL, .*/--\1/p' user/cmds.h)
[ -n "$common" ] && same $T/cmds $T/opt_cmds
rc=$?
result "the tables were found: one per command (common options: $(echo $common))" $rc

bad=""
while read -r c long short; do
	section OPTIONS $M/vmscope-$c.8 > $T/sec
	grep -qF "$(bold --$long)" $T/sec || bad="$bad $c:--$long"
	[ "$short" = - ] || grep -qF "$(bold -$short)" $T/sec || bad="$bad $c:-$short"
done < $T/opts
[ -z "$bad" ]; result "every option of every table is in its command page's OPTIONS (undocumented:${bad:- none})" $?

bad=""
for c in $(cat $T/cmds); do
	section OPTIONS $M/vmscope-$c.8 | grep -oE '\\fB--?[a-zA-Z0-9][a-zA-Z0-9-]*\\fR' |
		sed -E 's/\\fB-*(.*)\\fR/\1/' | sort -u > $T/doc
	while read -r o; do
		if [ ${#o} = 1 ]; then
			awk -v c=$c -v o="$o" '$1 == c && $3 == o {f = 1} END {exit !f}' $T/opts
		else
			awk -v c=$c -v o="$o" '$1 == c && $2 == o {f = 1} END {exit !f}' $T/opts
		fi || bad="$bad $c:$o"
	done < $T/doc
done
[ -z "$bad" ]; result "no page documents an option its command's table lacks (stale:${bad:- none})" $?

bad=""
while read -r c long short; do
	$VMSCOPE help $c > $T/help
	grep -qE -- "(^|[ /,])--$long([ ,/=]|$)" $T/help || bad="$bad $c:--$long"
	[ "$short" = - ] || grep -qE -- "(^|[ /,(])-$short([ ,/]|$)" $T/help || bad="$bad $c:-$short"
done < $T/opts
[ -z "$bad" ]; result "'vmscope help CMD' names every option of CMD's table too (missing:${bad:- none})" $?

# ---- global options and environment ----
cli_global_options > $T/global
section OPTIONS $M/vmscope.8 > $T/sec
bad=""
for o in $(cat $T/global); do
	grep -qF "$(bold "$o")" $T/sec || bad="$bad $o"
done
[ -s $T/global ] && [ -z "$bad" ]
rc=$?
result "vmscope(8) documents the global options of main() ($(echo $(cat $T/global)); missing:${bad:- none})" $rc

grep -ohE 'getenv\("[A-Z_]+"\)' user/*.c | sed -E 's/getenv\("(.*)"\)/\1/' | sort -u > $T/env
bad=""
for e in $(cat $T/env); do
	section ENVIRONMENT $M/vmscope.8 | grep -qF "$(bold "$e")" || bad="$bad $e"
done
[ -s $T/env ] && [ -z "$bad" ]
rc=$?
result "vmscope(8) ENVIRONMENT has every variable the CLI reads ($(echo $(cat $T/env)); missing:${bad:- none})" $rc

codes=$($VMSCOPE --help | sed -nE 's/.*Exit status: (.*)/\1/p' | grep -oE '\b[0-9]+\b')
bad=""
for n in $codes; do
	section "EXIT STATUS" $M/vmscope.8 | grep -qxF "$(bold $n)" || bad="$bad $n"
done
[ -n "$codes" ] && [ -z "$bad" ]
rc=$?
result "vmscope(8) EXIT STATUS has the codes the help names ($(echo $codes); missing:${bad:- none})" $rc

finish
