#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: build what is missing, run the static checks, the host unit
# tests, KUnit (in the test host and in-tree with kunit.py) and the
# kselftests; print every TAP stream and a last line
#   N passed, N failed, N skipped
# Exits non-zero if anything failed.
#
# VBLK_CHECK_SKIP: space-separated stages to leave out
#   (static, dkms, unit, fuzz, vm, kunit-intree), e.g. for a quick local loop.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$VBLK_ROOT"

out=$VBLK_ROOT/out/check
rm -rf "$out"; mkdir -p "$out/tap"
static=$out/tap/static.tap
: >"$static"
n=0
skip() { [[ " ${VBLK_CHECK_SKIP:-} " == *" $1 "* ]]; }
t_stage=$SECONDS
stage() {	# stage NAME: announce a stage and start its clock
	t_stage=$SECONDS
	say "$1"
}
took() { vblk_elapsed $((SECONDS - t_stage)); }
result() {	# result OK|FAIL NAME [LOG]
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n - $2" >>"$static"
	else
		echo "not ok $n - $2" >>"$static"
		[ -n "${3:-}" ] && sed 's/^/# /' "$3" | tail -n 40 >>"$static"
	fi
	echo "  $(grep -E '^(not )?ok ' "$static" | tail -n 1) ($(took))"
}
step() {	# step NAME LOG CMD...: run CMD, record the result
	local name=$1 log=$2; shift 2
	stage "$name"
	if "$@" >"$log" 2>&1; then result OK "$name"; else result FAIL "$name" "$log"; return 1; fi
}
fatal() {
	echo "Error: $1" >&2
	summary
	exit 1
}
summary() {
	read -r p f s < <(python3 scripts/tap-count.py -v "$out"/tap/*.tap)
	echo
	echo "$p passed, $f failed, $s skipped"
}

t_all=$SECONDS
scripts/deps.sh || exit 1
stage "the checkers catch failures (scripts/pipeline-selftest.sh)"
scripts/pipeline-selftest.sh >"$out/tap/pipeline.tap" 2>&1
say "  done ($(took))"
# The kernel build's progress lines ("==> ...") go to the console too.
stage "test kernel builds (selftests/config + config.debug)"
if scripts/build-kernel.sh 2>&1 | tee "$out/kernel.log" | { grep --line-buffered '^==> ' || true; }; then
	result OK "test kernel builds (selftests/config + config.debug)"
else
	result FAIL "test kernel builds (selftests/config + config.debug)" "$out/kernel.log"
	fatal "the test kernel did not build ($out/kernel.log)"
fi
kdir=$(vblk_kbuild_dir)
stage "guest kernel builds (selftests/config.guest)"
if vblk_build_guest_kernel 2>&1 | tee "$out/guest-kernel.log" | { grep --line-buffered '^==> ' || true; }; then
	result OK "guest kernel builds (selftests/config.guest)"
else
	result FAIL "guest kernel builds (selftests/config.guest)" "$out/guest-kernel.log"
fi

if ! skip static; then
	if [ -f Documentation/netlink/specs/vblk.yaml ]; then
		step "generated netlink code matches the YNL spec" "$out/gen.log" scripts/ynl-gen.sh --check
	fi
	step "vblk.ko and vblk_test.ko build with W=1 -Werror" "$out/build.log" \
		bash -c "make -s -C '$kdir' M='$VBLK_ROOT' clean && echo '$kdir' >.kdir && make -s -C '$kdir' M='$VBLK_ROOT' W=1 KCFLAGS=-Werror modules" ||
		fatal "the modules did not build ($out/build.log)"
	step "sparse (C=2) is clean" "$out/sparse.log" \
		bash -c "make -s -C '$kdir' M='$VBLK_ROOT' C=2 CHECKFLAGS='-Wsparse-error' W=1 KCFLAGS=-Werror modules 2>&1 | tee /dev/stderr | { ! grep -E 'warning|error'; }"
	step "checkpatch --strict is clean" "$out/checkpatch.log" scripts/checkpatch.sh
	step "Documentation/ parses without a warning (docutils)" "$out/docs.log" \
		bash -c 'scripts/doc-check.py Documentation/*.rst'
else
	make -s test-modules >"$out/build.log" 2>&1 || fatal "the modules did not build ($out/build.log)"
fi

step "userspace builds with -Wall -Wextra -Werror" "$out/user.log" make -s user ||
	fatal "userspace did not build ($out/user.log)"
step "selftests build" "$out/selftests-build.log" make -s selftests ||
	fatal "the selftests did not build ($out/selftests-build.log)"

if ! skip dkms; then
	stage "DKMS: dkms build for the test kernel and an unsupported one (scripts/dkms-test.sh)"
	scripts/dkms-test.sh >"$out/tap/dkms.tap" 2>&1
	say "  done ($(took))"
fi

if ! skip unit; then
	stage "host unit tests (AddressSanitizer/UBSan)"
	make -s -C user test >"$out/tap/user-unit.tap" 2>&1 ||
		grep -q '^not ok' "$out/tap/user-unit.tap" ||
		echo "not ok 1 - user unit tests exited non-zero" >>"$out/tap/user-unit.tap"
	say "  done ($(took))"
fi

if ! skip fuzz; then
	stage "libFuzzer smoke of the device core (scripts/fuzz.sh smoke)"
	scripts/fuzz.sh smoke >"$out/tap/fuzz.tap" 2>&1
	grep -E '^# (seed|took)' "$out/tap/fuzz.tap" | sed 's/^# /  /'
	say "  done ($(took))"
fi

if ! skip vm; then
	stage "test host: KUnit and kselftests (log: $out/vm/console.log)"
	scripts/vm.sh --timeout "${VBLK_VM_TIMEOUT:-2400}" --out "$out/vm" \
		--cmd "scripts/in-vm.sh ${VBLK_TESTS:-}" >"$out/vm.log" 2>&1
	rc=$?
	[ $rc -eq 0 ] && result OK "test host ran the tests" ||
		result FAIL "test host ran the tests (exit $rc)" "$out/vm.log"
	cp "$out"/vm/tap/*.tap "$out/tap/" 2>/dev/null
	for f in "$out"/vm/tap/*.tap; do [ -f "$f" ] && cat "$f"; done
	if [ -f "$out/vm/times.txt" ]; then
		say "  the slowest streams in the test host:"
		sed 's/^vblk-test: //' "$out/vm/times.txt" | sort -k3 -n -r | head -n 6 | sed 's/^/    /'
	fi
	scripts/klog-check.sh "$out/vm/dmesg.txt" "$out/vm/kmemleak.txt" >"$out/klog.log" 2>&1 &&
		result OK "test host kernel log is free of reports" ||
		result FAIL "test host kernel log is free of reports" "$out/klog.log"
fi

if ! skip kunit-intree; then
	step "KUnit in-tree (kunit.py, UML)" "$out/kunit-intree.log" \
		scripts/kunit-intree.sh --tap "$out/tap/kunit-intree.tap"
fi

echo
cat "$static"
say "make check took $(vblk_elapsed $((SECONDS - t_all)))"
summary | tee "$out/summary.txt"
read -r p f s < <(tail -n 1 "$out/summary.txt" | tr -d ',' | awk '{print $1, $3, $5}')
[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
