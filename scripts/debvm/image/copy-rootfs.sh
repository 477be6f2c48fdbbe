#!/bin/bash
# Copies scripts/debvm/image/rootfs/ (or only the given PATHs in it) into
# the image root ROOT as root-owned files, 0755 if executable in the
# checkout, else 0644.  (cp -a would carry the checkout's owner, umask and
# directory modes into /etc.)
set -euo pipefail
src=$(cd "$(dirname "$0")/rootfs" && pwd)
dst=${1:?usage: copy-rootfs.sh ROOT [PATH...]}
shift
cd "$src"
if [ $# = 0 ]; then
	mapfile -t files < <(find . -type f)
else
	files=("$@")
fi
for f in "${files[@]}"; do
	mode=0644
	[ -x "$f" ] && mode=0755
	install -D -o root -g root -m "$mode" "$f" "$dst/${f#./}"
done
