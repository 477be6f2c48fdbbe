#!/bin/bash
# The guest side of scripts/debvm.sh.  The image's debvm-setup.service
# mounts the host's control share (9p tag debvm-ctl) on /run/debvm and runs
# this file from there, so it is not part of the image:
#   guest.sh setup   mount the other 9p shares; set up QEMU's user-mode
#                    network if the kernel command line has debvm.net=1
#   guest.sh run     (debvm-run.service, after boot) run /run/debvm/script
#                    with the arguments in /run/debvm/args (NUL-separated),
#                    report its status to the host, power off
# Shares, by 9p mount tag: debvm-share -> /mnt/share (read-only),
# debvm-out -> /mnt/out (writable).
set -uo pipefail

setup() {
	# The debvm-ctl mount has loaded 9pnet_virtio, whose probe put every
	# 9p device's tag in sysfs.
	local f tag dir opts
	for f in /sys/bus/virtio/drivers/9pnet_virtio/virtio*/mount_tag; do
		[ -e "$f" ] || continue
		tag=$(tr -d '\0' < "$f")
		case $tag in
		debvm-share) dir=/mnt/share opts=ro ;;
		debvm-out) dir=/mnt/out opts=rw ;;
		*) continue ;;
		esac
		mkdir -p "$dir"
		mount -t 9p -o "trans=virtio,version=9p2000.L,msize=262144,$opts" "$tag" "$dir" ||
			echo "debvm: cannot mount 9p tag $tag" >&2
	done

	if grep -qw 'debvm.net=1' /proc/cmdline; then
		# QEMU's user-mode network is fixed: guest 10.0.2.15, gateway
		# 10.0.2.2, DNS forwarder 10.0.2.3 (etc/resolv.conf).  Static set-up:
		# no DHCP client, nothing that waits at boot.  net.ifnames=0 on the
		# command line keeps the name eth0 (no udev rename to race with).
		modprobe -q virtio_net || true
		local i
		for i in $(seq 50); do
			[ -e /sys/class/net/eth0 ] && break
			sleep 0.1
		done
		ip link set eth0 up &&
		ip addr add 10.0.2.15/24 dev eth0 &&
		ip route add default via 10.0.2.2 ||
			echo "debvm: network set-up failed" >&2
	fi
}

# Hand the status to the host.  Writing a byte to the isa-debug-exit port
# makes QEMU exit at once with (byte << 1) | 1, so first wait until the
# serial port has sent everything written so far.
report() {
	local rc=$1
	timeout 10 perl -MPOSIX -e 'POSIX::tcdrain(1)' 2>/dev/null || sleep 1
	printf "\\$(printf %o "$rc")" | dd of=/dev/port bs=1 seek=244 count=1 status=none 2>/dev/null
	sleep 2
	# No isa-debug-exit device (someone booted the image by hand).
	systemctl poweroff --no-block
}

run() {
	local up rc
	read -r up _ < /proc/uptime
	echo "debvm: system up after ${up}s; running the script"
	if [ ! -f /run/debvm/script ]; then
		echo "debvm: no script shared by the host" >&2
		report 126
		return
	fi
	local args=()
	[ -f /run/debvm/args ] && mapfile -d '' -t args < /run/debvm/args
	export HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive
	cd /mnt/share 2>/dev/null || cd /root
	if [ "$(head -c2 /run/debvm/script)" = '#!' ]; then
		/run/debvm/script "${args[@]}"
	else
		bash /run/debvm/script "${args[@]}"
	fi
	rc=$?
	echo "debvm: script exit status $rc"
	# Statuses above 127 would not survive QEMU's (rc << 1) | 1 encoding.
	[ "$rc" -gt 127 ] && rc=127
	report "$rc"
}

case ${1:-} in
setup) setup ;;
run) run ;;
*) echo "usage: guest.sh setup|run" >&2; exit 2 ;;
esac
