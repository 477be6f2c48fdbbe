# vmscope top-level build.
#
# For users:  `make` builds the CLI and its man pages (build packages only,
#             nothing fetched); `make kmod` builds the module for the running
#             kernel (/lib/modules/$(uname -r)/build); `make install` puts the
#             CLI, man pages, completion, UAPI headers and the module's DKMS
#             source under $(DESTDIR)$(PREFIX); `make deb` builds the Debian
#             packages.
# For developers: `make check` runs every test and `make demo` the demo in
#             the QEMU guest; both first install the packages they need and
#             fetch the guest kernels (scripts/deps.sh).  V=1 shows every
#             command; CI=1 adds -Werror.
# ARCH=arm64: on an x86-64 machine, the user side (CLI, tests, BPF
#             objects) for arm64, built with the cross compiler into
#             build/arm64/ against the arm64 libraries that
#             scripts/arm64-pkgs.sh fetches (cached); `make ARCH=arm64
#             tests` likewise, and `make deb ARCH=arm64` the arm64 package
#             (build/arm64/deb/).  On an arm64 machine every build is
#             native.  The module and the man pages are not per
#             architecture: `make kmod KERNEL=NAME` builds for NAME's
#             architecture whatever ARCH is.

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

ifeq ($(V),1)
Q :=
else
Q := @
endif

