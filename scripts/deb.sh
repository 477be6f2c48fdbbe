#!/bin/bash
# make deb: build vmscope_VERSION_amd64.deb and vmscope-dkms_VERSION_all.deb
# with Debian's tooling (dpkg-buildpackage, debhelper, dh-dkms) from a
# clean copy of the source tree, then check them with lintian.  The
# packages land in build/deb/; lintian's output in build/deb/lintian.txt.
# As root, missing build dependencies are installed first.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pkgs.sh

# The tools that build and check the packages, and the Build-Depends.
need_pkgs dpkg-dev debhelper dh-dkms lintian fakeroot
ver=$(dpkg-parsechangelog -S Version)
out=build/deb
src=$out/vmscope-$ver
rm -rf "$out" && mkdir -p "$src"
# The tree as git knows it (tracked, and new files not ignored), or all of
# it but build/ outside git.
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf - | tar -xf - -C "$src"
else
	tar --exclude=./build -cf - . | tar -xf - -C "$src"
fi
missing=$(cd "$src" && dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' |
	  sed -E 's/\([^)]*\)//g; s/\|[^ ]*//g') || true
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086
	need_pkgs $missing
fi
(cd "$src" && dpkg-buildpackage -b -us -uc) > "$out/build.log" 2>&1 || {
	tail -40 "$out/build.log"; echo "deb: dpkg-buildpackage failed (log: $out/build.log)" >&2; exit 1; }
changes=$(ls "$out"/vmscope_"$ver"_*.changes)
# lintian's verdict; its exit status is 0 unless it finds errors.
lrc=0
lintian --info --display-info --pedantic "$changes" > "$out/lintian.txt" 2>&1 || lrc=$?
for d in "$out"/*.deb; do echo "  DEB     $d"; done
if [ -s "$out/lintian.txt" ]; then
	echo "lintian ($out/lintian.txt):"; sed 's/^/  /' "$out/lintian.txt" | grep -v '^  N:' || true
else
	echo "lintian: no tags"
fi
exit $lrc
