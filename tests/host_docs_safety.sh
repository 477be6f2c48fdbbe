#!/bin/bash
# docs/kernel-safety.md names files, tests and module functions: each of
# them must exist (tests/guest_attacks.c's test functions, the repository
# paths, the kmod/ functions it blames), so the table cannot drift away
# from the code it describes.
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
tap_start

doc=docs/kernel-safety.md
names=$(grep -o '`[^`]*`' "$doc" | tr -d '`' | sort -u)

for p in $(printf '%s\n' "$names" | grep -E '^(kmod|tests|scripts|docs|bpf|user)/[A-Za-z0-9_./-]+$'); do
	ok "$doc names $p: it exists" test -e "$p"
done
for t in $(printf '%s\n' "$names" | grep -E '^test_[a-z_]+$'); do
	ok "$doc names $t: tests/guest_attacks.c defines it" \
		grep -q "^static void $t(void)" tests/guest_attacks.c
done
for f in $(printf '%s\n' "$names" | grep -E '^(vms|acc)_[a-z_]+\(\)$' | tr -d '()'); do
	ok "$doc names $f(): kmod/ defines it" \
		grep -qE "^[a-z].*[ *]$f\(" kmod/*.c
done
finish
