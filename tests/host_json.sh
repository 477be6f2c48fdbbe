#!/bin/bash
# Every command's JSON on the host (no module: page answers from pagemap)
# against docs/json-schema.json: one document per run, of the documented
# shape, errors included.
cd "$(dirname "$0")/.."
export PATH=$PWD/build:$PWD/build/tests:$PATH
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
. tests/lib/target.sh
if [ "$(id -u)" != 0 ] || ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	echo "TAP version 13"
	echo "ok 1 host JSON schema # SKIP needs root for BPF and python3-jsonschema"
	echo "1..1"; exit 0
fi
# j NAME CMD...: run CMD with -j, record its whole stdout as one line
j() { local name=$1; shift; printf '#json %s %s\n' "$name" "$(vmscope -j "$@" 2>/dev/null | tr -d '\n')"; }
sleep 60 & s=$!
exec_wait $s sleep
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
pin=/sys/fs/bpf/vmscope_json_$$
{
	j maps maps $s
	j maps maps $s $$
	j maps maps -x $s
	j maps maps --all --comm sleep
	j maps maps $s 4194303
	j error maps 4194303
	j find find $s 0 ffffffffff
	j find find $s 0 fffffffff000
	j page page $s $(awk '/\[stack\]/ { split($1, r, "-"); print r[1]; exit }' /proc/$s/maps) 0x1000
	j page_range page $s --range '[stack]'
	j error page 4194303 0x1000
	j error find $s zz
	j pin pin $pin --pid $s
	j unpin unpin $pin
	j error unpin /sys/fs/bpf/no-such-pin-$$
	j status status
	j help help
	j help help page
	j version --version
	j error maps --bogus
	j error read $s 0x1000 8
	j audit audit $s
	j audit audit $s 4194303
	j audit audit --all
	j error audit --bogus
	XDG_STATE_HOME=$T/state j journal journal
	j error undo --journal $T/no-such-journal
	j summary summary $s
	j summary summary $s 4194303
	j error summary 4194303
	j snapshot snapshot $s
	j file_report snapshot $s -o $T/a.json
	vmscope snapshot $s -o $T/b.json > /dev/null 2>&1
	j diff diff $T/a.json $T/b.json
	j error diff $T/a.json
	j watch watch $s -n 0.1 -c 1
	j file_report map $s -o $T/m.html --explain 4
	j file_report map --diff $T/a.json $T/b.json -o $T/d.html
	for f in $T/m.html $T/d.html; do
		printf '#json map_data %s\n' "$(/usr/bin/python3 -c '
import sys
t = open(sys.argv[1]).read()
k = t.index("id=\"vmscope-data\"")
print(t[t.index(">", k) + 1:t.index("</script>", k)].strip())' $f)"
	done
} > $T/docs
kill $s
/usr/bin/python3 tests/json_check.py $T/docs
