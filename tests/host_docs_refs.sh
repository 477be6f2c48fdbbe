#!/bin/bash
# The documents name only what exists.  In README.md, docs/*.md and
# man/*.scd (tests/lib/docrefs.pl finds the references):
# - every repository path (user/..., tests/..., kmod/..., bpf/...,
#   scripts/..., docs/..., man/..., completion/...) and every relative
#   Markdown link exists: as written, as a glob (tests/host_*), with an
#   upper-case placeholder standing for any name (man/vmscope-CMD.8.scd),
#   or as a test program built from tests/NAME.c;
# - every "vmscope WORD" written as code is a command or lab alias of
#   'vmscope --help', and every long option written after it is in that
#   command's help;
# - README.md's command list holds every command, and only commands, each
#   with options of its own;
# - every command of user/main.c's list is everywhere a command must be:
#   the help overview, its page man/vmscope-CMD.8.scd, the bash and zsh
#   completion, docs/json-schema.json ($defs, for its -j document) and
#   README.md's command list; every lab alias in both completions;
# - find's sources are in the order the code tries them (user/find.c) in
#   its help and in vmscope-find(8).
# Needs build/vmscope (VMSCOPE= another); no root.
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
. tests/lib/options.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
tap_start
VMSCOPE=${VMSCOPE:-build/vmscope}

if [ ! -x "$VMSCOPE" ]; then
	result "$VMSCOPE exists (run make first)" 1
	finish
fi

