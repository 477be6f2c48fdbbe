// SPDX-License-Identifier: GPL-2.0
/*
 * VMA listings from the iterators in bpf/: the fast path (vma_fast, the
 * open-coded task_vma iterator, Linux 6.7+) and the task_vma iterator
 * (vma_seq, every kernel), which also lists the processes whose mmap_lock
 * the fast path found contended.  Both are light skeletons: the kernel does
 * their CO-RE relocations, so nothing here parses the kernel's BTF.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <ctype.h>
#include <dirent.h>
#include <bpf/bpf.h>
#include "vmalist.h"
#include "common.h"
#include "vma_fast.lskel.h"
#include "vma_pid.lskel.h"
#include "vma_seq.lskel.h"
#include "maps_text.lskel.h"
#include "names_probe.lskel.h"
#include "bpfcache.h"
#include "vmem_api.h"

/* What each BPF object was tried with, for `status` and -v. */
#define VMS_LOG_SIZE (1u << 20)

static struct vmalist_attempt attempts[16];
static size_t nattempts;
static bool want_log;
/* --all from /proc: processes whose maps this user may not read. */
static size_t proc_skipped;
/* The names route that loaded last in this process (-1: none tried yet). */
static int names_route = -1;
/* The route of the object whose records the CLI shows (-1: none loaded). */
static int records_route = -1;

struct map_view {
	const char *p;
	size_t len;		/* bytes mapped */
	size_t max;		/* the map's size */
	int fd;
};

struct vma_bpf {
	enum vmalist_source source;
	struct vma_fast *fast;		/* NULL: not on this kernel, or not wanted */
	struct vma_seq *seq;		/* loaded when first needed */
	struct maps_text *text;
	/*
	 * The maps user space reads, mmapped as far as a pass has filled them
	 * (a mapping costs per page, and a one-shot listing uses a few).
	 */
	struct map_view out, fast_str, seq_str, pid_out, pid_str;
	struct vma_pid *pid;		/* one process per system call (initial pid ns) */
	int pid_lock;			/* its bpffs cache entry */
	int pid_err;			/* why there is none (0: not tried yet) */
	size_t out_cap, str_chunks;
	bool force_seq;
	bool no_tree;			/* VMSCOPE_PATH=iter: the fast path without the tree walk */
	bool want_fast;			/* VMALIST_FAST, or the cache: vma_fast/vma_pid */
	int fast_lock, seq_lock, text_lock;	/* their bpffs cache entries (-1: none) */
	int fast_err;			/* why there is no fast path */
	/* How the fast path listed processes, over every collect (-v, tests). */
	unsigned int nr_tree, nr_tree_retry, nr_iter;
	int bpf_err;			/* source proc: why not BPF */
	/* VMALIST_MODULE: the module's lookup programs, or why not (1: not tried). */
	struct vmem *mod;
	int mod_err;
	bool force_mod;			/* VMSCOPE_PATH=module */
	bool last_mod;			/* the last collect was the module's */
	unsigned int nr_mod, nr_mod_fallback;
};

static size_t str_len_of(const struct vma_bpf *o)
{
	return o->str_chunks * VMS_STR_CHUNK;
}

/* The first need bytes of a view's map, mapped; NULL and errno on failure. */
static const char *map_view(struct map_view *v, size_t need)
{
	size_t len;
	void *p;

	if (need <= v->len)
		return v->p;
	if (need > v->max) {
		errno = EPROTO;
		return NULL;
	}
	len = (need + (need >> 1) + 4095) & ~(size_t)4095;
	if (len > v->max)
		len = v->max;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, v->fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (v->p)
		munmap((void *)v->p, v->len);
	v->p = p;
	v->len = len;
	return v->p;
}

static void map_view_init(struct map_view *v, int fd, size_t max)
{
	v->p = NULL;
	v->len = 0;
	v->max = max;
	v->fd = fd;
}

static void map_view_free(struct map_view *v)
{
	if (v->p)
		munmap((void *)v->p, v->len);
	v->p = NULL;
	v->len = 0;
}

void vmalist_capture_log(bool on)
{
	want_log = on;
}

const struct vmalist_attempt *vmalist_attempts(size_t *n)
{
	*n = nattempts;
	return attempts;
}

const char *vmalist_names_route(void)
{
	int r = records_route >= 0 ? records_route : names_route;

	return r == VMS_NAMES_D_PATH ? "d_path" : r == VMS_NAMES_WALK ? "walk" : "none";
}

/*
 * The verifier's reason from its log: the last line that is not one of
 * its closing statistics, after the instruction it was checking.
 */
static void log_reason(const char *log, char *out, size_t sz)
{
	const char *lines[3] = {};
	const char *p = log;

	out[0] = 0;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len && strncmp(p, "processed ", 10) && strncmp(p, "verification time", 17) &&
		    strncmp(p, "stack depth", 11) && strncmp(p, "-- END", 6)) {
			lines[0] = lines[1];
			lines[1] = p;
		}
		p = nl ? nl + 1 : NULL;
	}
	if (!lines[1])
		return;
	snprintf(out, sz, "%.*s", (int)strcspn(lines[1], "\n"), lines[1]);
	if (lines[0] && isdigit((unsigned char)lines[0][0])) {
		size_t o = strlen(out);

		snprintf(out + o, sz - o, " (at %.*s)", (int)strcspn(lines[0], "\n"), lines[0]);
	}
}

/*
 * The log of a refusal remembered by the bpffs cache (the reason is not
 * kept: status, which shows reasons, asks the verifier again).
 */
static const char REMEMBERED[] = "";

static void note_attempt(const char *object, int route, int err, const char *log)
{
	struct vmalist_attempt *a;

	if (nattempts == ARRAY_SIZE(attempts))
		return;
	a = &attempts[nattempts++];
	memset(a, 0, sizeof(*a));
	a->object = object;
	a->names = route == VMS_NAMES_D_PATH ? "d_path" : "walk";
	a->err = err;
	if (log == REMEMBERED)
		snprintf(a->reason, sizeof(a->reason), "refused earlier in this boot, as the bpffs "
			 "cache remembers (" BPFCACHE_DIR ")");
	else if (log)
		log_reason(log, a->reason, sizeof(a->reason));
	/*
	 * A light skeleton whose kfunc the kernel lacks fails in its loader
	 * program with ENOENT, and the log's last lines name the loader's
	 * placeholder (dummy_ksym), not the function: say what it means.
	 */
	if (err == -ENOENT && (!a->reason[0] || strstr(a->reason, "dummy_ksym")))
		snprintf(a->reason, sizeof(a->reason), "a kernel function it calls is not in this "
			 "kernel%s", strcmp(object, "vma_fast") && strcmp(object, "vma_pid") ? "" :
			 " (the open-coded task_vma iterator is 6.7+)");
	if (verbose && err)
		p_note("BPF object %s with names by %s: %s%s (%s)%s%s\n", object,
		       a->names, log == REMEMBERED ? "not loaded" : "refused",
		       err == -EACCES && log != REMEMBERED ? " by the verifier" : "",
		       errno_name(err), a->reason[0] ? ": " : "", a->reason);
}

