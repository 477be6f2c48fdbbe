#!/bin/bash
# make install / make uninstall into a DESTDIR: the files a user gets (the
# CLI, every man page, completion, UAPI headers, docs, the DKMS tree), the
# headers usable on their own, the DKMS tree buildable by itself (against
# the cached 6.12 headers), and uninstall leaving nothing behind.
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
tap_start

ver=$(cat VERSION)
if ! command -v scdoc >/dev/null; then
	skip "make install" "scdoc (the man page converter) is not installed; make check installs it"
	finish
fi

# ---- PREFIX=/usr, as the package does ----
D=$T/root
make -s install DESTDIR="$D" PREFIX=/usr > $T/log 2>&1
rc=$?; [ $rc = 0 ] || sed 's/^/# /' $T/log | tail -20
result "make install DESTDIR=... PREFIX=/usr" $rc

want="usr/sbin/vmscope
usr/share/bash-completion/completions/vmscope
usr/share/zsh/site-functions/_vmscope
usr/include/vmscope/vmscope_uapi.h
usr/include/vmscope/vmscope_dev_uapi.h
usr/include/vmscope/vmscope_kfuncs.h
usr/share/doc/vmscope/README.md
usr/share/doc/vmscope/json-schema.json
usr/share/doc/vmscope/json.md
usr/share/doc/vmscope/commands.md
usr/share/doc/vmscope/device.md
usr/src/vmscope-$ver/dkms.conf
usr/src/vmscope-$ver/Kbuild
usr/src/vmscope-$ver/Makefile
usr/src/vmscope-$ver/VERSION
usr/src/vmscope-$ver/btfids/btfids.c
usr/src/vmscope-$ver/btfids/module-btf.sh"
# One man page per source, in the section its name says.
for s in man/*.scd; do
	p=$(basename "$s" .scd)
	want="$want
usr/share/man/man${p##*.}/$p"
done
for f in kmod/*.c kmod/*.h; do want="$want
usr/src/vmscope-$ver/$(basename "$f")"; done
missing=""
for f in $want; do [ -f "$D/$f" ] || missing="$missing $f"; done
[ -z "$missing" ]; result "every listed file is installed (missing:${missing:- none})" $?
extra=$( (cd "$D" && find . -type f | sed 's|^\./||' | sort) | comm -23 - <(echo "$want" | sort) |
	 tr '\n' ' ')
[ -z "$extra" ]; result "nothing else is installed (extra: ${extra:-none})" $?
# The pages name the schema where this install put it.
sed 's/\\&//g' "$D/usr/share/man/man8/vmscope-maps.8" | grep -qF /usr/share/doc/vmscope/json-schema.json
result "the installed pages name the installed JSON schema, /usr/share/doc/vmscope/json-schema.json" $?
ls man/*.scd 2>/dev/null | grep -q 'vmscope\.8\.scd' && ls man/*.4.scd >/dev/null 2>&1
result "the man sources include vmscope(8) and section 4 pages" $?

"$D/usr/sbin/vmscope" --version > $T/v 2>&1 && grep -q "^vmscope $ver" $T/v
result "the installed CLI runs and reports version $ver" $?
[ "$(stat -c %a "$D/usr/sbin/vmscope")" = 755 ] &&
	[ -z "$(find "$D" -type f ! -path '*/sbin/*' -perm /111)" ]
result "modes: the CLI 0755, every other file not executable" $?
grep -q "^PACKAGE_VERSION=\"$ver\"$" "$D/usr/src/vmscope-$ver/dkms.conf" &&
	grep -q '^PACKAGE_NAME="vmscope"$' "$D/usr/src/vmscope-$ver/dkms.conf" &&
	! grep -q '#MODULE_VERSION#' "$D/usr/src/vmscope-$ver/dkms.conf"
result "dkms.conf names vmscope/$ver" $?

# The UAPI headers alone, as a program that uses the device would.
cat > $T/u.c <<'EOF'
#include <vmscope/vmscope_uapi.h>
#include <vmscope/vmscope_dev_uapi.h>
int main(void) { return sizeof(struct vms_walk) == 0; }
EOF
gcc -Wall -Werror -I"$D/usr/include" -c $T/u.c -o $T/u.o 2> $T/cc
rc=$?; sed 's/^/# /' $T/cc
result "the installed UAPI headers compile on their own" $rc

# The DKMS tree builds by itself: what DKMS runs (MAKE[0]) for 6.12.
kenv=$(scripts/debian-kernel.sh --check 6.12 2>/dev/null)
if [ -n "$kenv" ]; then
	eval "$kenv"
	cp -r "$D/usr/src/vmscope-$ver" $T/build
	make -C $T/build KDIR="$KDIR" modules > $T/kb 2>&1
	rc=$?; [ $rc = 0 ] || tail -20 $T/kb | sed 's/^/# /'
	result "the DKMS tree builds with dkms.conf's MAKE for $KVER" $rc
	readelf -S $T/build/vmscope.ko 2>/dev/null | grep -q '\.BTF ' && ! grep -q WARNING $T/kb
	result "  ... with BTF, and no warning from kmod/Makefile" $?
	grep -q 'BTF \[M\]' $T/kb && ! grep -q 'BTF ids: btfids' $T/kb
	result "  ... made by kbuild (the headers have vmlinux and resolve_btfids; host_btfids.sh has the other route)" $?
	[ "$(modinfo -F version $T/build/vmscope.ko 2>/dev/null)" = "$(cat "$D/usr/src/vmscope-$ver/VERSION")" ]
	result "  ... MODULE_VERSION is the installed VERSION ($(cat "$D/usr/src/vmscope-$ver/VERSION"))" $?
else
	skip "the DKMS tree builds" "the 6.12 headers are not in the cache (make check fetches them)"
fi

make -s uninstall DESTDIR="$D" PREFIX=/usr > $T/log 2>&1
rc=$?; left=$(find "$D" -type f | sed "s|^$D/||" | tr '\n' ' ')
[ $rc = 0 ] && [ -z "$left" ]
result "make uninstall removes every file (left: ${left:-none})" $?

# ---- the default PREFIX ----
D=$T/local
make -s install DESTDIR="$D" > $T/log 2>&1 &&
	[ -x "$D/usr/local/sbin/vmscope" ] && [ -f "$D/usr/local/share/man/man8/vmscope.8" ] &&
	[ -f "$D/usr/src/vmscope-$ver/dkms.conf" ]
result "default PREFIX /usr/local (the DKMS tree still in /usr/src, where dkms looks)" $?
[ -f "$D/usr/local/share/doc/vmscope/json-schema.json" ] &&
	sed 's/\\&//g' "$D/usr/local/share/man/man8/vmscope-maps.8" |
	grep -qF /usr/local/share/doc/vmscope/json-schema.json
result "  ... and its pages name the schema there, /usr/local/share/doc/vmscope/json-schema.json" $?
make -s uninstall DESTDIR="$D" > /dev/null 2>&1 && [ -z "$(find "$D" -type f)" ]
result "make uninstall with the default PREFIX" $?
finish
