# vmscope top-level build.  `make` builds the module, the BPF objects and
# skeletons and the static CLI; `make check` runs every test; `make demo`
# runs the demo in the QEMU guest.  V=1 shows every command.

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

ifeq ($(V),1)
Q :=
else
Q := @
endif

OUT := build
CLANG ?= clang-19
BPFTOOL ?= bpftool
CC ?= gcc
ARCH_DEF := -D__TARGET_ARCH_x86

# The default guest kernel's facts (GUEST_KDIR, GUEST_KVER, ...), from
# scripts/deps.sh, which also installs the build packages.
-include $(OUT)/deps.mk
ifeq ($(wildcard $(GUEST_KDIR)/Makefile),)
$(shell rm -f $(OUT)/deps.mk)
endif

$(OUT)/deps.mk: scripts/deps.sh
	$(Q)mkdir -p $(OUT)
	$(Q)scripts/deps.sh | sed 's/^/GUEST_/' > $@.tmp && mv $@.tmp $@

# The version: VERSION, plus the commit when built from git (a package
# build passes VMSCOPE_VERSION itself).
VMSCOPE_VERSION ?= $(shell v=$$(cat VERSION); c=$$(git describe --always --dirty --match none 2>/dev/null); echo "$$v$${c:++git.$$c}")
WERROR := $(if $(CI),-Werror,)
CFLAGS := -O2 -g -Wall -Wextra $(WERROR) -Wno-unused-parameter \
	  -DVMSCOPE_VERSION='"$(VMSCOPE_VERSION)"' -I$(OUT) -Ibpf -Ikmod -Iuser
LDLIBS := -static -lbpf -lelf -lz -lzstd
BPF_CFLAGS := -g -O2 -target bpf $(ARCH_DEF) -I. -Ibpf -Ikmod -Wall \
	      -Wno-unused-function