/*
 * Open, size and load one light skeleton, first with the names route that
 * costs least (the kernel's own bpf_d_path()), then with the dentry walk
 * where the verifier refuses that.  Once a route has loaded, later objects
 * of this process take it directly.  A refused load is loaded again with a
 * verifier log when status or -v asked for the reason.
 */
/*
 * Which names route to load first: the probe says whether bpf_d_path()
 * passes the verifier here.  Without BPF permission it tells nothing (the
 * listing's own load then reports EPERM).
 */
static void probe_names(void)
{
	struct names_probe *s;
	char *log = NULL;
	int err;

	if (names_route >= 0)
		return;
	s = names_probe__open();
	if (!s)
		return;
	if (want_log || verbose) {
		log = calloc(1, VMS_LOG_SIZE);
		s->ctx.log_level = log ? 1 : 0;
		s->ctx.log_size = log ? VMS_LOG_SIZE : 0;
		s->ctx.log_buf = (long)log;
	}
	err = names_probe__load(s);
	names_probe__destroy(s);
	if (err != -EPERM) {
		note_attempt("names_probe", VMS_NAMES_D_PATH, err, err ? log : NULL);
		names_route = err ? VMS_NAMES_WALK : VMS_NAMES_D_PATH;
	}
	free(log);
}

/*
 * FMODE_BACKING for bpf/vma_name.bpf.h: a macro value, not in BTF, that
 * moved in 6.12 (include/linux/fs.h); backing files exist since 6.5 and
 * /proc/PID/maps shows their user path since 6.8.
 */
static __u32 fmode_backing(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	if (major > 6 || (major == 6 && minor >= 12))
		return 1u << 24;
	if (major == 6 && minor >= 8)
		return 1u << 25;
	return 0;
}

/* ---- the bpffs cache of loaded objects (bpfcache.h) ----------------------------- */

/*
 * A skeleton's maps and programs as arrays (the light skeleton lays them
 * out that way), for the cache.
 */
#define SKEL_MAPS(s)	((struct bpf_map_desc *)&(s)->maps)
#define SKEL_NMAPS(s)	(sizeof((s)->maps) / sizeof(struct bpf_map_desc))
#define SKEL_PROGS(s)	((struct bpf_prog_desc *)&(s)->progs)
#define SKEL_NPROGS(s)	(sizeof((s)->progs) / sizeof(struct bpf_prog_desc))

#define CACHE_MAX_MAPS	16

/*
 * Fill an opened skeleton's fds from cache entry (obj, key) and map its
 * data sections where the skeleton expects them, as its load would have.
 * 0, or -errno with nothing left open (the skeleton is then loaded).
 */
static int from_cache(const char *obj, uint64_t key, struct bpf_map_desc *maps, size_t nmaps,
		      struct bpf_prog_desc *progs, size_t nprogs, unsigned int prog_type,
		      const char *prog_name, int *lock)
{
	int mfd[CACHE_MAX_MAPS], pfd[1];
	size_t i;
	int err;

	if (nmaps > CACHE_MAX_MAPS || nprogs != 1)
		return -E2BIG;
	err = bpfcache_get(obj, key, mfd, nmaps, pfd, nprogs, prog_type, &prog_name, lock);
	if (err)
		return err;
	for (i = 0; i < nmaps; i++) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		void *p;

		maps[i].map_fd = mfd[i];
		if (!maps[i].initial_value)
			continue;
		/* A data section: mapped over the skeleton's copy, as its load does. */
		if (bpf_obj_get_info_by_fd(mfd[i], &info, &len))
			goto fail;
		len = (info.value_size + 4095) & ~4095u;
		p = mmap((void *)(long)maps[i].initial_value, len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, mfd[i], 0);
		if (p == MAP_FAILED)
			p = mmap((void *)(long)maps[i].initial_value, len, PROT_READ,
				 MAP_SHARED | MAP_FIXED, mfd[i], 0);
		if (p == MAP_FAILED)
			goto fail;
	}
	progs[0].prog_fd = pfd[0];
	return 0;
fail:
	err = -errno;
	for (i = 0; i < nmaps; i++) {
		close(mfd[i]);
		maps[i].map_fd = 0;
	}
	close(pfd[0]);
	bpfcache_release(*lock);
	*lock = -1;
	return err;
}

static void to_cache(const char *obj, uint64_t key, const struct bpf_map_desc *maps,
		     size_t nmaps, const struct bpf_prog_desc *progs, size_t nprogs, int *lock)
{
	int mfd[CACHE_MAX_MAPS], pfd[1];
	size_t i;
	int err;

	if (nmaps > CACHE_MAX_MAPS || nprogs != 1)
		return;
	for (i = 0; i < nmaps; i++)
		mfd[i] = maps[i].map_fd;
	pfd[0] = progs[0].prog_fd;
	err = bpfcache_put(obj, key, mfd, nmaps, pfd, nprogs, lock);
	if (err && verbose)
		p_note("BPF object %s: not cached in %s: %s\n", obj, BPFCACHE_DIR,
		       bpfcache_why()[0] ? bpfcache_why() : strerror(-err));
}

/*
 * Objects the cache may hold, and the name their one program bears
 * (from_cache() checks it): the fast ones, and vma_seq (its program is
 * vma_records).  Each run sets their state before each pass (FAST_SIZES,
 * RESET_PASS), and an entry's flock keeps it to one run at a time.
 * maps_text is not cached: 'vmscope pin' pins it with its iterator links,
 * whose readers would share its state with later runs.
 */
static const char *cache_prog_name(const char *obj)
{
	if (!strcmp(obj, "vma_fast") || !strcmp(obj, "vma_pid"))
		return obj;
	if (!strcmp(obj, "vma_seq"))
		return "vma_records";
	return NULL;
}

static bool cacheable(const char *obj)
{
	return cache_prog_name(obj) != NULL;
}

/*
 * A refusal to remember for the boot (an empty _refused entry): what the
 * verifier or the kernel's functions decide, never a passing shortage
 * (ENOMEM under a memory cgroup, EAGAIN, EINTR).
 */
static bool refusal_is_final(int err)
{
	return err == -EACCES || err == -EINVAL || err == -ENOENT || err == -E2BIG ||
	       err == -EOPNOTSUPP || err == -524 /* ENOTSUPP */;
}

/*
 * Open, size and load one light skeleton with the names routes of order,
 * first to last, until one loads.  Without a forced route, a route that
 * has loaded for an earlier object of this process is taken directly.
 * Where the bpffs cache may be used, an object it has is opened from it
 * instead, and one loaded here is put there (a refusal too, as an empty
 * OBJ-GEN-KEY_refused entry, so the next run does not ask the verifier again).
 * A refused load is loaded again with a verifier log when status or -v
 * asked for the reason.
 */
