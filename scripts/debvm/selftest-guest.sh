#!/bin/bash
# Runs inside the test VM (see selftest.sh), as root, in /mnt/share
# (which holds debvm-hello-dkms_1.0_all.deb).  $1 = 1: the network is up.
set -uo pipefail
net=${1:-0}
deb=./debvm-hello-dkms_1.0_all.deb
kver=$(uname -r)
pass=0 fail=0 n=0

ok() {	# ok DESCRIPTION COMMAND...: one check, with its output on failure
	local desc=$1 out rc; shift
	n=$((n + 1))
	out=$("$@" 2>&1); rc=$?
	if [ $rc = 0 ]; then
		echo "ok $n - $desc"; pass=$((pass + 1))
	else
		echo "not ok $n - $desc (status $rc)"; fail=$((fail + 1))
		sed 's/^/#   /' <<< "$out" | tail -n 30
	fi
}
# timed DESCRIPTION COMMAND...: like ok, and prints how long it took.
timed() {
	local t0=$SECONDS
	ok "$@"
	echo "#   took $((SECONDS - t0)) s"
}

system_up() {
	local state
	state=$(systemctl is-system-running --wait)
	echo "$state"
	systemctl --failed --no-legend --plain
	[ "$state" = running ]
}
ok "systemd reached 'running' with no failed unit" system_up
. /etc/os-release
ok "$VERSION_CODENAME with its stock kernel $kver" sh -c 'dpkg -S /boot/vmlinuz-$(uname -r)'
ok "headers for the running kernel (/lib/modules/$kver/build)" test -f "/lib/modules/$kver/build/Makefile"

if [ "$net" = 1 ]; then
	ok "DNS through QEMU's user network" getent hosts deb.debian.org
	timed "apt-get update" apt-get update
	timed "apt-get install a package from the archive (hello)" \
		apt-get install -y --no-install-recommends hello
	ok "it runs" sh -c 'hello | grep -q "Hello, world"'
	ok "apt-get purge hello" apt-get purge -y hello
fi

# ---- install: apt resolves dkms (already installed), DKMS builds ----------
timed "apt install $deb (DKMS builds the module)" apt install -y "$deb"
ok "dkms status: installed for $kver" \
	sh -c "dkms status debvm_hello | grep -q 'debvm_hello/1.0, $kver, .*: installed'"
ok "module file in /lib/modules/$kver/updates/dkms" \
	sh -c "ls /lib/modules/$kver/updates/dkms/debvm_hello.ko*"
ok "modinfo finds it (depmod ran)" modinfo debvm_hello
dmesg -C
ok "modprobe debvm_hello" modprobe debvm_hello
ok "dmesg shows it loaded" sh -c 'dmesg | grep -q "debvm_hello: loaded"'
if [ -e "/lib/modules/$kver/build/vmlinux" ]; then
	ok "its BTF is in /sys/kernel/btf (pahole ran)" test -f /sys/kernel/btf/debvm_hello
else
	# bookworm's 6.1 headers have no vmlinux: kbuild makes no module BTF.
	n=$((n + 1)); pass=$((pass + 1))
	echo "ok $n - its BTF is in /sys/kernel/btf # SKIP the headers have no vmlinux"
fi
ok "modprobe -r debvm_hello" modprobe -r debvm_hello
ok "dmesg shows it unloaded" sh -c 'dmesg | grep -q "debvm_hello: unloaded"'

# ---- man pages ------------------------------------------------------------
ok "man -l renders the packaged page" \
	sh -c 'man -l /usr/share/man/man1/debvm-hello.1.gz | grep -q "greet from the debvm"'
ok "man finds it by name" sh -c 'man debvm-hello | grep -q "greet from the debvm"'
ok "man -w debvm-hello" man -w debvm-hello

# ---- bash completion, driven without a terminal ---------------------------
# A login + interactive bash reads /etc/profile.d/bash_completion.sh, which
# loads bash-completion; completions are then loaded on demand (_comp_load,
# bash-completion >= 2.12; _completion_loader is the older name).
lbash() { bash -lic "$1" < /dev/null 2>/dev/null; }
complete_words() {	# complete_words CMD WORD...: candidates for the last word
	bash -lic '
		cmd=$1; shift
		_comp_load "$cmd" || _completion_loader "$cmd"
		func=$(complete -p "$cmd" | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
		[ -n "$func" ] || exit 3
		COMP_WORDS=("$cmd" "$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
		"$func" "$cmd" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' bash "$@" < /dev/null 2>/dev/null
}
check_loaded() { lbash 'type -t _comp_load' | grep -qx function; }
check_registered() { lbash '_comp_load debvm-hello; complete -p debvm-hello' | grep -q _comp_debvm_hello; }
check_complete() {
	local got
	got=$(complete_words debvm-hello --g)
	echo "got: $got"
	[ "$got" = --greet ]
}
ok "bash-completion loaded in a login shell" check_loaded
ok "completion for debvm-hello is registered on demand" check_registered
ok "completing 'debvm-hello --g' gives --greet" check_complete
ok "the command itself runs" sh -c 'debvm-hello --greet | grep -q "hello from debvm"'

# ---- purge: nothing may be left -------------------------------------------
timed "apt purge debvm-hello-dkms" apt purge -y debvm-hello-dkms
ok "dpkg no longer knows the package" sh -c '! dpkg-query -W -f="\${Status}\n" debvm-hello-dkms 2>/dev/null | grep -q .'
ok "dpkg -L has no file list" sh -c '! dpkg -L debvm-hello-dkms 2>/dev/null'
ok "no DKMS tree (/var/lib/dkms/debvm_hello)" test ! -e /var/lib/dkms/debvm_hello
ok "no source tree (/usr/src/debvm_hello-1.0)" test ! -e /usr/src/debvm_hello-1.0
ok "no module under /lib/modules/*/updates" \
	sh -c '! find /lib/modules/*/updates -name "debvm_hello*" 2>/dev/null | grep -q .'
ok "depmod forgot it (modprobe -n fails)" sh -c '! modprobe -n debvm_hello 2>/dev/null'
# man-db's cache of formatted pages (/var/cache/man/cat1/debvm-hello.1.gz,
# written by "man debvm-hello" above) is not the package's: purge leaves it
# on every Debian system, and man-db's own maintenance removes it later.
ok "no file of it anywhere (but man-db's page cache)" \
	sh -c '! find / -xdev \( -name "debvm_hello*" -o -name "debvm-hello*" \) \
		-not -path "/mnt/*" -not -path "/var/cache/man/*" | grep .'
ok "dkms status is empty" sh -c '[ -z "$(dkms status)" ]'

echo "$pass passed, $fail failed"
[ $fail = 0 ]
