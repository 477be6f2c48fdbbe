#!/bin/bash
# Runs inside the new root (chroot, from mmdebstrap's customize hook) after
# every package is installed.  Part of the image recipe, for both suites.
set -euo pipefail
. /etc/os-release

# Root logs in on the serial console without a password (debvm.sh shell).
passwd --delete root >/dev/null

# mmdebstrap empties /etc/machine-id.  A fixed id: every boot of the image
# is the same throwaway machine, and no first-boot logic runs.
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > /etc/machine-id
echo >> /etc/machine-id

# Units with ConditionNeedsUpdate= (ldconfig, hwdb, sysusers, journal
# catalog) would otherwise run at every boot of the pristine image: they
# compare /usr's mtime with these stamps.
systemd-hwdb update
touch /etc/.updated /var/.updated

# The deb822 file in etc/apt/sources.list.d replaces mmdebstrap's one-line
# sources.list (same URIs and suites, so the package lists stay valid); it
# names the suite as @SUITE@.
sed -i "s/@SUITE@/$VERSION_CODENAME/g" /etc/apt/sources.list.d/debian.sources
rm -f /etc/apt/sources.list

# The one initramfs (mkimage.sh kept the kernel's hook from making one
# earlier), with the suite's defaults (MODULES=most, zstd) and this
# recipe's fstab and module blacklist.
kver=$(ls /lib/modules)
update-initramfs -c -k "$kver"

# The stock kernel must find its root disk: virtio_blk and ext4 are modules
# (virtio_pci is built in on trixie's 6.12, a module on bookworm's 6.1), so
# the initramfs must carry them.
files=$(lsinitramfs "/boot/initrd.img-$kver"; cat "/lib/modules/$kver/modules.builtin")
for m in virtio_pci virtio_blk ext4; do
	grep -q "/$m\.ko" <<< "$files" ||
		{ echo "customize: $m is neither built in nor in the initramfs" >&2; exit 1; }
done

# QEMU's user-mode network has its DNS forwarder at 10.0.2.3 (mmdebstrap
# left the build host's resolv.conf here).
echo 'nameserver 10.0.2.3' > /etc/resolv.conf

# ---- a faster boot under QEMU's software emulation ----------------------
# A server's default target: nothing graphical.
systemctl set-default multi-user.target
# getty@tty1 / getty-static: no VGA console (debvm.sh boots with
# -nodefaults); timers: nothing may start apt, man-db or disk maintenance
# behind a test's back (apt-daily would also take apt's lock); pstore: no
# crash records on a throwaway VM; modprobe@drm: no display.  Masking a
# unit that is not installed is harmless, so the list survives package
# changes.
systemctl mask --quiet \
	getty@tty1.service getty-static.service \
	apt-daily.timer apt-daily-upgrade.timer man-db.timer \
	dpkg-db-backup.timer fstrim.timer systemd-tmpfiles-clean.timer \
	e2scrub_all.timer e2scrub_reap.service \
	systemd-timesyncd.service systemd-pstore.service modprobe@drm.service

# mmdebstrap's dpkg options (force-unsafe-io, for the build only): the
# guest's dpkg must behave like any trixie system's.
rm -f /etc/dpkg/dpkg.cfg.d/99mmdebstrap
