#!/bin/bash
# Builds the trixie test image into OUTDIR (called by scripts/debvm.sh
# image, which handles the cache, locking and host packages):
#   OUTDIR/disk.raw     ext4 root file system (sparse raw file), no partitions
#   OUTDIR/vmlinuz      the image's stock kernel and its initramfs, for
#   OUTDIR/initrd.img   QEMU's -kernel/-initrd (no boot loader in the image)
#   OUTDIR/packages.txt what got installed (name version)
# Everything under scripts/debvm/image/ is the recipe: the cache key is its hash.
# Needs root (mmdebstrap's root mode chroots and mounts /proc inside).
set -euo pipefail
recipe=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: mkimage.sh OUTDIR}
mirror=${VMSCOPE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${VMSCOPE_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
size=${VMSCOPE_DEBVM_SIZE:-8G}

root=$out/root
rm -rf "$root"

include=$(sed -e 's/#.*//' "$recipe/packages" | tr -s ' \n' '\n' | grep . | paste -sd,)

# minbase: Essential + Priority:required + apt, like a container base.
# mmdebstrap installs no Recommends unless told to.  The package lists are
# kept (a real system has them; apt can then resolve offline).  fstab goes
# in before the packages, so the kernel's initramfs is generated knowing the
# root file system; the other rootfs files after, over what mmdebstrap
# copied from the host (e.g. /etc/hostname).
mmdebstrap --mode=root --variant=minbase --format=directory \
	--components=main --include="$include" \
	--aptopt='Acquire::Languages "none"' \
	--skip=cleanup/apt/lists \
	--setup-hook="'$recipe/copy-rootfs.sh' \"\$1\" etc/fstab" \
	--customize-hook="'$recipe/copy-rootfs.sh' \"\$1\"" \
	--customize-hook="chroot \"\$1\" /bin/bash -s < '$recipe/customize.sh'" \
	trixie "$root" \
	"deb $mirror trixie main" \
	"deb $mirror trixie-updates main" \
	"deb $security trixie-security main"

kver=$(ls "$root/lib/modules" | sort -V | tail -n1)
cp "$root/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$out/initrd.img"
echo "$kver" > "$out/kernel-version"
chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' > "$out/packages.txt"

# An ext4 file system made straight from the tree: no loop device, no mount.
# Inode tables and journal are zeroed now, so the guest's ext4lazyinit
# thread does not write them during every test run.
rm -f "$out/disk.raw"
mkfs.ext4 -q -F -L debvm-root -d "$root" \
	-E lazy_itable_init=0,lazy_journal_init=0 "$out/disk.raw" "$size"
rm -rf "$root"
