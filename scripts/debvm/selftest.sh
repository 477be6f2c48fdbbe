#!/bin/bash
# Self-test of the test VM (scripts/debvm.sh): packages the
# debvm_hello DKMS module (scripts/debvm/hello/) as a .deb the way a dh_dkms
# package is laid out, boots the image and, inside, installs it with apt,
# lets DKMS build the module for the running kernel, loads it, checks man
# and bash completion, purges it and checks nothing is left behind.
#
#   scripts/debvm/selftest.sh [--net] [debvm.sh run options]
#     --net   also fetch a package from the archive (apt-get update first)
#     (--suite bookworm: the Debian 12 image instead of trixie)
# DEBVM_SELFTEST_GUEST=FILE runs FILE in the guest instead (same share).
#
# Output is TAP-like and ends with "N passed, N failed"; the exit status is
# the guest's (0 when every check passed).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/debvm-selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The guest reads the share as root, but apt hands local .debs to its
# unprivileged _apt user when it can: keep the share world-readable.
chmod 755 "$tmp"

# ---- the package: what dh_dkms would produce for a module "debvm_hello" --
pkg=$tmp/pkg
src=$pkg/usr/src/debvm_hello-1.0
mkdir -p "$pkg/DEBIAN" "$src" "$pkg/usr/bin" "$pkg/usr/share/man/man1" \
	"$pkg/usr/share/bash-completion/completions"
cp "$HERE/hello/debvm_hello.c" "$HERE/hello/Makefile" "$HERE/hello/dkms.conf" "$src/"
install -m 0755 "$HERE/hello/debvm-hello" "$pkg/usr/bin/"
gzip -9n < "$HERE/hello/debvm-hello.1" > "$pkg/usr/share/man/man1/debvm-hello.1.gz"
cp "$HERE/hello/debvm-hello.bash-completion" \
	"$pkg/usr/share/bash-completion/completions/debvm-hello"
cat > "$pkg/DEBIAN/control" <<'EOF'
Package: debvm-hello-dkms
Version: 1.0
Architecture: all
Maintainer: vmscope developers <vmscope@localhost>
Depends: dkms
Section: kernel
Priority: optional
Description: debvm self-test module (DKMS)
 A trivial kernel module built by DKMS, a command, its man page and its
 bash completion.
EOF
# The maintainer scripts dh_dkms generates, reduced to their effect.
cat > "$pkg/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
	/usr/lib/dkms/common.postinst debvm_hello 1.0 /usr/share/debvm-hello-dkms "" "$2"
fi
EOF
cat > "$pkg/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
case $1 in
remove|upgrade|deconfigure) dkms remove -m debvm_hello -v 1.0 --all || true ;;
esac
EOF
chmod 0755 "$pkg/DEBIAN/postinst" "$pkg/DEBIAN/prerm"
find "$pkg" -type d -exec chmod 0755 {} +
mkdir -p "$tmp/share"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$tmp/share/debvm-hello-dkms_1.0_all.deb" >/dev/null
chmod -R a+rX "$tmp/share"

net=0
for a in "$@"; do [ "$a" = --net ] && net=1; done
# Not exec: the EXIT trap removes $tmp.
rc=0
"$HERE/../debvm.sh" run --share "$tmp/share" "$@" -- \
	"${DEBVM_SELFTEST_GUEST:-$HERE/selftest-guest.sh}" "$net" || rc=$?
exit $rc