#define LOAD_NAMED(T, out, order, lock, ptype, prep)				\
({										\
	const char *force = getenv("VMSCOPE_NAMES");				\
	bool cache_ = bpfcache_enabled() && cacheable(#T);			\
	struct T *s_ = NULL;							\
	int i_, r_, err_ = -ENOENT;						\
										\
	for (i_ = 0; i_ < (int)ARRAY_SIZE(order); i_++) {			\
		uint64_t key_ = 0;						\
										\
		r_ = order[i_];							\
		if (force && strcmp(force, r_ == VMS_NAMES_D_PATH ? "d_path" : "walk")) \
			continue;						\
		if (!force && !cache_ && names_route >= 0 && i_ == 0 && names_route != r_) \
			continue;						\
		s_ = T##__open();						\
		if (!s_)							\
			return -errno;						\
		s_->rodata->name_route = r_;					\
		s_->rodata->fmode_backing = fmode_backing();			\
		prep;								\
		if (cache_) {							\
			key_ = bpfcache_key(#T, s_->rodata, sizeof(*s_->rodata)); \
			if (!want_log && bpfcache_refused(#T, key_)) {		\
				note_attempt(#T, r_, -EACCES, REMEMBERED);	\
				T##__destroy(s_);				\
				s_ = NULL;					\
				continue;					\
			}							\
			err_ = from_cache(#T, key_, SKEL_MAPS(s_), SKEL_NMAPS(s_),	\
					  SKEL_PROGS(s_), SKEL_NPROGS(s_), ptype,		\
					  cache_prog_name(#T), lock);			\
			if (!err_) {						\
				names_route = r_;				\
				note_attempt(#T, r_, 0, NULL);			\
				if (verbose)					\
					p_note("BPF object %s from the bpffs cache\n", #T); \
				break;						\
			}							\
			if (err_ != -ENOENT)					\
				cache_ = false;	/* busy or not trusted: a copy of our own */ \
		}								\
		err_ = T##__load(s_);						\
		if (err_ && (want_log || verbose) && err_ != -EPERM) {			\
			char *log_ = calloc(1, VMS_LOG_SIZE);			\
										\
			T##__destroy(s_);					\
			s_ = T##__open();					\
			if (!s_) {						\
				free(log_);					\
				return -errno;					\
			}							\
			s_->rodata->name_route = r_;				\
			s_->rodata->fmode_backing = fmode_backing();		\
			prep;							\
			s_->ctx.log_level = log_ ? 1 : 0;			\
			s_->ctx.log_size = log_ ? VMS_LOG_SIZE : 0;		\
			s_->ctx.log_buf = (long)log_;				\
			err_ = T##__load(s_);					\
			note_attempt(#T, r_, err_, log_);			\
			free(log_);						\
		} else {							\
			note_attempt(#T, r_, err_, NULL);			\
		}								\
		if (!err_) {							\
			names_route = r_;					\
			if (cache_)						\
				to_cache(#T, key_, SKEL_MAPS(s_), SKEL_NMAPS(s_), \
					 SKEL_PROGS(s_), SKEL_NPROGS(s_), lock); \
			break;							\
		}							\
		T##__destroy(s_);						\
		s_ = NULL;							\
		if (err_ == -EPERM)						\
			break;	/* no BPF permission: no route helps */		\
		if (cache_ && refusal_is_final(err_))				\
			bpfcache_refuse(#T, key_);					\
	}									\
	out = s_;								\
	err_;									\
})

/* Route orders: the kernel's d_path where it loads (probe_names() tells). */
static const int order_dpath_first[] = { VMS_NAMES_D_PATH, VMS_NAMES_WALK };
/* The fast listing walks the VMA tree only with names by the walk. */
static const int order_walk_first[] = { VMS_NAMES_WALK, VMS_NAMES_D_PATH };

/*
 * The sizes and switches vma_fast and vma_pid share (the same source,
 * vma_tree.bpf.h), set on the skeleton s_ that LOAD_NAMED() opened.
 */
#define FAST_SIZES(o) ({						\
	s_->maps.out.max_entries = (o)->out_cap;				\
	s_->rodata->out_cap = (o)->out_cap;					\
	s_->maps.strtab.max_entries = (o)->str_chunks;			\
	s_->rodata->str_chunks = (o)->str_chunks;				\
	s_->rodata->tree_walk = !(o)->no_tree;				\
})

static int open_fast(struct vma_bpf *o)
{
	struct vma_fast *s;
	int err;

	/* No probe: this object names files by the walk first (the tree needs it). */
	err = LOAD_NAMED(vma_fast, s, order_walk_first, &o->fast_lock, BPF_PROG_TYPE_TRACING, ({
		FAST_SIZES(o);
		s_->rodata->ns_local = true;	/* an iterator: pids as the reader's namespace has them */
	}));
	if (err)
		return err;
	map_view_init(&o->out, s->maps.out.map_fd, o->out_cap * sizeof(struct vms_vma));
	map_view_init(&o->fast_str, s->maps.strtab.map_fd, str_len_of(o));
	o->fast = s;
	records_route = names_route;
	return 0;
}

/*
 * Is this process in the initial pid namespace?  The vma_pid object finds
 * processes there (bpf_task_from_pid()); elsewhere the iterator link
 * looks the pid up in the caller's namespace.
 */
static bool init_pid_ns(void)
{
	struct stat st;

	return !stat("/proc/self/ns/pid", &st) && st.st_ino == 0xeffffffc;	/* PROC_PID_INIT_INO */
}

/* The fast listing of one process in one system call, where it can be. */
static int open_pid(struct vma_bpf *o)
{
	struct vma_pid *s;
	int err;

	if (o->force_seq || !o->want_fast)
		return -ENOTSUP;
	if (!init_pid_ns())
		return -EXDEV;
	err = LOAD_NAMED(vma_pid, s, order_walk_first, &o->pid_lock, BPF_PROG_TYPE_SYSCALL, FAST_SIZES(o));
	if (err)
		return err;
	map_view_init(&o->pid_out, s->maps.out.map_fd, o->out_cap * sizeof(struct vms_vma));
	map_view_init(&o->pid_str, s->maps.strtab.map_fd, str_len_of(o));
	o->pid = s;
	records_route = names_route;
	return 0;
}

static int open_seq(struct vma_bpf *o)
{
	struct vma_seq *s;
	int err;

	if (o->seq)
		return 0;
	if (!getenv("VMSCOPE_NAMES") && !bpfcache_enabled())
		probe_names();
	err = LOAD_NAMED(vma_seq, s, order_dpath_first, &o->seq_lock, BPF_PROG_TYPE_TRACING, ({
		s_->maps.strtab.max_entries = o->str_chunks;
		s_->rodata->str_chunks = o->str_chunks;
		s_->rodata->ns_local = true;
	}));
	if (err)
		return err;
	o->seq = s;
	if (!o->fast)
		records_route = names_route;
	map_view_init(&o->seq_str, s->maps.strtab.map_fd, str_len_of(o));
	return 0;
}

static int open_text(struct vma_bpf *o)
{
	struct maps_text *s;
	int err;

	if (!getenv("VMSCOPE_NAMES") && !bpfcache_enabled())
		probe_names();
	err = LOAD_NAMED(maps_text, s, order_dpath_first, &o->text_lock, BPF_PROG_TYPE_TRACING, ({
		s_->rodata->vsyscall_flags = vsyscall_vm_flags();
	}));
	if (!err)
		o->text = s;
	return err;
}

static int open_mod(struct vma_bpf *o);

static int open_bpf(struct vma_bpf *o, unsigned int flags)
{
	const char *path = getenv("VMSCOPE_PATH");
	int err;

	/* VMSCOPE_PATH=seq|fast|iter forces a path (tests, comparisons). */
	o->force_seq = path && !strcmp(path, "seq");
	o->no_tree = path && !strcmp(path, "iter");
	o->force_mod = path && !strcmp(path, "module");
	if (o->force_mod)
		flags = (flags & ~VMALIST_FAST) | VMALIST_MODULE;
	if (path && (!strcmp(path, "fast") || o->no_tree))
		flags |= VMALIST_FAST;
	/*
	 * The fast listing costs more to load than the seq one; from the
	 * bpffs cache, both cost nothing: then every listing is the fast one.
	 */
	if (bpfcache_enabled() && !o->force_seq && !o->force_mod)
		flags |= VMALIST_FAST;
	o->want_fast = flags & VMALIST_FAST;
	if (flags & VMALIST_RECORDS) {
		/*
		 * One process at a time: the object that lists one process per
		 * system call, where it loads; every process, or where it does
		 * not: the iterator (loaded here, so that a failure shows now).
		 */
		if (!o->force_seq && (flags & VMALIST_FAST)) {
			o->pid_err = open_pid(o);
			if (!o->pid_err)
				goto text;
		}
		o->fast_err = o->force_seq || !(flags & VMALIST_FAST) ? -ENOTSUP : open_fast(o);
		if (o->fast_err) {
			/* No open-coded iterator (before 6.7): the seq path does it all. */
			if (o->fast)
				return o->fast_err;
			if (path && (!strcmp(path, "fast") || o->no_tree))
				return o->fast_err;
			err = open_seq(o);
			if (err)
				return err;
		}
		/* Where no fast path lists one process, the module can. */
		if ((flags & VMALIST_MODULE) && !o->fast && !o->force_seq) {
			o->mod_err = open_mod(o);
			if (o->mod_err && o->force_mod)
				return o->mod_err;
		}
	}
text:
	if (flags & VMALIST_TEXT)
		return open_text(o);
	return 0;
}

static void close_bpf(struct vma_bpf *o)
{
	vmem_close(o->mod);
	o->mod = NULL;
	map_view_free(&o->seq_str);
	map_view_free(&o->fast_str);
	map_view_free(&o->out);
	map_view_free(&o->pid_str);
	map_view_free(&o->pid_out);
	vma_pid__destroy(o->pid);
	bpfcache_release(o->pid_lock);
	o->pid_lock = -1;
	o->pid = NULL;
	maps_text__destroy(o->text);
	vma_seq__destroy(o->seq);
	vma_fast__destroy(o->fast);
	bpfcache_release(o->fast_lock);
	bpfcache_release(o->seq_lock);
	bpfcache_release(o->text_lock);
	o->fast_lock = o->seq_lock = o->text_lock = -1;
	o->text = NULL;
	o->seq = NULL;
	o->fast = NULL;
}

struct vma_bpf *vmalist_open(unsigned int flags, int *err)
{
	struct vma_bpf *o = calloc(1, sizeof(*o));

	*err = 0;
	if (!o) {
		*err = -ENOMEM;
		return NULL;
	}
	/*
	 * One process fits small buffers; every process gets bigger ones, and
	 * so does every listing from the bpffs cache (one size, one entry).
	 */
	o->fast_lock = o->seq_lock = o->text_lock = o->pid_lock = -1;
	o->mod_err = 1;
	if (bpfcache_enabled())
		flags |= VMALIST_ALL;
	o->out_cap = flags & VMALIST_ALL ? VMS_FAST_CAP : 4096;
	o->str_chunks = flags & VMALIST_ALL ? 16 : 4;
	o->source = VMALIST_SRC_BPF;
	if (!(flags & VMALIST_ONLY_PROC)) {
		*err = open_bpf(o, flags);
		if (!*err)
			return o;
		close_bpf(o);
		/* The pins are BPF iterators: there is no text to fall back to. */
		if ((flags & (VMALIST_ONLY_BPF | VMALIST_TEXT)) || !(flags & VMALIST_RECORDS)) {
			free(o);
			return NULL;
		}
	}
	o->bpf_err = flags & VMALIST_ONLY_PROC ? 0 : *err;
	o->source = VMALIST_SRC_PROC;
	*err = 0;
	return o;
}

void vmalist_close(struct vma_bpf *o)
{
	if (!o)
		return;
	if (verbose && (o->nr_tree || o->nr_iter))
		p_note("listing: %u process%s by the VMA tree walk (%u tried twice), "
		       "%u by the VMA iterator\n", o->nr_tree, o->nr_tree == 1 ? "" : "es",
		       o->nr_tree_retry, o->nr_iter);
	if (verbose && (o->nr_mod || o->nr_mod_fallback))
		p_note("listing: %u process%s by the module (vmscope_find_vmas), %u by the "
		       "iterator instead (mmap_lock busy for 5 s, or no CAP_SYS_PTRACE)\n",
		       o->nr_mod, o->nr_mod == 1 ? "" : "es", o->nr_mod_fallback);
	close_bpf(o);
	free(o);
}

bool vmalist_fast(const struct vma_bpf *o)
{
	return o->fast || o->pid;
}

void vmalist_fast_stats(const struct vma_bpf *o, unsigned int *tree, unsigned int *retry,
			unsigned int *iter)
{
	*tree = o->nr_tree;
	*retry = o->nr_tree_retry;
	*iter = o->nr_iter;
}

enum vmalist_source vmalist_source(const struct vma_bpf *o)
{
	return o->source;
}

int vmalist_bpf_err(const struct vma_bpf *o)
{
	return o->bpf_err;
}

bool vmalist_by_module(const struct vma_bpf *o)
{
	return o->last_mod;
}

int vmalist_module_err(const struct vma_bpf *o)
{
	return o->mod_err;
}

/* An iterator link of prog over every process (pid 0) or one. */
static int iter_link(int prog_fd, pid_t pid)
{
	union bpf_iter_link_info linfo;
	LIBBPF_OPTS(bpf_link_create_opts, opts);

	memset(&linfo, 0, sizeof(linfo));
	if (pid > 0) {
		linfo.task.pid = pid;
		opts.iter_info = &linfo;
		opts.iter_info_len = sizeof(linfo);
	}
	return bpf_link_create(prog_fd, 0, BPF_TRACE_ITER, &opts);
}

static int grow(struct vmalist *l, size_t want)
{
	struct vms_vma *v;
	size_t cap;

	if (l->cap - l->n >= want)
		return 0;
	cap = l->cap ? l->cap * 2 : 256;
	while (cap - l->n < want)
		cap *= 2;
	v = realloc(l->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	l->cap = cap;
	return 0;
}

static int grow_str(struct vmalist *l, size_t want)
{
	size_t cap;
	char *s;

	if (l->str_cap - l->str_len >= want)
		return 0;
	cap = l->str_cap ? l->str_cap * 2 : 65536;
	while (cap - l->str_len < want)
		cap *= 2;
	s = realloc(l->str, cap);
	if (!s)
		return -ENOMEM;
	l->str = s;
	l->str_cap = cap;
	return 0;
}

/*
 * Run an iterator to its end.  out == NULL: it must write nothing (the fast
 * path); otherwise its fixed-size records are appended to out, read in
 * whole records (a partial record at the end is an error, never a guess).
 */
static int run_iter(int prog_fd, pid_t pid, struct vmalist *out)
{
	size_t got = 0;	/* bytes of the record being filled */
	int link, fd, err = 0;
	ssize_t n;

	link = iter_link(prog_fd, pid);
	if (link < 0)
		return link;
	fd = bpf_iter_create(link);
	if (fd < 0) {
		err = fd;
		goto out_link;
	}
	for (;;) {
		char *dst, sink[64];
		size_t room;

		if (out) {
			err = grow(out, 128);
			if (err)
				break;
			dst = (char *)(out->v + out->n) + got;
			room = (out->cap - out->n) * sizeof(*out->v) - got;
		} else {
			dst = sink;
			room = sizeof(sink);
		}
		n = read(fd, dst, room);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		if (!out) {
			err = -EPROTO;	/* the fast path writes nothing here */
			break;
		}
		got += n;
		out->n += got / sizeof(*out->v);
		got %= sizeof(*out->v);
	}
	if (!err && got)
		err = -EPROTO;
	close(fd);
out_link:
	close(link);
	return err;
}

/*
 * The fast listing's state in either of its objects (vma_tree.bpf.h):
 * vma_fast (an iterator link per pass) or vma_pid (a program run).
 */
struct fast_io {
	__u32 *nr_out, *str_pos, *full, *comm_tgid, *resume_tgid;
	__u32 *nr_busy, *busy_pids, *nr_busy_lost, *nr_tree, *nr_tree_retry, *nr_iter;
	__u64 *resume_addr, *last_file, *cur_mm, *cur_start_time, *cur_exec_id;
	__u32 *mm_switched;
	__u32 *in_pid;
	__s32 *pid_err;
	int prog_fd;
	bool iter;		/* prog_fd is an iterator's */
	struct map_view *out, *str;
};

#define FAST_IO(io, s, prog) do {						\
	(io)->nr_out = &(s)->bss->nr_out;					\
	(io)->str_pos = &(s)->bss->str_pos;					\
	(io)->full = &(s)->bss->full;						\
	(io)->comm_tgid = &(s)->bss->comm_tgid;					\
	(io)->resume_tgid = &(s)->bss->resume_tgid;				\
	(io)->nr_busy = &(s)->bss->nr_busy;					\
	(io)->busy_pids = (s)->bss->busy_pids;					\
	(io)->nr_busy_lost = &(s)->bss->nr_busy_lost;				\
	(io)->nr_tree = &(s)->bss->nr_tree;					\
	(io)->nr_tree_retry = &(s)->bss->nr_tree_retry;				\
	(io)->nr_iter = &(s)->bss->nr_iter;					\
	(io)->resume_addr = &(s)->bss->resume_addr;				\
	(io)->last_file = &(s)->bss->last_file;					\
	(io)->cur_mm = &(s)->bss->cur_mm;					\
	(io)->cur_start_time = &(s)->bss->cur_start_time;			\
	(io)->cur_exec_id = &(s)->bss->cur_exec_id;				\
	(io)->mm_switched = &(s)->bss->mm_switched;				\
	(io)->prog_fd = (s)->progs.prog.prog_fd;				\
} while (0)

/* The per-pass state both programs share (vma_rec.bpf.h), reset. */
#define RESET_PASS(bss) do {			\
	(bss)->str_pos = 0;			\
	(bss)->full = 0;			\
	(bss)->last_file = 0;			\
	(bss)->comm_tgid = 0;			\
	(bss)->cur_mm = 0;			\
	(bss)->cur_start_time = 0;		\
	(bss)->cur_exec_id = 0;			\
	(bss)->mm_switched = 0;			\
} while (0)

/*
 * One process listed in several passes must be one address space: each
 * pass says which it listed last (its mm, and its task's start time); an
 * exec or a reused pid between two passes changes that, and so does an
 * exec inside one pass of the iterator (mm_switched): the listing starts
 * over.  0: go on; 1: start over; -EAGAIN: it kept changing.  Listings
 * of every process do not check (one exec somewhere would start them
 * all over).
 */
struct same_mm {
	__u64 mm, start, exec;
	int restarts;
};

static int same_mm_check(struct same_mm *s, __u64 mm, __u64 start, __u64 exec, bool switched)
{
	if (switched) {	/* within one pass (mm_switched) */
		s->mm = 0;
		return ++s->restarts > 4 ? -EAGAIN : 1;
	}
	if (!mm)
		return 0;	/* nothing of it in this pass */
	if (!s->mm) {
		s->mm = mm;
		s->start = start;
		s->exec = exec;
		return 0;
	}
	if (s->mm == mm && s->start == start && s->exec == exec)
		return 0;
	s->mm = 0;
	return ++s->restarts > 4 ? -EAGAIN : 1;
}

/* Copy a pass's strings into l and rebase the records [first, l->n). */
static int take_strings(struct vmalist *l, size_t first, struct map_view *v, size_t len)
{
	size_t base = l->str_len, i;
	const char *str;
	int err;

	str = len ? map_view(v, len) : "";
	if (!str)
		return -errno;
	err = grow_str(l, len);
	if (err)
		return err;
	memcpy(l->str + base, str, len);
	l->str_len += len;
	for (i = first; i < l->n; i++) {
		l->v[i].name_off += base;
		l->v[i].comm_off += base;
	}
	return 0;
}

/* One process (or all) through the seq path, in as many passes as needed. */
/* one: pid's listing is the answer (checked to be of one address space). */
static int collect_seq(struct vma_bpf *o, pid_t pid, struct vmalist *out, bool one)
{
	size_t first0 = out->n, first_str0 = out->str_len;
	struct same_mm id = {};
	struct vma_seq__bss *bss;
	int err = open_seq(o);

	if (err)
		return err;
	bss = o->seq->bss;
	bss->resume_tgid = 0;
	bss->resume_addr = 0;
	do {
		size_t first = out->n;
		int r;

		RESET_PASS(bss);
		err = run_iter(o->seq->progs.vma_records.prog_fd, pid, out);
		if (!err)
			err = take_strings(out, first, &o->seq_str, bss->str_pos);
		if (!err && one && (r = same_mm_check(&id, bss->cur_mm, bss->cur_start_time,
						      bss->cur_exec_id, bss->mm_switched))) {
			out->n = first0;
			out->str_len = first_str0;
			if (r < 0)
				return r;
			bss->resume_tgid = 0;
			bss->resume_addr = 0;
			bss->full = 1;	/* once more, from the start */
		}
	} while (!err && bss->full);
	return err;
}

/* ---- the module's listing (VMALIST_MODULE) -------------------------------------- */

static int add_str(struct vmalist *l, const char *s, size_t len, __u32 *off);

static int open_mod(struct vma_bpf *o)
{
	int err;

	if (access("/sys/kernel/btf/vmscope", F_OK))
		return -ENOPKG;
	o->mod = vmem_open_for(VMEM_P_FIND, &err);
	if (!o->mod)
		return err;
	if (vmem_abi(o->mod) != VMSCOPE_ABI_VERSION) {
		vmem_close(o->mod);
		o->mod = NULL;
		return -EPROTO;
	}
	return 0;
}

/*
 * One process through the module: vmscope_find_vmas() chained, each run
 * copying out up to VMEM_FIND_NAME_BATCH VMAs in address order, names by
 * the kernel's own d_path().  Everything read back from the shared buffer
 * is checked before use; a record that breaks the chain's order is an
 * error, never a listing.  A listing of several runs is of one address
 * space: if the process execs (or its pid is reused) between two runs,
 * the module's mm_id changes and the listing starts over (-EAGAIN after
 * MOD_RESTARTS).
 */
#define MOD_RESTARTS	4
static int collect_module(struct vma_bpf *o, pid_t pid, struct vmalist *out)
{
	const size_t batch = VMEM_FIND_NAME_BATCH;
	const size_t room = VMEM_BUF_SIZE - sizeof(struct vms_find) -
			    batch * sizeof(struct vms_vmainfo);
	size_t first = out->n, first_str = out->str_len;
	__u64 addr = 0, mm_id = 0;
	int err = 0, restarts = 0;
	bool end = false;
	__u32 comm_off = 0;

	while (!err && !end) {
		struct vms_vmainfo *vi = vmem_find_recs(o->mod);
		const struct vms_find *h = (const struct vms_find *)vi - 1;
		size_t base, i, slen;
		int ret;

		vi[0].addr = addr;
		ret = vmem_find_run(o->mod, pid, batch, VMS_FIND_NAME | VMS_FIND_CHAIN);
		if (ret < 0) {
			err = ret;
			break;
		}
		slen = h->str_len;
		if (!ret || (size_t)ret > batch || slen > room) {
			err = -EPROTO;	/* no progress, or more than asked: never loop */
			break;
		}
		if (addr && h->mm_id != mm_id) {
			/* Another address space since the first run: start over. */
			out->n = first;
			out->str_len = first_str;
			addr = 0;
			if (++restarts > MOD_RESTARTS)
				err = -EAGAIN;
			continue;
		}
		mm_id = h->mm_id;
		/* The name the process had at the first run. */
		if (out->n == first)
			err = add_str(out, h->comm, strnlen(h->comm, sizeof(h->comm)), &comm_off);
		if (!err)
			err = grow(out, ret);
		if (!err)
			err = grow_str(out, slen + 1);
		if (err)
			break;
		base = out->str_len;
		memcpy(out->str + base, (const char *)(vi + batch), slen);
		out->str[base + slen] = 0;	/* names are NUL-terminated below */
		out->str_len += slen + 1;
		for (i = 0; i < (size_t)ret; i++) {
			struct vms_vmainfo r = vi[i];
			struct vms_vma *v = &out->v[out->n];

			if (r.err == -ENOENT && i + 1 == (size_t)ret) {
				end = true;	/* no VMA after addr: the listing is whole */
				break;
			}
			/* A VMA that grew back over addr while the lock was let go
			 * overlaps the one before: drop_stale() keeps the later. */
			if (r.err || r.vma.end <= addr || r.vma.end <= r.vma.start ||
			    (r.vma.name_len && (r.vma.name_off >= slen ||
						r.vma.name_len >= slen - r.vma.name_off))) {
				err = -EPROTO;
				break;
			}
			*v = r.vma;
			v->pid = pid;
			v->comm_off = comm_off;
			v->name_off = r.vma.name_len ? base + r.vma.name_off : 0;
			if (r.vma.name_len)	/* whatever the buffer held at that byte */
				out->str[v->name_off + r.vma.name_len] = 0;
			addr = r.vma.end;
			out->n++;
		}
	}
	if (err) {
		out->n = first;
		out->str_len = first_str;
		/* No such process, or one without an mm: no records, as from the
		 * iterators (callers say why). */
		return err == -ESRCH || err == -EINVAL ? 0 : err;
	}
	o->nr_mod++;
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct vms_vma *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

__u64 vsyscall_vm_flags(void)
{
	static int done;
	static __u64 flags;
	char line[256];
	FILE *f;

	if (done)
		return flags;
	done = 1;
	f = fopen("/proc/self/maps", "re");
	while (f && fgets(line, sizeof(line), f)) {
		char perms[8];

		if (!strstr(line, " [vsyscall]") || sscanf(line, "%*s %7s", perms) != 1)
			continue;
		flags = (perms[0] == 'r' ? VMS_VM_READ : 0) | (perms[1] == 'w' ? VMS_VM_WRITE : 0) |
			(perms[2] == 'x' ? VMS_VM_EXEC : 0);
	}
	if (f)
		fclose(f);
	return flags;
}

/*
 * /proc/PID/maps ends with the gate VMA, which no iterator visits: add it
 * after the last record of each process whose mm has it.
 */
static int add_vsyscall(struct vmalist *l, size_t first)
{
	static const char name[] = "[vsyscall]";
	__u64 flags = vsyscall_vm_flags();
	size_t i, groups = 0, o;
	struct vms_vma *v;
	__u32 off;

	if (!flags)
		return 0;
	for (i = first; i < l->n; i++)
		if ((l->v[i].rflags & VMS_R_MM_VSYSCALL) &&
		    (i + 1 == l->n || l->v[i + 1].pid != l->v[i].pid))
			groups++;
	if (!groups)
		return 0;
	if (grow(l, groups) || grow_str(l, sizeof(name)))
		return -ENOMEM;
	off = l->str_len;
	memcpy(l->str + off, name, sizeof(name));
	l->str_len += sizeof(name);
	/* Spread from the end, so every record moves once. */
	v = l->v;
	o = l->n + groups;
	for (i = l->n; i-- > first;) {
		if ((v[i].rflags & VMS_R_MM_VSYSCALL) &&
		    (i + 1 == l->n || v[i + 1].pid != v[i].pid)) {
			struct vms_vma *g = &v[--o];

			memset(g, 0, sizeof(*g));
			g->start = VMS_VSYSCALL_START;
			g->end = VMS_VSYSCALL_END;
			g->vm_flags = flags;
			g->pid = v[i].pid;
			g->comm_off = v[i].comm_off;
			g->name_off = off;
			g->name_len = sizeof(name) - 1;
			g->name_kind = VMS_NAME_SPECIAL;
		}
		v[--o] = v[i];
	}
	l->n += groups;
	return 0;
}

static int collect(struct vma_bpf *o, pid_t pid, struct vmalist *out);
static int collect_module(struct vma_bpf *o, pid_t pid, struct vmalist *out);
static int collect_proc(pid_t pid, struct vmalist *out);
static int collect_proc_all(struct vmalist *out);

/*
 * The task_vma iterator (the seq path) lets go of mmap_lock when a writer
 * waits for it; on retaking it, it may return a VMA that changed meanwhile
 * and overlaps the one before (kernel/bpf/task_iter.c, "case 4.2"; 6.1's
 * /proc/PID/maps can do the same).  The earlier record is then stale: keep
 * the later one, so that a listing is sorted and never overlaps.
 */
static void drop_stale(struct vmalist *l, size_t first)
{
	size_t k, o = first;

	for (k = first; k < l->n; k++) {
		while (o > first && l->v[o - 1].pid == l->v[k].pid &&
		       l->v[k].start < l->v[o - 1].end)
			o--;
		l->v[o++] = l->v[k];
	}
	l->n = o;
}

int vmalist_collect(struct vma_bpf *o, pid_t pid, struct vmalist *out)
{
	size_t first = out->n;
	int err;

	if (o->source == VMALIST_SRC_PROC)
		return pid ? collect_proc(pid, out) : collect_proc_all(out);
	err = collect(o, pid, out);
	if (!err)
		drop_stale(out, first);
	return err ?: add_vsyscall(out, first);
}

/* One pass of the fast listing: an iterator read, or one program run. */
static int fast_pass(const struct fast_io *io, pid_t pid)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	if (io->iter)
		return run_iter(io->prog_fd, pid, NULL);
	*io->in_pid = pid;
	if (bpf_prog_test_run_opts(io->prog_fd, &opts))
		return -errno;
	/* No such process: no records, as from an iterator (callers say why). */
	return *io->pid_err == -ESRCH ? 0 : *io->pid_err;
}

static int open_pid(struct vma_bpf *o);

/* The fast object for pid (0: every process), with its state in io. */
static bool fast_io_of(struct vma_bpf *o, pid_t pid, struct fast_io *io)
{
	if (pid && !o->pid_err && !o->pid)
		o->pid_err = open_pid(o);
	if (pid && o->pid) {
		FAST_IO(io, o->pid, vma_pid);
		io->in_pid = &o->pid->bss->in_pid;
		io->pid_err = &o->pid->bss->pid_err;
		io->iter = false;
		io->out = &o->pid_out;
		io->str = &o->pid_str;
		return true;
	}
	if (!o->fast && open_fast(o))
		return false;
	FAST_IO(io, o->fast, vma_fast);
	io->iter = true;
	io->out = &o->out;
	io->str = &o->fast_str;
	return true;
}

static int collect(struct vma_bpf *o, pid_t pid, struct vmalist *out)
{
	size_t first = out->n, first_str = out->str_len;
	__u32 busy[64], nbusy, i, rt;
	bool lost = false, any_busy = false;
	struct same_mm id = {};
	struct fast_io io;
	const char *recs;
	__u64 ra;
	int err;

	o->last_mod = false;
	if (pid && o->mod) {
		err = collect_module(o, pid, out);
		/*
		 * The module never waits for a contended mmap_lock (it gave up
		 * after 5 s of retries) and needs CAP_SYS_PTRACE for another's
		 * process; the iterator does neither: it lists that one.
		 */
		if ((err != -EAGAIN && err != -EPERM) || o->force_mod) {
			o->last_mod = true;
			return err;
		}
		o->nr_mod_fallback++;
		return collect_seq(o, pid, out, pid != 0);
	}
	if ((!o->fast && !o->pid) || !fast_io_of(o, pid, &io))
		return collect_seq(o, pid, out, pid != 0);
	*io.resume_tgid = 0;
	*io.resume_addr = 0;
	do {
		size_t n;

		*io.str_pos = 0;
		*io.full = 0;
		*io.last_file = 0;
		*io.comm_tgid = 0;
		*io.cur_mm = 0;
		*io.cur_start_time = 0;
		*io.cur_exec_id = 0;
		*io.mm_switched = 0;
		*io.nr_out = 0;
		*io.nr_busy = 0;
		*io.nr_busy_lost = 0;
		*io.nr_tree = 0;
		*io.nr_tree_retry = 0;
		*io.nr_iter = 0;
		err = fast_pass(&io, pid);
		if (err)
			return err;
		o->nr_tree += *io.nr_tree;
		o->nr_tree_retry += *io.nr_tree_retry;
		o->nr_iter += *io.nr_iter;
		n = *io.nr_out;
		if (n > o->out_cap)
			return -EPROTO;
		err = grow(out, n);
		if (err)
			return err;
		recs = n ? map_view(io.out, n * sizeof(*out->v)) : "";
		if (!recs)
			return -errno;
		memcpy(out->v + out->n, recs, n * sizeof(*out->v));
		out->n += n;
		err = take_strings(out, out->n - n, io.str, *io.str_pos);
		if (err)
			return err;
		if (pid && (err = same_mm_check(&id, *io.cur_mm, *io.cur_start_time,
						*io.cur_exec_id, *io.mm_switched))) {
			out->n = first;
			out->str_len = first_str;
			if (err < 0)
				return err;
			err = 0;
			*io.resume_tgid = 0;
			*io.resume_addr = 0;
			*io.full = 1;	/* once more, from the start */
			continue;
		}
		nbusy = *io.nr_busy < 64 ? *io.nr_busy : 64;
		memcpy(busy, io.busy_pids, nbusy * sizeof(busy[0]));
		lost |= *io.nr_busy_lost != 0;
		rt = *io.resume_tgid;
		ra = *io.resume_addr;
		/* The one process was busy: the seq path lists it, whole. */
		if (pid && nbusy && !lost) {
			out->n = first;
			out->str_len = first_str;
			return collect_seq(o, pid, out, true);
		}
		/* Processes the iterator could not start on: the seq path waits. */
		for (i = 0; i < nbusy && !lost; i++) {
			err = collect_seq(o, busy[i], out, false);
			if (err && err != -ESRCH && err != -ENOENT)
				return err;
			any_busy = true;
		}
		*io.resume_tgid = rt;
		*io.resume_addr = ra;
	} while (*io.full);
	if (lost) {
		out->n = first;
		out->str_len = first_str;
		return collect_seq(o, pid, out, pid != 0);
	}
	if (any_busy && out->n > first)
		qsort(out->v + first, out->n - first, sizeof(*out->v), cmp_pid);
	return 0;
}

/* ---- the fallback: /proc/PID/maps text ----------------------------------------- */

unsigned int vma_kind_of_name(const char *name, __u64 ino)
{
	if (!*name)
		return VMS_NAME_NONE;
	if (!strcmp(name, "[heap]"))
		return VMS_NAME_HEAP;
	if (!strcmp(name, "[stack]"))
		return VMS_NAME_STACK;
	if (!strncmp(name, "[anon:", 6))
		return VMS_NAME_ANON;
	if (!strncmp(name, "[anon_shmem:", 12))
		return VMS_NAME_ANON_SHMEM;
	if (name[0] == '[' && !ino)
		return VMS_NAME_SPECIAL;
	return VMS_NAME_FILE;
}

/* Append s (with its NUL) to the string table; its offset into *off. */
static int add_str(struct vmalist *l, const char *s, size_t len, __u32 *off)
{
	int err = grow_str(l, len + 1);

	if (err)
		return err;
	*off = l->str_len;
	memcpy(l->str + l->str_len, s, len);
	l->str[l->str_len + len] = 0;
	l->str_len += len + 1;
	return 0;
}

/*
 * One line of /proc/PID/maps into r.  The name is kept as the kernel
 * printed it: a '\n' in a file name stays "\012" (the text cannot tell it
 * from those four characters).
 */
static int parse_maps_line(struct vmalist *l, char *line, struct vms_vma *r)
{
	unsigned long long start, end, pgoff, ino;
	unsigned int major, minor;
	char perms[5];
	size_t len;
	int pos = 0;
	char *name;

	if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu%n", &start, &end, perms, &pgoff, &major,
		   &minor, &ino, &pos) != 7 || strlen(perms) != 4)
		return -EPROTO;
	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = end;
	r->pgoff = pgoff;
	r->ino = ino;
	r->dev = major << 20 | (minor & 0xfffff);
	r->vm_flags = (perms[0] == 'r' ? VMS_VM_READ : 0) | (perms[1] == 'w' ? VMS_VM_WRITE : 0) |
		      (perms[2] == 'x' ? VMS_VM_EXEC : 0) |
		      (perms[3] == 's' ? VMS_VM_MAYSHARE | VMS_VM_SHARED : 0);
	name = line + pos;
	while (*name == ' ')
		name++;
	len = strcspn(name, "\n");
	if (len >= VMS_NAME_MAX)
		return -EPROTO;
	name[len] = 0;
	r->name_kind = vma_kind_of_name(name, ino);
	if (r->start == VMS_VSYSCALL_START && !strcmp(name, "[vsyscall]"))
		r->name_kind = VMS_NAME_SPECIAL;
	r->name_len = len;
	return len ? add_str(l, name, len, &r->name_off) : 0;
}

/* One process's /proc/PID/maps into out; -errno (nothing added) on failure. */
static int collect_proc(pid_t pid, struct vmalist *out)
{
	size_t first = out->n, first_str = out->str_len, cap = 0;
	char path[64], comm[64], *line = NULL;
	ssize_t n;
	__u32 comm_off;
	int err = 0, fd;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 0)
		n = 0;
	comm[n] = 0;
	comm[strcspn(comm, "\n")] = 0;
	err = add_str(out, comm, strlen(comm), &comm_off);
	while (!err && (n = getline(&line, &cap, f)) > 0) {
		struct vms_vma *r;

		err = grow(out, 1);
		if (err)
			break;
		r = &out->v[out->n];
		err = parse_maps_line(out, line, r);
		if (err)
			break;
		r->pid = pid;
		r->comm_off = comm_off;
		out->n++;
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	fclose(f);
	if (err) {
		out->n = first;
		out->str_len = first_str;
		return err;
	}
	/* An empty maps: a kernel thread or an exited process has none. */
	if (out->n == first) {
		out->str_len = first_str;
		return -ENOENT;
	}
	drop_stale(out, first);
	return 0;
}

static int cmp_pid_t(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/* Every process whose maps this user can read, by pid. */
static int collect_proc_all(struct vmalist *out)
{
	pid_t *pids = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d = opendir("/proc");
	int err = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		long v = strtol(de->d_name, &end, 10);

		if (*end || v <= 0)
			continue;
		if (n == cap) {
			pid_t *p = realloc(pids, (cap = cap ? cap * 2 : 256) * sizeof(*p));

			if (!p) {
				err = -ENOMEM;
				break;
			}
			pids = p;
		}
		pids[n++] = v;
	}
	closedir(d);
	if (!err) {
		qsort(pids, n, sizeof(*pids), cmp_pid_t);
		for (i = 0; i < n && !err; i++) {
			int e = collect_proc(pids[i], out);

			/* Gone, a kernel thread, or not this user's: as the iterator, skip it. */
			if (e == -ENOENT || e == -ESRCH || e == -EACCES || e == -EPERM)
				proc_skipped += e == -EACCES || e == -EPERM;
			else
				err = e;
		}
	}
	free(pids);
	return err;
}

size_t vmalist_proc_skipped(void)
{
	return proc_skipped;
}

void vmalist_reset(struct vmalist *l)
{
	l->n = 0;
	l->str_len = 0;
}

void vmalist_free(struct vmalist *l)
{
	free(l->v);
	free(l->str);
	memset(l, 0, sizeof(*l));
}

int vmalist_pin_text(struct vma_bpf *o, pid_t pid, const char *path)
{
	int link, err;

	link = iter_link(o->text->progs.vma_maps_text.prog_fd, pid);
	if (link < 0)
		return link;
	err = bpf_obj_pin(link, path) ? -errno : 0;
	close(link);	/* the pin keeps the link alive */
	return err;
}

int vma_format_maps(const struct vmalist *l, const struct vms_vma *r, char *buf, size_t sz)
{
	const char *name = vma_name_of(l, r);
	char perms[5];
	size_t o;
	int n;

	vm_flags_perms(r->vm_flags, perms);
	n = snprintf(buf, sz, "%08llx-%08llx %s %08llx %02x:%02x %llu ",
		     (unsigned long long)r->start, (unsigned long long)r->end, perms,
		     (unsigned long long)r->pgoff, r->dev >> 20, r->dev & 0xfffff,
		     (unsigned long long)r->ino);
	if (n < 0 || (size_t)n >= sz)
		return -ENOSPC;
	if (!*name)
		return n;
	/* seq_pad(): the name starts in column 73, after at least one space */
	o = n;
	do {
		if (o + 1 >= sz)
			return -ENOSPC;
		buf[o++] = ' ';
	} while (o < 73);
	/* seq_path(..., "\n") escapes newlines in file names as \012 */
	for (; *name; name++) {
		if (o + 5 >= sz)
			return -ENOSPC;
		if (*name == '\n' && r->name_kind == VMS_NAME_FILE) {
			memcpy(buf + o, "\\012", 4);
			o += 4;
		} else {
			buf[o++] = *name;
		}
	}
	buf[o] = 0;
	return o;
}

void vmalist_probe_routes(void)
{
	/* The sizes a listing takes (the same cache entry, where there is one). */
	struct vma_bpf o = { .out_cap = bpfcache_enabled() ? VMS_FAST_CAP : 4096,
			     .str_chunks = bpfcache_enabled() ? 16 : 4,
			     .fast_lock = -1, .seq_lock = -1, .text_lock = -1 };

	want_log = true;
	open_fast(&o);
	open_seq(&o);
	open_text(&o);
	close_bpf(&o);
}

/* ---- how commands name the listing's source ------------------------------------ */

int parse_listing_source(const char *cmd, const char *arg, unsigned int *flags)
{
	if (!strcmp(arg, "bpf")) {
		*flags = VMALIST_ONLY_BPF;
		return 0;
	}
	if (!strcmp(arg, "proc")) {
		*flags = VMALIST_ONLY_PROC;
		return 0;
	}
	p_usage(cmd, "unknown source '%s': expected bpf or proc", arg);
	return -EINVAL;
}

const char *listing_source_name(const struct vma_bpf *o)
{
	if (o->source == VMALIST_SRC_PROC)
		return "proc_maps";
	return o->last_mod ? "module" : "bpf";
}

void jw_listing_source(const struct vma_bpf *o)
{
	jw_str("source", listing_source_name(o));
	if (o->last_mod)
		jw_str("names", "d_path");	/* the kernel's own, in the module */
	else if (o->source == VMALIST_SRC_BPF)
		jw_str("names", vmalist_names_route());
	else
		jw_null("names");
}

void note_listing_source(const char *cmd, const struct vma_bpf *o)
{
	if (o->source == VMALIST_SRC_PROC && o->bpf_err)
		p_info("vmscope: %s: VMAs from /proc/PID/maps: the BPF listing did not load (%s)\n",
		       cmd, bpf_err_hint(o->bpf_err));
	else if (o->mod && verbose)
		/* Said before any listing: the route is chosen at open. */
		p_info("vmscope: %s: VMAs of one process from the module (vmscope_find_vmas), "
		       "file names by d_path; of every process from the BPF listing\n", cmd);
	else if (verbose)
		p_info("vmscope: %s: VMAs from %s%s%s\n", cmd,
		       o->source == VMALIST_SRC_PROC ? "/proc/PID/maps" : "the BPF listing",
		       o->source == VMALIST_SRC_BPF ? ", file names by " : "",
		       o->source == VMALIST_SRC_BPF ? vmalist_names_route() : "");
}