BPF_OBJS := $(patsubst bpf/%.bpf.c,%,$(wildcard bpf/*.bpf.c))
BPF_HDRS := $(wildcard bpf/*.h) kmod/vmscope_kfuncs.h kmod/vmscope_uapi.h
# The CLI uses light skeletons: the kernel does the CO-RE relocations, so a
# one-shot command never reads and parses the kernel's BTF in user space.
SKELS := $(patsubst %,$(OUT)/%.lskel.h,$(BPF_OBJS))

USER_SRCS := $(wildcard user/*.c)
USER_OBJS := $(patsubst user/%.c,$(OUT)/user/%.o,$(USER_SRCS))
USER_HDRS := $(wildcard user/*.h) $(BPF_HDRS)

KMOD_SRCS := $(wildcard kmod/*.c kmod/*.h) kmod/Kbuild

TEST_C := $(filter-out %.bpf.c,$(wildcard tests/*.c))
TEST_BINS := $(patsubst tests/%.c,$(OUT)/tests/%,$(TEST_C))
TEST_BPF := $(wildcard tests/*.bpf.c)
TEST_SKELS := $(patsubst tests/%.bpf.c,$(OUT)/tests/%.skel.h,$(TEST_BPF))

.PHONY: all deps kmod bpf cli tests check demo bench shell vm clean
.SECONDARY:
# `make vmlinux.h` always regenerates; otherwise only a newer kernel BTF does.
ifneq ($(filter vmlinux.h,$(MAKECMDGOALS)),)
.PHONY: vmlinux.h
endif

all: kmod cli tests

deps:
	$(Q)mkdir -p $(OUT)
	$(Q)scripts/deps.sh | sed 's/^/GUEST_/' > $(OUT)/deps.mk.tmp && mv $(OUT)/deps.mk.tmp $(OUT)/deps.mk
	@cat $(OUT)/deps.mk

# ---- module ----------------------------------------------------------------
# One source tree, built per kernel into build/kmod/KERNEL/ (scripts/kernel.sh
# lists them): `make kmod KERNEL=6.1|6.12|newest|debug|host`, or
# `make kmod KDIR=/path/to/headers` for any other kernel tree.
KERNEL ?= $(if $(KDIR),custom,6.12)
KMOD := $(OUT)/kmod/$(KERNEL)/vmscope.ko
kmod: $(KMOD)

$(OUT)/kmod/%/vmscope.ko: $(KMOD_SRCS) scripts/build-kmod.sh scripts/kernel.sh | $(OUT)/deps.mk
	$(Q)scripts/build-kmod.sh $* $(if $(Q),,V=1)

# ---- vmlinux.h: regenerated on purpose from the guest kernel's BTF --------
vmlinux.h: $(if $(GUEST_KDIR),$(GUEST_KDIR)/vmlinux) | $(OUT)/deps.mk
	$(Q)$(BPFTOOL) btf dump file $(GUEST_KDIR)/vmlinux format c > $(OUT)/vmlinux.h.tmp
	$(Q)if cmp -s $(OUT)/vmlinux.h.tmp vmlinux.h; then rm $(OUT)/vmlinux.h.tmp; echo "vmlinux.h unchanged"; \
	   else mv $(OUT)/vmlinux.h.tmp vmlinux.h; echo "vmlinux.h updated"; fi

# ---- BPF ------------------------------------------------------------------
BPF_O := $(patsubst %,$(OUT)/bpf/%.bpf.o,$(BPF_OBJS))
bpf: $(BPF_O) $(SKELS)

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) vmlinux.h | $(OUT)/deps.mk
	@echo "  BPF     $@"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.full
	$(Q)$(BPFTOOL) gen object $@ $@.full && rm -f $@.full

# user/vmem.c wraps its light skeleton in a struct vmem of its own
LSKEL_NAME_vmem := vmem_bpf
$(OUT)/%.lskel.h: $(OUT)/bpf/%.bpf.o
	@echo "  LSKEL   $@"
	$(Q)$(BPFTOOL) gen skeleton -L $< name $(or $(LSKEL_NAME_$*),$(subst -,_,$*)) > $@

$(OUT)/tests/%.bpf.o: tests/%.bpf.c $(BPF_HDRS) vmlinux.h | $(OUT)/deps.mk
	@echo "  BPF     $@"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.full
	$(Q)$(BPFTOOL) gen object $@ $@.full && rm -f $@.full

$(OUT)/tests/%.skel.h: $(OUT)/tests/%.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# ---- CLI ------------------------------------------------------------------
cli: $(OUT)/vmscope

$(OUT)/user/%.o: user/%.c $(USER_HDRS) $(SKELS) | $(OUT)/deps.mk
	@echo "  CC      $@"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/vmscope: $(USER_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

# ---- tests ----------------------------------------------------------------
tests: $(TEST_BINS) $(patsubst %.skel.h,%.bpf.o,$(TEST_SKELS))

# The CLI's objects but main.o, for tests and benchmarks to link against.
$(OUT)/libvmscope.a: $(filter-out $(OUT)/user/main.o,$(USER_OBJS))
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUT)/tests/%: tests/%.c $(wildcard tests/*.h) $(USER_HDRS) $(SKELS) $(TEST_SKELS) $(OUT)/libvmscope.a | $(OUT)/deps.mk
	@echo "  CC      $@"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -Itests -I$(OUT)/tests $< -o $@ $(OUT)/libvmscope.a $(LDLIBS)

check: all
	$(Q)tests/run.sh

demo: all
	$(Q)scripts/vm.sh run --script scripts/demo-guest.sh

bench: all
	$(Q)scripts/bench.sh

shell: all
	$(Q)scripts/vm.sh shell --kernel $(KERNEL)

# The whole of CMD runs in the guest, ';' and '&&' included.
vm: all
	$(Q)scripts/vm.sh run --kernel $(KERNEL) --sh '$(subst ','\'',$(CMD))'

clean:
	$(Q)rm -rf $(OUT)/bpf $(OUT)/user $(OUT)/tests $(OUT)/*.skel.h $(OUT)/*.lskel.h $(OUT)/vmscope $(OUT)/initramfs*
	$(Q)rm -rf $(OUT)/kmod

# ---- man pages -------------------------------------------------------------
# `make man`: man/NAME.SECTION.scd -> build/man/NAME.SECTION with scdoc.  Not
# part of `all`, so building vmscope never needs scdoc.  MAN_SRCS and
# MAN_PAGES (the built pages, e.g. build/man/vmscope.8) are for `install`.
# The pages carry the version, and the date of the last commit (or the
# packager's SOURCE_DATE_EPOCH), so a rebuild gives the same bytes.
SCDOC ?= scdoc
MAN_SRCS := $(wildcard man/*.scd)
MAN_PAGES := $(patsubst man/%.scd,$(OUT)/man/%,$(MAN_SRCS))
MAN_EPOCH := $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null))
export MAN_SRCS MAN_PAGES
.PHONY: man clean-man

man: $(MAN_PAGES)

$(OUT)/man/%: man/%.scd VERSION
	@echo "  SCDOC   $@"
	$(Q)command -v $(SCDOC) >/dev/null || { echo "make man needs scdoc: apt-get install scdoc" >&2; exit 1; }
	$(Q)mkdir -p $(dir $@)
	$(Q)sed 's|@VERSION@|$(VMSCOPE_VERSION)|g' $< | \
		$(if $(MAN_EPOCH),SOURCE_DATE_EPOCH=$(MAN_EPOCH)) $(SCDOC) > $@

clean: clean-man
clean-man:
	$(Q)rm -rf $(OUT)/man