docs=(README.md docs/*.md man/*.scd)
perl tests/lib/docrefs.pl "${docs[@]}" > $T/refs
result "tests/lib/docrefs.pl reads ${#docs[@]} documents" $?
# refs KIND: "FILE<TAB>VALUE<TAB>OPTIONS" of that kind
refs() { awk -F'\t' -v k="$1" '$2 == k {print $1 "\t" $3 "\t" $4}' $T/refs; }
diag "references: $(cut -f2 $T/refs | sort | uniq -c | tr -s ' \n' ' ')"

# ---- paths ----
# exists PATH: as written, as a glob, with A_PLACEHOLDER for any name, or as
# a test program (tests/NAME from tests/NAME.c)
exists() {
	local p=$1 g
	[ -e "$p" ] && return 0
	case $p in *'*'*) compgen -G "$p" > /dev/null && return 0 ;; esac
	g=$(printf '%s' "$p" | sed -E 's/[A-Z][A-Z_]+[A-Z]/*/g')
	[ "$g" != "$p" ] && compgen -G "$g" > /dev/null && return 0
	case $p in tests/*) [ -e "$p.c" ] && return 0 ;; esac
	return 1
}
for d in "${docs[@]}"; do
	bad=""
	n=0
	while IFS=$'\t' read -r f p _; do
		[ "$f" = "$d" ] || continue
		n=$((n + 1))
		exists "$p" || bad="$bad $p"
	done < <(refs path; refs link)
	[ -z "$bad" ]; result "$d: the $n repository paths and links it names exist (missing:${bad:- none})" $?
done

# ---- commands and their options ----
$VMSCOPE --help > $T/help
sed -nE 's/^  vmscope ([a-z]+).*/\1/p' $T/help | sort -u > $T/cmds
# "Lab aliases: listvma (maps), findvma (find), ..."
tr '\n' ' ' < $T/help | sed -nE 's/.*Lab aliases: ([^.]*)\..*/\1/p' |
	grep -oE '[a-z]+ \([a-z]+\)' | sed -E 's/ \((.*)\)/ \1/' > $T/aliases
{ cat $T/cmds; awk '{print $1}' $T/aliases; echo help; } | sort -u > $T/words
[ -s $T/cmds ] && [ -s $T/aliases ]
rc=$?
result "the help overview lists $(wc -l < $T/cmds) commands and $(wc -l < $T/aliases) lab aliases" $rc

# help_has CMD OPT: CMD's help (an alias's: its command's) names OPT
for c in $(cat $T/words); do $VMSCOPE help $c > $T/help.$c 2>&1; done
help_has() { grep -qE -- "(^|[^a-z0-9-])$2([^a-z0-9-]|$)" $T/help.$1; }

for d in "${docs[@]}"; do
	bad=""
	badopt=""
	n=0
	while IFS=$'\t' read -r f c opts; do
		[ "$f" = "$d" ] || continue
		n=$((n + 1))
		if ! grep -qx "$c" $T/words; then
			bad="$bad $c"
			continue
		fi
		for o in $opts; do help_has $c $o || badopt="$badopt $c:$o"; done
	done < <(refs cmd; refs list)
	[ -z "$bad$badopt" ]
	result "$d: its $n 'vmscope CMD' are commands, with their options (not a command:${bad:- none}; not CMD's option:${badopt:- none})" $?
done

# ---- every command where a command must be ----
cli_commands > $T/table
awk '$1 == $2 && $1 != "help" {print $1}' $T/table | sort > $T/table_cmds
awk '$1 != $2 {print $1, $2}' $T/table | sort > $T/table_aliases
same $T/table_cmds $T/cmds
result "user/main.c's table and the help overview have the same commands" $?
sort $T/aliases | same $T/table_aliases -
result "user/main.c's table and the help overview have the same lab aliases" $?
cli_command_entries | sort > $T/entries
sort $T/table | same $T/entries -
result "every command entry of user/*.c is in main.c's list, and main.c lists no other" $?
bad=$(grep -hoE '^(static )?const struct cmd cmd_[a-z]+ = \{' user/*.c | wc -l)
[ "$bad" = "$(wc -l < $T/entries)" ]
result "every 'const struct cmd' entry of user/*.c has a .name and a .fn = do_NAME" $?

bash_cmds=$(sed -nE 's/^_vmscope_commands="(.*)"$/\1/p' completion/vmscope.bash)
bash_aliases=$(sed -nE 's/^_vmscope_aliases="(.*)"$/\1/p' completion/vmscope.bash)
zsh_cmds=$(sed -nE "s/^[[:space:]]+['\"]([a-z]+):.*['\"]$/\1/p" completion/_vmscope)
schema_defs=$(python3 -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["$defs"]))' \
	docs/json-schema.json)
refs list | cut -f2 | sort -u > $T/readme_cmds
# The $defs entry of each command's -j document: its name, but for these.
schema_def() {
	case $1 in
	map) echo file_report ;;	# map writes a file; -j reports it
	*) echo "$1" ;;
	esac
}
inlist() { printf '%s\n' $2 | grep -qx "$1"; }
bad=""
for c in $(cat $T/table_cmds); do
	w=""
	[ -s man/vmscope-$c.8.scd ] || w="$w man"
	inlist $c "$bash_cmds" || w="$w bash"
	inlist $c "$zsh_cmds" || w="$w zsh"
	inlist "$(schema_def $c)" "$schema_defs" || w="$w schema"
	grep -qx $c $T/readme_cmds || w="$w README"
	[ -z "$w" ] || bad="$bad $c:(${w# })"
done
[ -s $T/table_cmds ] && [ -z "$bad" ]
result "every command has its man page, bash and zsh completion, JSON schema and README entry (missing:${bad:- none})" $?

bad=""
for c in $bash_cmds; do grep -qx $c $T/table_cmds || [ $c = help ] || bad="$bad bash:$c"; done
for c in $zsh_cmds; do grep -qx $c $T/words || bad="$bad zsh:$c"; done
for c in $(cat $T/readme_cmds); do grep -qx $c $T/table_cmds || bad="$bad README:$c"; done
for a in $(awk '{print $1}' $T/table_aliases); do
	inlist $a "$bash_aliases" || bad="$bad bash:$a"
	inlist $a "$zsh_cmds" || bad="$bad zsh:$a"
done
[ -z "$bad" ]
result "the completions and README's list name no command main.c lacks, and every lab alias (bad:${bad:- none})" $?

# ---- find's sources, in the order of user/find.c ----
# src WORDS...: each source named, by the words the documents use for it
src() {
	local w
	for w in "$@"; do
		case $w in
		*PROCMAP_QUERY* | procmap_query) echo procmap_query ;;
		*/proc/PID/maps* | proc_maps) echo proc_maps ;;
		*BPF* | bpf) echo bpf ;;
		*module* | module) echo module ;;
		*) echo "?$w" ;;
		esac
	done
}
grep -A1 'find_source_names\[FS_NR\] = {' user/find.c | grep -oE '"[a-z_]+"' | tr -d '"' > $T/src_code
IFS=, read -ra parts < <(tr '\n' ' ' < $T/help.find |
	sed -nE 's/.*Sources, first that answers: (([^.]|\.[^ ])*)\. .*/\1/p')
src "${parts[@]}" > $T/src_help
sed -n '/^The answer comes from the first of these sources/,/^A source that was tried/p' man/vmscope-find.8.scd |
	grep '^\. ' | while IFS= read -r l; do src "$l"; done > $T/src_man
[ "$(wc -l < $T/src_code)" = 4 ] && same $T/src_code $T/src_help && same $T/src_code $T/src_man
rc=$?
result "find's sources in the code's order ($(echo $(cat $T/src_code))) in its help and vmscope-find(8)" $rc

finish
