#!/bin/bash
# Builds the test image of Debian SUITE (trixie or bookworm) into OUTDIR
# (called by scripts/debvm.sh image, which handles the cache, locking and
# host packages):
#   OUTDIR/disk.raw     ext4 root file system (sparse raw file), no partitions
#   OUTDIR/vmlinuz      the image's stock kernel and its initramfs, for
#   OUTDIR/initrd.img   QEMU's -kernel/-initrd (no boot loader in the image)
#   OUTDIR/packages.txt what got installed (name version)
# Everything under scripts/debvm/image/ is the recipe: the cache key is its hash.
# Needs root (mmdebstrap's root mode chroots and mounts /proc inside).
set -euo pipefail
recipe=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: mkimage.sh OUTDIR SUITE}
suite=${2:?usage: mkimage.sh OUTDIR SUITE}
mirror=${VMSCOPE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${VMSCOPE_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
size=${VMSCOPE_DEBVM_SIZE:-8G}

root=$out/root
rm -rf --one-file-system "$root"
mkdir -p "$root"

# Build the tree in memory when there is room: dpkg unpacks tens of
# thousands of files, and deleting them from disk afterwards took longer
# (80 s on a busy machine) than making the ext4 image from them (10 s).
# mode=0755: the tree's top becomes the image's /.
tmpfs=0
avail_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
if [ "${avail_kb:-0}" -gt $((4 * 1024 * 1024)) ] &&
   mount -t tmpfs -o size=4G,mode=0755 debvm-build "$root" 2>/dev/null; then
	tmpfs=1
	# Also on failure; -R: any mount mmdebstrap failed to undo inside.
	trap 'umount -R "$root" 2>/dev/null || umount -R -l "$root"' EXIT
fi

# The kernel's postinst hook would make an initramfs, and the
# initramfs-tools trigger (activated by udev, kmod, zstd ...) a second one
# minutes later: 40-50 s each.  INITRD=No skips the hook's; customize.sh
# makes the one initramfs at the end.
export INITRD=No

include=$(sed -e 's/#.*//' "$recipe/packages" | tr -s ' \n' '\n' | grep . | paste -sd,)

# minbase: Essential + Priority:required + apt, like a container base.
# mmdebstrap installs no Recommends unless told to.  The package lists are
# kept (a real system has them; apt can then resolve offline).  fstab and
# the module blacklist go in before the packages, so the kernel's initramfs
# is generated with them; all rootfs files again after, over what
# mmdebstrap copied from the host (e.g. /etc/hostname).
#
# force-unsafe-io: dpkg skips its fsync per unpacked file (tens of thousands
# in the kernel headers and modules); a crash only loses this throwaway
# build.  customize.sh removes the setting, so dpkg in the guest is stock.
# --verbose: apt's and dpkg's own output, so the build log shows where the
# time goes.
echo "mkimage: bootstrapping $suite into $root"
mmdebstrap --verbose --mode=root --variant=minbase --format=directory \
	--components=main --include="$include" \
	--aptopt='Acquire::Languages "none"' \
	--dpkgopt=force-unsafe-io \
	--skip=cleanup/apt/lists \
	--setup-hook="'$recipe/copy-rootfs.sh' \"\$1\" etc/fstab etc/modprobe.d/debvm.conf" \
	--customize-hook="'$recipe/copy-rootfs.sh' \"\$1\"" \
	--customize-hook="chroot \"\$1\" /bin/bash -s < '$recipe/customize.sh'" \
	"$suite" "$root" \
	"deb $mirror $suite main" \
	"deb $mirror $suite-updates main" \
	"deb $security $suite-security main"

kver=$(ls "$root/lib/modules" | sort -V | tail -n1)
cp "$root/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$out/initrd.img"
echo "$kver" > "$out/kernel-version"
chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' > "$out/packages.txt"

echo "mkimage: making the ext4 image"
# An ext4 file system made straight from the tree: no loop device, no mount.
# Inode tables and journal are zeroed now, so the guest's ext4lazyinit
# thread does not write them during every test run.
rm -f "$out/disk.raw"
mkfs.ext4 -q -F -L debvm-root -d "$root" \
	-E lazy_itable_init=0,lazy_journal_init=0 "$out/disk.raw" "$size"
echo "mkimage: removing the tree"
if [ $tmpfs = 1 ]; then
	umount "$root"
	trap - EXIT
fi
# --one-file-system: never follow a mount mmdebstrap failed to undo.
rm -rf --one-file-system "$root"
echo "mkimage: done"