# What is not per architecture (the module, the man pages) stays in build/
# (the man pages in OUT, if OUT is given).
TOP := build
CLANG ?= $(shell command -v clang-19 >/dev/null 2>&1 && echo clang-19 || echo clang)
BPFTOOL ?= $(or $(shell command -v bpftool 2>/dev/null),/usr/sbin/bpftool)
# ARCH is also kbuild's: it never reaches the module build from here (a
# kernel's architecture is its own: scripts/kernel.sh), and only an ARCH
# given on the command line chooses the user side's.
unexport ARCH
# The machine's own architecture is the default: a build on an arm64
# machine is a native arm64 build (system libraries, build/).  ARCH=arm64
# on an x86-64 machine cross-builds into build/arm64/.
HOST_MACH := $(shell uname -m)
HOST_ARCH := $(if $(filter aarch64 arm64,$(HOST_MACH)),arm64,$(if $(filter x86_64,$(HOST_MACH)),x86,))
$(if $(HOST_ARCH),,$(error vmscope builds on x86-64 and arm64 machines, not on $(HOST_MACH)))
VMS_ARCH := $(HOST_ARCH)
ifeq ($(origin ARCH),command line)
ifneq ($(filter arm64 aarch64,$(ARCH)),)
VMS_ARCH := arm64
else ifneq ($(filter x86 x86_64 amd64,$(ARCH)),)
VMS_ARCH := x86
else
$(error ARCH=$(ARCH): vmscope builds for x86 or arm64 (the default: this machine's))
endif
endif
VMS_CROSS := $(if $(filter $(HOST_ARCH),$(VMS_ARCH)),,1)
ifeq ($(VMS_CROSS)$(VMS_ARCH),1x86)
$(error ARCH=$(ARCH): an x86-64 build is made on an x86-64 machine; from arm64 only native builds)
endif
ifeq ($(VMS_ARCH),arm64)
ARCH_DEF := -D__TARGET_ARCH_arm64
endif
ifeq ($(VMS_CROSS),1)
OUT := $(TOP)/arm64
MAN_OUT := $(TOP)
CC := aarch64-linux-gnu-gcc
CC_PKG := gcc-aarch64-linux-gnu
# The arm64 libbpf, libelf, zlib and zstd (headers and .a files); the C
# library is the cross toolchain's own (libc6-dev-arm64-cross).
A64_ROOT := $(shell scripts/arm64-pkgs.sh)
$(if $(A64_ROOT),,$(error scripts/arm64-pkgs.sh failed))
A64_CFLAGS := -I$(A64_ROOT)/usr/include
# (rpath-link: a shared link, STATIC=0 as the package makes it, finds the
# libraries libbpf.so needs in the same tree.)
A64_LDFLAGS := -L$(A64_ROOT)/usr/lib/aarch64-linux-gnu \
	       -Wl,-rpath-link,$(A64_ROOT)/usr/lib/aarch64-linux-gnu:$(A64_ROOT)/lib/aarch64-linux-gnu
else
OUT := $(TOP)
MAN_OUT = $(OUT)
CC ?= gcc
CC_PKG := gcc
ARCH_DEF ?= -D__TARGET_ARCH_x86
endif

# The version: VERSION, plus the commit when built from git; a package
# build passes VMSCOPE_VERSION itself.
VMSCOPE_VERSION ?= $(shell v=$$(cat VERSION); c=$$(git describe --always --dirty --match none 2>/dev/null); echo "$$v$${c:++git.$$c}")
WERROR := $(if $(CI),-Werror,)
# CFLAGS, CPPFLAGS and LDFLAGS are the builder's (dpkg-buildflags sets them
# for the package); the project's own flags come on top.
CFLAGS ?= -O2 -g
VMS_CFLAGS := -Wall -Wextra $(WERROR) -Wno-unused-parameter -I$(OUT) -Ibpf -Ikmod -Iuser
ifeq ($(VMS_CROSS),1)
VMS_CFLAGS += $(A64_CFLAGS)
endif
# The CLI is static by default (it runs in the busybox guest as it is);
# STATIC=0 links libbpf and libelf as shared libraries (the package).
STATIC ?= 1
LIBS := -lbpf -lelf -lz
ifeq ($(VMS_CROSS),1)
LIBS := $(A64_LDFLAGS) $(LIBS)
endif
LDLIBS_CLI := $(if $(filter 1,$(STATIC)),-static $(LIBS) -lzstd,$(LIBS))
LDLIBS_TEST := -static $(LIBS) -lzstd
BPF_CFLAGS := -g -O2 -target bpf $(ARCH_DEF) -I. -Ibpf -Ikmod -Wall \
	      -Wno-unused-function

BPF_OBJS := $(patsubst bpf/%.bpf.c,%,$(wildcard bpf/*.bpf.c))
# bpf/vmem.bpf.c is also built as smaller objects, each of some of its
# programs (bpf/vmem.h says why): vmem_SET has the programs VMEM_SET_SET.
VMEM_SETS := find walk page read write cmpxchg
BPF_OBJS += $(addprefix vmem_,$(VMEM_SETS))
BPF_HDRS := $(wildcard bpf/*.h) kmod/vmscope_kfuncs.h kmod/vmscope_uapi.h
# The CLI uses light skeletons: the kernel does the CO-RE relocations, so a
# one-shot command never reads and parses the kernel's BTF in user space.
SKELS := $(patsubst %,$(OUT)/%.lskel.h,$(BPF_OBJS))

USER_SRCS := $(wildcard user/*.c)
USER_OBJS := $(patsubst user/%.c,$(OUT)/user/%.o,$(USER_SRCS))
USER_HDRS := $(wildcard user/*.h) $(BPF_HDRS)

KMOD_SRCS := $(wildcard kmod/*.c kmod/*.h kmod/btfids/*) kmod/Kbuild kmod/Makefile

TEST_C := $(wildcard tests/*.c)
# The benchmarks (make bench, scripts/bench.sh) are in tests/bench/, built
# beside the tests into build/tests/.
BENCH_C := $(wildcard tests/bench/*.c)
BENCH_BINS := $(patsubst tests/bench/%.c,$(OUT)/tests/%,$(BENCH_C))
TEST_BINS := $(patsubst tests/%.c,$(OUT)/tests/%,$(TEST_C)) $(BENCH_BINS)
# The tests' BPF programs are in tests/progs/; their objects and skeletons
# are built beside the test programs, in build/tests/.  Test programs
# loaded by callers with only CAP_BPF + CAP_PERFMON (guest_attacks) get
# light skeletons, as the CLI does; the others libbpf skeletons.
TEST_LSKEL_BPF := $(wildcard tests/progs/attacks_*.bpf.c)
TEST_BPF := $(filter-out $(TEST_LSKEL_BPF),$(wildcard tests/progs/*.bpf.c))
TEST_BPF_HDRS := $(wildcard tests/*.h tests/progs/*.h)
TEST_SKELS := $(patsubst tests/progs/%.bpf.c,$(OUT)/tests/%.skel.h,$(TEST_BPF))
TEST_LSKELS := $(patsubst tests/progs/%.bpf.c,$(OUT)/tests/%.lskel.h,$(TEST_LSKEL_BPF))

.PHONY: all deps dev kmod bpf cli man tests check check-arm64 demo bench shell vm clean \
	install uninstall deb buildtools
.SECONDARY:
# `make vmlinux.h` always regenerates; otherwise only a newer kernel BTF does.
ifneq ($(filter vmlinux.h,$(MAKECMDGOALS)),)
.PHONY: vmlinux.h vmlinux_x86.h vmlinux_arm64.h
vmlinux.h: vmlinux_x86.h vmlinux_arm64.h
endif

all: cli man

# The tools a build needs, named with the package that has them.
buildtools:
	$(Q)m=; for t in "$(CLANG):clang-19" "$(BPFTOOL):bpftool" "$(CC):$(CC_PKG)"; do \
	  command -v "$${t%%:*}" >/dev/null 2>&1 || m="$$m $${t#*:}"; done; \
	  for h in bpf/libbpf.h:libbpf-dev gelf.h:libelf-dev zlib.h:zlib1g-dev; do \
	  [ -e "/usr/include/$${h%%:*}" ] || m="$$m $${h#*:}"; done; \
	  if [ -n "$$m" ]; then echo "vmscope: missing build packages; run: apt-get install$$m" >&2; exit 1; fi
ifeq ($(VMS_CROSS),1)
	$(Q)[ -e /usr/aarch64-linux-gnu/include/stdio.h ] || { \
	  echo "vmscope: missing build packages; run: apt-get install libc6-dev-arm64-cross" >&2; exit 1; }
endif

# The developer targets drive QEMU guests of Debian's x86-64 and arm64
# kernels from an x86-64 machine; elsewhere they say so.
harness_host = @[ "$(HOST_ARCH)" = x86 ] || { echo "vmscope: make $@ runs the QEMU test" \
	"harness, which needs an x86-64 machine (this one is $(HOST_MACH)); make, make install" \
	"and make deb build natively here" >&2; exit 2; }

# Developers: the build and test packages and the default guest kernel
# (cached in ~/.cache/vmscope), then everything the tests need.
deps:
	$(harness_host)
	$(Q)scripts/deps.sh > /dev/null

# With ARCH=arm64: the arm64 user side and the module for arm64-6.12, and
# demo, shell and vm boot the arm64-6.12 guest (KERNEL=arm64-6.1 or
# arm64-newest picks another arm64 kernel).
DEPS_ARCH := $(if $(VMS_CROSS),arm64,)
GUEST_KERNEL := $(if $(filter arm64,$(VMS_ARCH)),$(if $(filter arm64-%,$(KERNEL)),$(KERNEL),arm64-6.12),$(if $(filter host,$(KERNEL)),6.12,$(KERNEL)))
dev: cli tests
	$(harness_host)
	$(Q)$(MAKE) --no-print-directory kmod KERNEL=$(if $(filter arm64,$(VMS_ARCH)),$(GUEST_KERNEL),6.12)

# ---- module ----------------------------------------------------------------
# One source tree, built per kernel into build/kmod/KERNEL/ (scripts/kernel.sh
# lists them): `make kmod` for the running kernel, `make kmod
# KERNEL=6.1|6.12|6.12-rt|newest|debug` for a test kernel (fetched into the cache),
# `make kmod KDIR=/path/to/headers` for any other kernel tree.
KERNEL ?= $(if $(KDIR),custom,host)
KMOD := $(TOP)/kmod/$(KERNEL)/vmscope.ko
kmod: $(KMOD)

# Always through kbuild (incremental): a new commit changes MODULE_VERSION.
$(TOP)/kmod/%/vmscope.ko: $(KMOD_SRCS) VERSION scripts/build-kmod.sh scripts/kernel.sh FORCE
	$(Q)VMSCOPE_VERSION='$(VMSCOPE_VERSION)' scripts/build-kmod.sh $* $(if $(Q),,V=1)

# ---- vmlinux.h: regenerated only on purpose, from the 6.12 kernels' BTF ----
# vmlinux.h picks vmlinux_x86.h or vmlinux_arm64.h by the target
# architecture; `make vmlinux.h` regenerates both, from the 6.12 kernel of
# each (scripts/kernel.sh 6.12 and arm64-6.12).
VMLINUX_KERNEL_x86 := 6.12
VMLINUX_KERNEL_arm64 := arm64-6.12
vmlinux_x86.h vmlinux_arm64.h: vmlinux_%.h:
	$(Q)mkdir -p $(TOP) && eval "$$(scripts/kernel.sh $(VMLINUX_KERNEL_$*))" && \
	   $(BPFTOOL) btf dump file "$$KDIR/vmlinux" format c > $(TOP)/$@.tmp
	$(Q)if cmp -s $(TOP)/$@.tmp $@; then rm $(TOP)/$@.tmp; echo "$@ unchanged"; \
	   else mv $(TOP)/$@.tmp $@; echo "$@ updated"; fi

# ---- BPF ------------------------------------------------------------------
BPF_O := $(patsubst %,$(OUT)/bpf/%.bpf.o,$(BPF_OBJS))
bpf: $(BPF_O) $(SKELS)

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) vmlinux.h vmlinux_$(VMS_ARCH).h | buildtools
	@echo "  BPF     $@"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.full
	$(Q)$(BPFTOOL) gen object $@ $@.full && rm -f $@.full

$(patsubst %,$(OUT)/bpf/vmem_%.bpf.o,$(VMEM_SETS)): $(OUT)/bpf/vmem_%.bpf.o: bpf/vmem.bpf.c $(BPF_HDRS) vmlinux.h vmlinux_$(VMS_ARCH).h | buildtools
	@echo "  BPF     $@"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DVMEM_PROGS=VMEM_SET_$(shell echo $* | tr a-z A-Z) -c $< -o $@.full
	$(Q)$(BPFTOOL) gen object $@ $@.full && rm -f $@.full

# user/vmem.c wraps its light skeletons in a struct vmem of its own
LSKEL_NAME_vmem := vmem_bpf
$(OUT)/%.lskel.h: $(OUT)/bpf/%.bpf.o
	@echo "  LSKEL   $@"
	$(Q)$(BPFTOOL) gen skeleton -L $< name $(or $(LSKEL_NAME_$*),$(subst -,_,$*)) > $@

# tests/progs/*.bpf.c include the headers they share with the test
# programs (attacks.h, hostile.h) from tests/.
$(OUT)/tests/%.bpf.o: tests/progs/%.bpf.c $(BPF_HDRS) $(TEST_BPF_HDRS) vmlinux.h vmlinux_$(VMS_ARCH).h | buildtools
	@echo "  BPF     $@"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Itests -c $< -o $@.full
	$(Q)$(BPFTOOL) gen object $@ $@.full && rm -f $@.full

$(OUT)/tests/%.skel.h: $(OUT)/tests/%.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

$(OUT)/tests/%.lskel.h: $(OUT)/tests/%.bpf.o
	@echo "  LSKEL   $@"
	$(Q)$(BPFTOOL) gen skeleton -L $< name $(subst -,_,$*) > $@

# Some of them #include another (a variant built with a -D of its own).
$(patsubst tests/progs/%.bpf.c,$(OUT)/tests/%.bpf.o,$(TEST_LSKEL_BPF)): $(TEST_LSKEL_BPF)

# ---- CLI ------------------------------------------------------------------
cli: $(OUT)/vmscope

$(OUT)/user/%.o: user/%.c $(USER_HDRS) $(SKELS) | buildtools
	@echo "  CC      $@"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(VMS_CFLAGS) $(CFLAGS) -c $< -o $@
# The map's page is built into the program (.incbin in mapview.c).
$(OUT)/user/mapview.o: user/map.html

# The version in a file of its own, rewritten only when it changes, so a
# new commit recompiles one line and nothing else.
$(OUT)/version.c: FORCE
	$(Q)mkdir -p $(OUT); v='const char vmscope_version[] = "$(VMSCOPE_VERSION)";'; \
	  [ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" > $@
$(OUT)/version.o: $(OUT)/version.c
	$(Q)$(CC) $(CPPFLAGS) $(VMS_CFLAGS) $(CFLAGS) -c $< -o $@
# A hash of the BPF objects built in, for the keys of the bpffs cache
# (user/bpfcache.h): a rebuilt object never meets an older one's pins.
$(OUT)/bpfhash.c: $(BPF_O)
	$(Q)echo "const char vmscope_bpf_hash[] = \"$$(cat $(BPF_O) | sha256sum | cut -c1-32)\";" > $@
$(OUT)/bpfhash.o: $(OUT)/bpfhash.c
	$(Q)$(CC) $(CPPFLAGS) $(VMS_CFLAGS) $(CFLAGS) -c $< -o $@
.PHONY: FORCE
FORCE:

$(OUT)/vmscope: $(USER_OBJS) $(OUT)/version.o $(OUT)/bpfhash.o
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS_CLI)

# ---- install ----------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=]: the CLI, man pages, shell
# completion, the UAPI headers, the docs, and the module's sources in the
# DKMS layout (/usr/src/vmscope-VERSION, where dkms looks, whatever PREFIX
# is).  Then: dkms install vmscope/VERSION && modprobe vmscope.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
INCLUDEDIR ?= $(PREFIX)/include
DOCDIR ?= $(PREFIX)/share/doc/vmscope
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
DKMSDIR ?= /usr/src
# The DKMS version is the release (VERSION); MODULE_VERSION inside the
# module is the full one, commit included.
PKG_VERSION := $(shell cat VERSION)
DKMS_SRC := $(DKMSDIR)/vmscope-$(PKG_VERSION)
UAPI_HDRS := kmod/vmscope_uapi.h kmod/vmscope_dev_uapi.h kmod/vmscope_kfuncs.h
DOCS := README.md docs/commands.md docs/device.md docs/json.md docs/json-schema.json
KMOD_DIST := $(wildcard kmod/*.c kmod/*.h) kmod/Kbuild kmod/Makefile
KMOD_DIST_BTF := kmod/btfids/btfids.c kmod/btfids/module-btf.sh

install: cli man
	$(Q)install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man4 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(INCLUDEDIR)/vmscope $(DESTDIR)$(DOCDIR) $(DESTDIR)$(BASHCOMPDIR) \
	  $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(DKMS_SRC)/btfids
	$(Q)install -m 0755 $(OUT)/vmscope $(DESTDIR)$(SBINDIR)/vmscope
	$(Q)for m in $(MAN_OUT)/man/*.[48]; do \
	  install -m 0644 "$$m" "$(DESTDIR)$(MANDIR)/man$${m##*.}/" || exit 1; done
	$(Q)install -m 0644 completion/vmscope.bash $(DESTDIR)$(BASHCOMPDIR)/vmscope
	$(Q)install -m 0644 completion/_vmscope $(DESTDIR)$(ZSHCOMPDIR)/_vmscope
	$(Q)install -m 0644 $(UAPI_HDRS) $(DESTDIR)$(INCLUDEDIR)/vmscope/
	$(Q)install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	$(Q)install -m 0644 $(KMOD_DIST) $(DESTDIR)$(DKMS_SRC)/
	$(Q)install -m 0644 $(KMOD_DIST_BTF) $(DESTDIR)$(DKMS_SRC)/btfids/
	$(Q)echo '$(VMSCOPE_VERSION)' > $(DESTDIR)$(DKMS_SRC)/VERSION
	$(Q)sed 's/#MODULE_VERSION#/$(PKG_VERSION)/' dkms/dkms.conf > $(DESTDIR)$(DKMS_SRC)/dkms.conf
	@echo "  INSTALL $(DESTDIR)$(PREFIX) and $(DESTDIR)$(DKMS_SRC)"
	@[ -n "$(DESTDIR)" ] || echo "  next: dkms install vmscope/$(PKG_VERSION) && modprobe vmscope"

uninstall:
	@if command -v dkms >/dev/null && dkms status vmscope/$(PKG_VERSION) 2>/dev/null | grep -q .; then \
	  echo "vmscope: DKMS still has vmscope/$(PKG_VERSION); first: dkms remove vmscope/$(PKG_VERSION) --all" >&2; \
	  exit 1; fi
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/vmscope $(DESTDIR)$(BASHCOMPDIR)/vmscope $(DESTDIR)$(ZSHCOMPDIR)/_vmscope
	$(Q)rm -f $(DESTDIR)$(MANDIR)/man8/vmscope.8 $(DESTDIR)$(MANDIR)/man8/vmscope-*.8 \
	  $(DESTDIR)$(MANDIR)/man4/vmscope.4 $(DESTDIR)$(MANDIR)/man4/mtest.4 \
	  $(DESTDIR)$(MANDIR)/man4/maptest.4
	$(Q)rm -rf $(DESTDIR)$(INCLUDEDIR)/vmscope $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DKMS_SRC)
	@echo "  UNINSTALL $(DESTDIR)$(PREFIX) and $(DESTDIR)$(DKMS_SRC)"

# The Debian packages (build/deb/), built by dpkg-buildpackage from a clean
# copy of the tree and checked by lintian.
deb:
	$(Q)scripts/deb.sh $(if $(VMS_CROSS),arm64,)

# ---- tests ----------------------------------------------------------------
tests: $(TEST_BINS) $(patsubst %.skel.h,%.bpf.o,$(TEST_SKELS)) $(TEST_LSKELS)

# The CLI's objects but main.o, for tests and benchmarks to link against.
$(OUT)/libvmscope.a: $(filter-out $(OUT)/user/main.o,$(USER_OBJS)) $(OUT)/version.o $(OUT)/bpfhash.o
	$(Q)rm -f $@ && ar rcs $@ $^

TEST_DEPS := $(wildcard tests/*.h) $(USER_HDRS) $(SKELS) $(TEST_SKELS) $(TEST_LSKELS) $(OUT)/libvmscope.a
define test-cc
	@echo "  CC      $@"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(VMS_CFLAGS) -O2 -g -Itests -I$(OUT)/tests $< -o $@ $(OUT)/libvmscope.a $(LDLIBS_TEST)
endef
$(OUT)/tests/%: tests/%.c $(TEST_DEPS) | buildtools
	$(test-cc)
$(BENCH_BINS): $(OUT)/tests/%: tests/bench/%.c $(TEST_DEPS) $(wildcard tests/bench/*.h) | buildtools
	$(test-cc)
# The plot of make bench's figures (log axes).
$(OUT)/tests/bench_plot: LDLIBS_TEST += -lm

# The developer targets install their packages and fetch the guest kernel
# first, then build in a second make (nothing compiles while apt runs).
# check also fetches the 6.1 kernel up front (the guest stage would): the
# host test of the module-BTF route a Debian 12 user gets builds for it.
# check runs the arm64 kernels of the test matrix too (tests/run.sh), so it
# installs the arm64 tools; check-arm64 runs the guest suite on every arm64
# kernel (scripts/kernel.sh --list-arm64).
check:
	$(harness_host)
	$(Q)scripts/deps.sh arm64 > /dev/null
	$(Q)scripts/debian-kernel.sh 6.1 > /dev/null
	$(Q)$(MAKE) --no-print-directory dev man
	$(Q)tests/run.sh

check-arm64:
	$(harness_host)
	$(Q)scripts/deps.sh arm64 > /dev/null
	$(Q)$(MAKE) --no-print-directory dev man
	$(Q)VMSCOPE_KERNELS="$$(scripts/kernel.sh --list-arm64)" tests/run.sh guest

demo:
	$(harness_host)
	$(Q)scripts/deps.sh $(DEPS_ARCH) > /dev/null
	$(Q)$(MAKE) --no-print-directory dev
	$(Q)scripts/vm.sh run --kernel $(if $(DEPS_ARCH),$(GUEST_KERNEL),6.12) --script scripts/demo-guest.sh

bench:
	$(harness_host)
	$(Q)scripts/deps.sh > /dev/null
	$(Q)$(MAKE) --no-print-directory dev
	$(Q)scripts/bench.sh

shell:
	$(harness_host)
	$(Q)scripts/deps.sh $(DEPS_ARCH) > /dev/null
	$(Q)$(MAKE) --no-print-directory dev
	$(Q)scripts/vm.sh shell --kernel $(GUEST_KERNEL)

# The whole of CMD runs in the guest, ';' and '&&' included.
vm:
	$(harness_host)
	$(Q)scripts/deps.sh $(DEPS_ARCH) > /dev/null
	$(Q)$(MAKE) --no-print-directory dev
	$(Q)scripts/vm.sh run --kernel $(GUEST_KERNEL) --sh '$(subst ','\'',$(CMD))'

clean:
	$(Q)rm -rf $(OUT)/bpf $(OUT)/user $(OUT)/tests $(OUT)/*.skel.h $(OUT)/*.lskel.h $(OUT)/vmscope $(OUT)/initramfs* \
	  $(OUT)/version.* $(OUT)/bpfhash.* $(OUT)/libvmscope.a $(OUT)/man $(OUT)/deb $(OUT)/kmod

# ---- man pages -------------------------------------------------------------
# `make man`: man/NAME.SECTION.scd -> build/man/NAME.SECTION with scdoc.  Part
# of `all` (and of `install`), so a build needs scdoc; MAN_SRCS and
# MAN_PAGES (the built pages, e.g. build/man/vmscope.8) are for `install`.
# The pages carry the version, and the date of the last commit (or the
# packager's SOURCE_DATE_EPOCH), so a rebuild gives the same bytes.  The
# JSON schema's directory they name is the one `make install` uses:
# @DOCDIR@ is filled in here, for any PREFIX.  build/man/.paths holds the
# value the pages were made with, rewritten only when it changes (another
# PREFIX or DOCDIR), so that only then they are made again.  (The DKMS
# tree's /usr/src is where dkms looks, whatever PREFIX is: written as is.)
SCDOC ?= scdoc
MAN_SRCS := $(wildcard man/*.scd)
MAN_PAGES := $(patsubst man/%.scd,$(MAN_OUT)/man/%,$(MAN_SRCS))
MAN_EPOCH := $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null))
MAN_PATHS := s|@DOCDIR@|$(DOCDIR)|g
export MAN_SRCS MAN_PAGES
.PHONY: man clean-man

man: $(MAN_PAGES)

$(MAN_OUT)/man/.paths: FORCE
	$(Q)mkdir -p $(dir $@); v='$(MAN_PATHS)'; [ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" > $@

$(MAN_OUT)/man/%: man/%.scd VERSION $(MAN_OUT)/man/.paths
	@echo "  SCDOC   $@"
	$(Q)command -v $(SCDOC) >/dev/null || { echo "make man needs scdoc: apt-get install scdoc" >&2; exit 1; }
	$(Q)mkdir -p $(dir $@)
	$(Q)sed 's|@VERSION@|$(VMSCOPE_VERSION)|g; $(MAN_PATHS)' $< | \
		$(if $(MAN_EPOCH),SOURCE_DATE_EPOCH=$(MAN_EPOCH)) $(SCDOC) > $@

clean-man:
	$(Q)rm -rf $(MAN_OUT)/man
