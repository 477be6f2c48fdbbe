/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A cache of loaded BPF objects, pinned in bpffs, for root only: a one-shot
 * command then opens an object the verifier has already checked (a few
 * hundred microseconds) instead of loading it (tens of milliseconds).
 *
 * An entry is a directory /sys/fs/bpf/vmscope/OBJ-GEN-KEY holding the
 * object's maps (m0, m1, ...) and programs (p0, ...) in the light
 * skeleton's order.  GEN hashes this CLI's version, its objects' bytes
 * (build/bpfhash.c) and the boot (bpffs does not outlive one, but an entry
 * from another is never trusted); KEY the object's name and its read-only
 * data as set before the load.  Entries are made by the first root run
 * that loads the object, under a temporary name renamed into place; the
 * entries of the same object from another GEN are removed then.  An
 * object this kernel refused leaves an empty OBJ-GEN-KEY_refused (bpffs allows no dot in a name), so that
 * later runs do not ask the verifier again.
 *
 * Who can replace an entry: only root.  It is used only when every
 * directory from the bpffs mount down is owned by root and writable by no
 * one else (the mount's own root may be world-writable with the sticky
 * bit, as bpffs mounts by default: then no one else can rename or remove
 * root's entries in it), and the cache's directories are 0700.  A run by
 * anyone but root, or with VMSCOPE_BPFCACHE=0, or with a route forced by
 * VMSCOPE_NAMES or VMSCOPE_PATH, neither uses nor makes entries.  The
 * programs are checked to be what the skeleton expects (type and name).
 *
 * One run uses an entry at a time: its maps hold the run's arguments and
 * results, so an entry is flock()ed while in use; a run that finds it busy
 * loads its own copy.  Pinned objects hold kernel memory (a few MiB for
 * the listing) until bpffs is unmounted or `rm -r /sys/fs/bpf/vmscope`.
 * Objects that call the module's kfuncs are never cached: a pin would keep
 * the module from being unloaded.
 */
#ifndef VMSCOPE_BPFCACHE_H
#define VMSCOPE_BPFCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BPFCACHE_DIR	"/sys/fs/bpf/vmscope"

/* Hash of the BPF objects built into this CLI (build/bpfhash.c). */
extern const char vmscope_bpf_hash[];

/* May this run use and make entries? */
bool bpfcache_enabled(void);
/* The key of object obj loaded with read-only data ro (ro_sz bytes). */
uint64_t bpfcache_key(const char *obj, const void *ro, size_t ro_sz);

/*
 * Open entry (obj, key): nfd map fds into map_fds, nprog prog fds into
 * prog_fds, each checked (progs: type prog_type, name prog_names[i]).  The
 * entry stays locked until bpfcache_release(*lock).  -ENOENT: no entry;
 * -EBUSY: in use; -EPERM: not to be trusted; other -errno.  On failure no
 * fd is left open.
 */
int bpfcache_get(const char *obj, uint64_t key, int *map_fds, size_t nmaps, int *prog_fds,
		 size_t nprogs, unsigned int prog_type, const char *const *prog_names, int *lock);
/*
 * Pin a freshly loaded object as entry (obj, key), which stays locked for
 * this run (*lock, for bpfcache_release()) as bpfcache_get() leaves it: the
 * maps are this run's until then.  Best effort: 0 or -errno.
 */
int bpfcache_put(const char *obj, uint64_t key, const int *map_fds, size_t nmaps,
		 const int *prog_fds, size_t nprogs, int *lock);
void bpfcache_release(int lock);
/* Did this kernel refuse the object (bpfcache_refuse())? */
bool bpfcache_refused(const char *obj, uint64_t key);
void bpfcache_refuse(const char *obj, uint64_t key);
/*
 * For status: whether the cache can be used here, and in buf what it holds
 * or why it cannot be used (never silent: a cache someone else made
 * unusable, by owning the directory, says so).
 */
bool bpfcache_state(char *buf, size_t sz);
/* Why the last bpfcache_get() failed, for -v ("" when it did not). */
const char *bpfcache_why(void);

#endif /* VMSCOPE_BPFCACHE_H */
