# SPDX-License-Identifier: GPL-2.0
# Sourced by vblk's kselftest shell tests: the kernel's own KTAP helpers
# (tools/testing/selftests/kselftest/ktap_helpers.sh of the kernel tree in
# VBLK_KSRC, which the test host sets; else the cached tree of
# scripts/lib.sh), and ktap_check for the tests' "status, description"
# checks.  The helpers count and print every result (ktap_test_pass,
# ktap_test_fail, ktap_test_skip); a test ends with ktap_finished.

_vblk_ktap_file=tools/testing/selftests/kselftest/ktap_helpers.sh
_vblk_ktap=${VBLK_KSRC:-/nonexistent}/$_vblk_ktap_file
if [ ! -f "$_vblk_ktap" ]; then
	_vblk_ktap=$(. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh" &&
		     vblk_ksrc_dir)/$_vblk_ktap_file
fi
if [ ! -f "$_vblk_ktap" ]; then
	echo "TAP version 13"
	echo "Bail out! no $_vblk_ktap_file (set VBLK_KSRC to the kernel tree)"
	exit 1
fi
# shellcheck source=/dev/null
. "$_vblk_ktap"

# ktap_check STATUS DESCRIPTION: a pass when STATUS is 0, else a failure;
# returns STATUS.  (The helpers echo DESCRIPTION unquoted: keep glob
# characters out of it.)
ktap_check() {
	if [ "$1" -eq 0 ]; then
		ktap_test_pass "$2"
	else
		ktap_test_fail "$2"
	fi
	return "$1"
}
