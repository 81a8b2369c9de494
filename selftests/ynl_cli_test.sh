#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# An independent client: the kernel's own YNL CLI (tools/net/ynl/cli.py),
# driven only by Documentation/netlink/specs/vblk.yaml, adds, gets, dumps,
# changes and deletes a device.  Checks that the spec and the module agree.
# Prints KTAP (the kernel's ktap_helpers.sh).
set -u
ROOT=${VBLK_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$ROOT/selftests/lib/vblk_ktap.sh"
KSRC=${VBLK_KSRC:-}
SPEC=$ROOT/Documentation/netlink/specs/vblk.yaml
CLI=$KSRC/tools/net/ynl/cli.py
tmp=$(mktemp -d /tmp/ynl-cli-test.XXXXXX)

ktap_print_header
# VBLK_YNL_DIR: a copy of the kernel's tools/net/ynl, if the tree is elsewhere.
[ -f "$CLI" ] || CLI=${VBLK_YNL_DIR:-/nonexistent}/cli.py
if [ ! -f "$CLI" ]; then
	# No unpacked kernel tree here: take the YNL tools from the Debian
	# linux-source tarball (only tools/net/ynl is extracted).
	tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1)
	if [ -n "$tarball" ] &&
	   timeout 120 tar -xf "$tarball" -C "$tmp" --wildcards '*/tools/net/ynl/*' \
		2>/dev/null; then
		CLI=$(ls "$tmp"/*/tools/net/ynl/cli.py 2>/dev/null | head -n1)
	fi
fi
if [ ! -f "$CLI" ]; then
	ktap_skip_all "no kernel source with tools/net/ynl/cli.py (VBLK_KSRC)"
	exit 0
fi

ok() {	# ok STATUS DESCRIPTION: a result; on failure, the CLI's output
	ktap_check "$1" "$2" || sed 's/^/#   /' "$tmp/out" | head -20
}

# One Python runs cli.py's main() for every call (pyserve.sh): a Python
# start-up per call would cost seconds each in the test host.
. "$ROOT/selftests/lib/pyserve.sh"
pyserve_start --cli "$CLI"

ynl() {	# ynl ARGS... : output in $tmp/out, status in $rc
	# A backing-fd names a descriptor of the CLI's process (fd 7 here,
	# open only around the call): such calls start cli.py of their own.
	if { : >&7; } 2>/dev/null; then
		python3 "$CLI" --spec "$SPEC" --output-json "$@" >"$tmp/out" 2>&1
	else
		pyserve cli "$tmp/out" --spec "$SPEC" --output-json "$@"
	fi
	rc=$?
}

check() {	# check DESCRIPTION PYTHON-EXPR... (d = the parsed output)
	local desc=$1
	shift
	# d: the last line of the output, as JSON
	[ "$rc" -eq 0 ] && pyserve jsonl "$tmp/out" "$tmp/py" "$@"
	local s=$?
	[ "$rc" -ne 0 ] || cat "$tmp/py"
	ok $s "$desc"
}

truncate -s 8M "$tmp/disk.img"
ynl --do dev-del --json '{"name": "ync-0"}'

# dev-add: backing-fd is a descriptor of the cli.py process (inherited fd 7).
ynl --do dev-add --json '{"name": "ync-0", "backing-fd": 7, "serial": "YNL-1",
	"throttle": {"iops": 300, "bps": 1048576}}' 7<>"$tmp/disk.img"
check "dev-add replies with id and name" 'd["name"] == "ync-0"' 'd["id"] > 0'
id=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])["id"])' \
	"$tmp/out" 2>/dev/null || echo 0)

ynl --do dev-get --json '{"name": "ync-0"}'
check "dev-get by name" \
	'd["id"] == '"$id" \
	'd["capacity"] == 8 << 20' \
	'd["read-only"] == 0' \
	'd["serial"] == "YNL-1"' \
	'd["vmm-attached"] == 0' \
	'd["backing-path"] == "'"$tmp/disk.img"'"' \
	'd["throttle"] == {"iops": 300, "iops-burst": 300, "bps": 1048576, "bps-burst": 1048576}' \
	'len(d["stats"]) == 13 and all(v == 0 for v in d["stats"].values())' \
	'd["queue"][0]["index"] == 0'

ynl --do dev-get --json '{"id": '"$id"'}'
check "dev-get by id" 'd["name"] == "ync-0"'

ynl --dump dev-get
check "dev-get dump lists the device" \
	'isinstance(d, list)' 'len([x for x in d if x["name"] == "ync-0"]) == 1'

ynl --do dev-set --json '{"name": "ync-0", "serial": "YNL-2", "throttle": {"iops": 50, "iops-burst": 100}}'
[ $rc -eq 0 ]
ok $? "dev-set serial and throttle"
ynl --do dev-get --json '{"name": "ync-0"}'
check "dev-set took effect" 'd["serial"] == "YNL-2"' \
	'd["throttle"] == {"iops": 50, "iops-burst": 100}'

ynl --do dev-set --json '{"name": "ync-0", "capacity": 1000}'
[ $rc -ne 0 ] && grep -q "capacity: must be a non-zero multiple of 512" "$tmp/out"
ok $? "dev-set capacity 1000 refused with the kernel's message"

ynl --do dev-set --json '{"name": "ync-0", "capacity": 4194304}'
[ $rc -eq 0 ]
ok $? "dev-set capacity: online resize"
ynl --do dev-get --json '{"name": "ync-0"}'
check "dev-get after the resize" 'd["capacity"] == 4194304' \
	'd["cache"] == "writeback"' 'len(d["latency"]) == 10' \
	'd["latency"][0]["op"] == "read"' 'len(d["latency"][0]["bucket"]) == 26'

ynl --do group-add --json '{"name": "ync-g", "throttle": {"iops-read": 500}}'
[ $rc -eq 0 ]
ok $? "group-add with a per-direction limit"
ynl --do dev-set --json '{"name": "ync-0", "group": "ync-g"}'
[ $rc -eq 0 ]
ok $? "dev-set group"
ynl --do group-get --json '{"name": "ync-g"}'
check "group-get: members and limits" 'd["members"] == 1' \
	'd["member"] == ["ync-0"]' \
	'd["throttle"] == {"iops-read": 500, "iops-read-burst": 500}'
ynl --do group-del --json '{"name": "ync-g"}'
[ $rc -ne 0 ] && grep -q "name: in use by devices" "$tmp/out"
ok $? "group-del of a group in use refused"
ynl --do dev-set --json '{"name": "ync-0", "group": ""}'
ynl --do group-del --json '{"name": "ync-g"}'
[ $rc -eq 0 ]
ok $? "group-del once empty"

ynl --do dev-add --json '{"name": "ync-0", "backing-fd": 7}' 7<>"$tmp/disk.img"
[ $rc -ne 0 ] && grep -q "name: a device with this name exists" "$tmp/out"
ok $? "duplicate dev-add refused"

ynl --do dev-del --json '{"name": "ync-0"}'
[ $rc -eq 0 ]
ok $? "dev-del"
ynl --do dev-get --json '{"name": "ync-0"}'
[ $rc -ne 0 ] && grep -q "name: no such device" "$tmp/out"
ok $? "deleted device is gone"

rm -rf "$tmp"
ktap_set_plan $((KTAP_TESTNO - 1))
ktap_finished
