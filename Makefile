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
VBLK_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(ROOT)/dkms.conf)

.PHONY: all deps kernel modules test-modules user selftests sparse checkpatch \
	gen gen-check check run kunit bench fuzz clean help install uninstall \
	install-module install-user dkms dkms-src dkms-remove

all: modules user

# One line per target; keep it in sync when adding one.
help:
	@echo "The two commands:"
	@echo "  make run            demo: test host VM, vblk.ko, a guest on a vblk disk"
	@echo "  make check          all tests; last line 'N passed, N failed, N skipped'"
	@echo "Build:"
	@echo "  make                vblk.ko (against KDIR) and the user programs"
	@echo "  make modules        vblk.ko against KDIR (default: the running kernel's build tree)"
	@echo "  make user           vblkctl and vblk-vmm (STATIC=1: statically linked)"
	@echo "  make selftests      the kselftest programs run in the test host"
	@echo "  make kernel         the test kernel (cached in $(VBLK_CACHE))"
	@echo "  make test-modules   vblk.ko and vblk_test.ko against the test kernel"
	@echo "  make gen            regenerate the netlink code from the YNL spec"
	@echo "  make clean          remove build products (not the kernel cache)"
	@echo "Checks:"
	@echo "  make gen-check      the generated netlink code matches the YNL spec"
	@echo "  make sparse         sparse (C=2) build against the test kernel"
	@echo "  make checkpatch     checkpatch.pl --strict on the kernel sources"
	@echo "  make kunit          the KUnit suites in-tree with kunit.py (UML)"
	@echo "  make fuzz           the long fuzzing campaigns (libFuzzer here; hostile guest,"
	@echo "                      netlink and backing faults in the test host)"
	@echo "Performance:"
	@echo "  make bench          vblk against QEMU and the bare backing (QUICK=1: short)"
	@echo "Install (PREFIX=$(PREFIX), DESTDIR for staging):"
	@echo "  make install        install-module and install-user (build first with make)"
	@echo "  make install-module vblk.ko (and vblk_vdpa.ko) into /lib/modules/KVER/updates, then depmod"
	@echo "  make install-user   programs, man page, uapi headers, udev rule, completion"
	@echo "  make uninstall      remove what make install installed"
	@echo "  make dkms           vblk.ko as a DKMS package: dkms-src, then dkms add and install"
	@echo "  make dkms-src       copy dkms.conf and kmod/ to /usr/src/vblk-$(VBLK_VERSION)"
	@echo "  make dkms-remove    dkms remove vblk/$(VBLK_VERSION) from every kernel, drop its source"
	@echo "Other:"
	@echo "  make deps           install the Debian packages (as root) or print the apt-get line"
	@echo "  make help           this list"

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

# ---- install ------------------------------------------------------------
# `make install` puts what `make` built in place; it builds nothing itself
# (so it also works from a read-only tree).  DESTDIR stages into a
# directory and skips depmod.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
INCLUDEDIR ?= $(PREFIX)/include
# bash-completion loads completions/NAME from each of XDG_DATA_DIRS
# (/usr/local/share:/usr/share) on first use.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# udev reads /etc and /usr/lib only: a /usr/local install uses /etc.
UDEVRULESDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/udev/rules.d,/etc/udev/rules.d)
KVER ?= $(or $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null),$(shell uname -r))
MODDIR = $(DESTDIR)/lib/modules/$(KVER)/updates
# modules_install signs with the kernel's key when CONFIG_MODULE_SIG_ALL is
# set; distribution headers do not ship that key: install unsigned then.
MOD_SIGKEY = $(shell sed -n 's/^CONFIG_MODULE_SIG_KEY="\?\([^"]*\)"\?$$/\1/p' $(KDIR)/include/config/auto.conf 2>/dev/null)
MOD_NOSIGN = $(if $(MOD_SIGKEY),$(if $(filter pkcs11:%,$(MOD_SIGKEY))$(wildcard $(MOD_SIGKEY) $(KDIR)/$(MOD_SIGKEY)),,CONFIG_MODULE_SIG_ALL=))
SBIN_PATH := PATH=$$PATH:/sbin:/usr/sbin

install: install-module install-user

