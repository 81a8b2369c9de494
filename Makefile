# SPDX-License-Identifier: GPL-2.0
# vblk top-level Makefile.  The two commands that matter:
#   make run     demo on the built-in test host
#   make check   every test (static checks, KUnit, kselftests), one summary

SHELL := /bin/bash
ROOT := $(CURDIR)
VBLK_CACHE ?= $(HOME)/.cache/vblk
KSRC_VER := $(shell dpkg-query -W -f='$${Version}' linux-source-6.12 2>/dev/null)
TEST_KDIR := $(VBLK_CACHE)/build-x86-$(KSRC_VER)
KSRC := $(VBLK_CACHE)/src-$(KSRC_VER)/linux-source-6.12
HOST_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(if $(wildcard $(HOST_KDIR)/Makefile),$(HOST_KDIR),$(TEST_KDIR))
KBUILD_FLAGS := W=1 KCFLAGS=-Werror

.PHONY: all deps kernel modules test-modules user selftests sparse checkpatch \
	gen gen-check check run kunit bench clean help

all: modules user

help:
	@echo "make run          demo: test host VM, vblk.ko, a guest on a vblk disk"
	@echo "make check        all tests; last line 'N passed, N failed[, N skipped]'"
	@echo "make bench        vblk against QEMU and the bare backing (QUICK=1: short)"
	@echo "make kernel       build the test kernel (cached in $(VBLK_CACHE))"
	@echo "make modules      build vblk.ko against KDIR (default: running kernel)"
	@echo "make user         build vblkctl, the reference VMM and test programs"
	@echo "make kunit        run the KUnit suites in-tree with kunit.py"
	@echo "make sparse       sparse (C=1) build against the test kernel"
	@echo "make checkpatch   checkpatch.pl --strict on the kernel sources"
	@echo "make gen          regenerate netlink code from the YNL spec"

deps:
	@scripts/deps.sh

kernel: deps
	@scripts/build-kernel.sh

# vblk.ko against KDIR (the running kernel when its headers are installed).
modules:
	$(MAKE) -C $(KDIR) M=$(ROOT) $(KBUILD_FLAGS) modules

# vblk.ko and vblk_test.ko against the test kernel, for the test host.
test-modules: kernel
	@[ "$$(cat .kdir 2>/dev/null)" = "$(TEST_KDIR)" ] || $(MAKE) -s -C $(TEST_KDIR) M=$(ROOT) clean
	@echo "$(TEST_KDIR)" > .kdir
	$(MAKE) -s -C $(TEST_KDIR) M=$(ROOT) $(KBUILD_FLAGS) modules

sparse: kernel
	$(MAKE) -s -C $(TEST_KDIR) M=$(ROOT) clean
	$(MAKE) -s -C $(TEST_KDIR) M=$(ROOT) $(KBUILD_FLAGS) C=2 \
		CHECKFLAGS="-Wsparse-error" modules
	@rm -f .kdir

checkpatch: kernel
	@scripts/checkpatch.sh

user:
	$(MAKE) -C user

selftests: user
	$(MAKE) -C selftests KHDR=$(KSRC)/tools/testing/selftests

gen:
	@scripts/ynl-gen.sh

gen-check:
	@scripts/ynl-gen.sh --check

kunit: kernel
	@scripts/kunit-intree.sh

check: deps
	@scripts/check.sh

run: deps
	@scripts/run.sh

# Not a test: the performance comparison of Documentation/performance.rst.
bench: deps
	@QUICK=$(QUICK) scripts/bench/run.sh

clean:
	-$(MAKE) -s -C $(KDIR) M=$(ROOT) clean 2>/dev/null
	-$(MAKE) -C user clean
	-$(MAKE) -C selftests clean
	rm -f .kdir