install-module:
	@[ -f "$(KDIR)/Makefile" ] || { echo "Error: no kernel build tree at $(KDIR) (install linux-headers-$$(uname -r) or set KDIR)" >&2; exit 1; }
	@[ -f kmod/vblk.ko ] || { echo "Error: kmod/vblk.ko is not built (run: make modules)" >&2; exit 1; }
	@v=$$($(SBIN_PATH) modinfo -F vermagic kmod/vblk.ko | cut -d' ' -f1); [ "$$v" = "$(KVER)" ] || \
		{ echo "Error: kmod/vblk.ko is built for $$v, not $(KVER) (run: make modules KDIR=$(KDIR))" >&2; exit 1; }
	$(if $(MOD_NOSIGN),@echo "Note: no module signing key in $(KDIR): vblk.ko is installed unsigned")
	@set -o pipefail; $(MAKE) -s -C $(KDIR) M=$(ROOT)/kmod INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates DEPMOD=true $(MOD_NOSIGN) modules_install 2>&1 | \
		{ grep -v "Skipping depmod" || true; }
	$(if $(DESTDIR),,$(SBIN_PATH) depmod -a $(KVER))

install-user:
	@[ -x user/vblkctl ] && [ -x user/vblk-vmm ] || { echo "Error: user/vblkctl and user/vblk-vmm are not built (run: make user)" >&2; exit 1; }
	install -D -m 0755 user/vblkctl $(DESTDIR)$(SBINDIR)/vblkctl
	install -D -m 0755 user/vblk-vmm $(DESTDIR)$(BINDIR)/vblk-vmm
	install -D -m 0644 Documentation/vblkctl.8 $(DESTDIR)$(MANDIR)/man8/vblkctl.8
	install -D -m 0644 -t $(DESTDIR)$(INCLUDEDIR)/linux kmod/include/uapi/linux/vblk.h \
		kmod/include/uapi/linux/vblk_vmm.h
	install -D -m 0644 udev/60-vblk.rules $(DESTDIR)$(UDEVRULESDIR)/60-vblk.rules
	install -D -m 0644 completions/vblkctl $(DESTDIR)$(BASHCOMPDIR)/vblkctl

uninstall:
	rm -f $(foreach m,vblk vblk_vdpa,$(addprefix $(MODDIR)/$(m).ko,"" .gz .xz .zst))
	$(if $(DESTDIR),,[ ! -d /lib/modules/$(KVER) ] || $(SBIN_PATH) depmod -a $(KVER))
	rm -f $(DESTDIR)$(SBINDIR)/vblkctl $(DESTDIR)$(BINDIR)/vblk-vmm \
		$(DESTDIR)$(MANDIR)/man8/vblkctl.8 $(DESTDIR)$(INCLUDEDIR)/linux/vblk.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/vblk_vmm.h $(DESTDIR)$(UDEVRULESDIR)/60-vblk.rules \
		$(DESTDIR)$(BASHCOMPDIR)/vblkctl

# DKMS: the module's sources and dkms.conf, as dkms expects them.
DKMS_SRC = $(DESTDIR)/usr/src/vblk-$(VBLK_VERSION)

dkms-src:
	rm -rf $(DKMS_SRC)
	install -D -m 0644 -t $(DKMS_SRC) dkms.conf
	install -D -m 0644 -t $(DKMS_SRC)/kmod kmod/Kbuild $(filter-out %.mod.c,$(wildcard kmod/*.[ch]))
	install -D -m 0644 -t $(DKMS_SRC)/kmod/include/uapi/linux kmod/include/uapi/linux/*.h

dkms: dkms-src
	@! dkms status vblk/$(VBLK_VERSION) | grep -q . || dkms remove vblk/$(VBLK_VERSION) --all
	dkms add vblk/$(VBLK_VERSION)
	dkms install vblk/$(VBLK_VERSION) $(if $(DKMS_KERNEL),-k $(DKMS_KERNEL))

dkms-remove:
	-dkms remove vblk/$(VBLK_VERSION) --all
	rm -rf $(DKMS_SRC)

check: deps
	@scripts/check.sh

run: deps
	@scripts/run.sh

# The long fuzzing campaigns of Documentation/testing.rst (make check runs
# a bounded smoke of each).  CPU-heavy: flock /tmp/vblk-machine.lock make fuzz
fuzz: deps
	@scripts/fuzz.sh campaign

# Not a test: the performance comparison of Documentation/performance.rst.
bench: deps
	@QUICK=$(QUICK) scripts/bench/run.sh

clean:
	-$(MAKE) -s -C $(KDIR) M=$(ROOT) clean 2>/dev/null
	-$(MAKE) -C user clean
	-$(MAKE) -C selftests clean
	-$(MAKE) -C fuzz clean
	rm -f .kdir
