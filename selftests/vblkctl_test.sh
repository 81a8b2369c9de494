#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vblkctl end to end against the loaded vblk module: outputs (text and
# JSON, parsed back), exit codes (0 ok, 1 usage, 2 kernel), unit parsing,
# kernel error messages, stats, monitor, privileges.  Prints KTAP (the
# kernel's ktap_helpers.sh).
set -u
ROOT=${VBLK_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$ROOT/selftests/lib/vblk_ktap.sh"
V=$ROOT/user/vblkctl
tmp=$(mktemp -d /tmp/vblkctl-test.XXXXXX)
F=$tmp/disk.img

ktap_print_header

ok() {	# ok STATUS DESCRIPTION: a result; on failure, what vblkctl printed
	ktap_check "$1" "$2" && return
	printf '#   rc=%s stdout: %s\n#   stderr: %s\n' "$rc" \
		"$(head -c 600 "$tmp/out" | tr '\n' '|')" \
		"$(head -c 600 "$tmp/err" | tr '\n' '|')"
}

run() {	# run ARGS...: $rc, $tmp/out, $tmp/err
	"$V" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# expect RC DESCRIPTION [grep -E pattern for stdout or stderr] -- ARGS...
expect() {
	local want=$1 desc=$2 pat=${3:-}
	shift 3
	[ "$1" = -- ] && shift
	run "$@"
	local s=0
	[ "$rc" -eq "$want" ] || s=1
	if [ -n "$pat" ] && ! grep -qE -- "$pat" "$tmp/out" "$tmp/err"; then
		s=1
	fi
	ok $s "$desc"
}

# One Python evaluates every pyjson and py (pyserve.sh): a Python start-up per
# check would cost seconds each in the test host.
. "$ROOT/selftests/lib/pyserve.sh"
pyserve_start

# py CODE ARGS...: as python3 -c CODE ARGS; what it printed, as comments
py() {
	pyserve py "$tmp/py" "$@"
	local s=$?
	sed 's/^/# /' "$tmp/py"
	return $s
}

# pyjson DESCRIPTION PYTHON-EXPR...: $tmp/out parsed as d, every expression true
pyjson() {
	local desc=$1
	shift
	pyserve json "$tmp/out" "$tmp/py" "$@"
	local s=$?
	cat "$tmp/py"
	ok $s "$desc"
}

cleanup() {
	"$V" -j dev show 2>/dev/null | python3 -c '
import json, sys
for d in json.load(sys.stdin):
    if d["name"].startswith("vct-"):
        print(d["name"])' 2>/dev/null | while read -r d; do "$V" dev del "$d" force; done
}

cleanup
truncate -s 64M "$F"

# ---- without the module ----
if [ -n "${VBLK_KO:-}" ] && rmmod vblk 2>/dev/null; then
	expect 2 "without the module: exit 2 and how to load it" \
		"^Error: the vblk module is not loaded \(try: modprobe vblk\)$" -- dev show
	[ "$(wc -l <"$tmp/err")" -eq 1 ]
	ok $? "without the module: one line"
	insmod "$VBLK_KO"
	ok $? "vblk.ko loaded again"
else
	ktap_test_skip "without the module: cannot unload vblk (VBLK_KO unset or in use)"
fi
truncate -s 100 "$tmp/tiny.img"

# ---- help and usage ----
expect 0 "--help" "^Usage: vblkctl" -- --help
expect 0 "help object" "^Usage: vblkctl" -- help
expect 0 "dev help" "vblkctl dev add \[ name \] NAME backing PATH" -- dev help
expect 0 "set-throttle help is dev help" "set-throttle NAME ARGS is an alias of dev set" -- \
	set-throttle help
expect 0 "stats help" "stats NAME" -- stats help
expect 0 "monitor help" "monitor" -- monitor help
expect 0 "-V: the tool's version from the build" '^vblkctl [0-9A-Za-z][0-9A-Za-z.+~-]*$' -- -V
grep -qx "vblk netlink family version 1 (vblkctl speaks 1)" "$tmp/out" && ! grep -q unknown "$tmp/out"
ok $? "-V: the kernel family's version"
expect 1 "no arguments is a usage error" "Usage:" --
expect 1 "unknown object" "Error: unknown object \"frob\"" -- frob
expect 1 "unknown dev command" "Error: unknown command" -- dev frob
expect 1 "unknown option" "" -- --frob dev show
expect 1 "dev add without NAME" "missing NAME" -- dev add
expect 1 "dev add without backing" "missing backing PATH" -- dev add vct-x
expect 1 "dev add with an unopenable backing" "cannot open" -- dev add vct-x backing "$tmp/none"
expect 1 "dev del without NAME" "missing NAME" -- dev del
expect 1 "set-throttle with nothing to set" "^Error: dev set: nothing to change$" -- \
	set-throttle vct-x
expect 1 "dev set with nothing to set" "nothing to change" -- dev set vct-x
expect 1 "stats -c without -w" "-c needs -w" -- stats vct-x -c 2
expect 1 "stats -w 0" "SECONDS must be" -- stats vct-x -w 0
expect 1 "a keyword twice is refused, naming it" '^Error: duplicate keyword "size"$' -- \
	dev add vct-x backing "$F" size 1M size 2M
expect 1 "NAME and name NAME" '^Error: duplicate keyword "name"$' -- \
	dev add vct-x name vct-y backing "$F"
expect 1 "a limit twice" '^Error: duplicate keyword "iops"$' -- set-throttle vct-x iops 1 iops 2
expect 1 "dev set serial twice" '^Error: duplicate keyword "serial"$' -- \
	dev set vct-x serial A serial B

# ---- unit parsing (refused before anything is sent) ----
for bad in 12x 1.5G -5 "" 0x200 1m 18446744073709551616 16Ei 99999999999999999999Ki "1 K" 1KiBB; do
	expect 1 "size \"$bad\" refused" "Error: size: invalid value" -- \
		dev add vct-u backing "$F" size "$bad"
done
expect 1 "junk rate refused" "Error: iops: invalid value \"10Q\": unknown unit" -- \
	set-throttle vct-x iops 10Q
expect 1 "overflowing rate refused" "too large" -- set-throttle vct-x bps 20E
expect 1 "fraction refused with a reason" "fractions are not supported" -- \
	dev add vct-u backing "$F" size 1.5Gi

# ---- dev add ----
expect 0 "dev add with serial and limits" "^vct-a: id [0-9]+, capacity 64 MiB$" -- \
	dev add vct-a backing "$F" serial SER-A iops 1K bps 10Mi
expect 2 "duplicate name: kernel message, exit 2" \
	"^Error: name: a device with this name exists \(File exists\)$" -- \
	dev add vct-a backing "$F"
expect 2 "size not a multiple of 512" "^Error: capacity: must be a non-zero multiple of 512" -- \
	dev add vct-b backing "$F" size 1000
expect 2 "size 1M is 1000000 bytes (K/M/G are powers of 1000)" "multiple of 512" -- \
	dev add vct-b backing "$F" size 1M
expect 0 "size 512K = 512000 bytes (-r: exact)" "capacity 512000$" -- \
	-r dev add vct-b backing "$F" size 512K
expect 0 "size 1Gi beyond the file" "capacity 1 GiB$" -- \
	dev add vct-c backing "$F" size 1Gi
expect 2 "file below 512 bytes without size" "smaller than 512 bytes; give a capacity" -- \
	dev add vct-d backing "$tmp/tiny.img"
expect 2 "bad name" "^Error: name: only A-Z" -- dev add "vct-a/b" backing "$F"
expect 2 "serial too long" '^Error: serial: too long \(21 characters, at most 20\) \(Invalid argument\)$' -- \
	dev add vct-d backing "$F" serial 012345678901234567890
expect 2 "zero rate" '^Error: iops: value 0 out of range 1\.\.1099511627776 \(Numerical result out of range\)$' -- dev add vct-d backing "$F" iops 0
expect 2 "burst below rate" "Error: bps-burst: below bps" -- \
	dev add vct-d backing "$F" bps 1Mi bps-burst 1K
expect 2 "burst without rate" "Error: iops-burst: given without iops" -- \
	dev add vct-d backing "$F" iops-burst 100
expect 0 "read-only device" "read-only" -- dev add vct-r backing "$F" ro serial RO
# queues: the kernel's policy judges the range; vblkctl tells it from the bounds.
expect 0 "dev add queues 1" "^vct-q: id [0-9]+, " -- dev add vct-q backing "$F" queues 1
expect 0 "dev show NAME prints queues" "^  queues +1$" -- dev show vct-q
run -j dev show vct-q
pyjson "dev show -j: queues and every queue nest" 'd[0]["queues"] == 1' \
	'[q["index"] for q in d[0]["queue"]] == [0]'
expect 0 "dev del vct-q" "" -- dev del vct-q
for q in 0 17 4294967295; do
	expect 2 "queues $q: the policy's range error names queues" \
		"^Error: queues: value $q out of range 1\\.\\.16 \\(Numerical result out of range\\)\$" -- \
		dev add vct-q backing "$F" queues "$q"
done
expect 1 "queues beyond 32 bits is a usage error" "^Error: queues: invalid value" -- \
	dev add vct-q backing "$F" queues 4294967296
# More than one queue: one nest per queue.
expect 0 "dev add ... queues 16" "" -- dev add vct-q backing "$F" queues 16
run -j dev show vct-q
pyjson "queues 16: sixteen queue nests" 'd[0]["queues"] == 16' \
	'[q["index"] for q in d[0]["queue"]] == list(range(16))'
"$V" dev del vct-q

expect 0 "dev add name NAME" "^vct-n: id [0-9]+, " -- dev add name vct-n backing "$F" size 1Mi
expect 0 "the device of name NAME exists" "^vct-n$" -- dev show vct-n
expect 0 "dev del of it" "" -- dev del vct-n
run -j dev add vct-j backing "$F" size 4Ki
pyjson "dev add -j prints id, name, capacity" \
	'd["name"] == "vct-j"' 'd["capacity"] == 4096' 'd["id"] > 0'

# ---- dev show ----
expect 0 "dev show table header" "^ID +NAME +CAPACITY +MODE +VMM +THROTTLE +BACKING$" -- dev show
grep -E "^[0-9]+ +vct-a +64 MiB rw +- +iops 1000 \(burst 1000\) bps 10 MiB/s \(burst 10 MiB\) +$F$" "$tmp/out" >/dev/null
ok $? "dev show row for vct-a"
grep -qE "^[0-9]+ +vct-r .* ro +- " "$tmp/out"
ok $? "dev show row for vct-r is read-only"
awk -v t="$tmp" '/ vct-/ { print index($0, t) }' "$tmp/out" | sort -u | wc -l | grep -qx 1
ok $? "dev show columns aligned"

run -j dev show
pyjson "dev show -j without -s: no counters" \
	'not [x for x in d if "stats" in x]'
run -s -j dev show
pyjson "dev show -s -j: a list with every device and field" \
	'isinstance(d, list)' \
	'len([x for x in d if x["name"].startswith("vct-")]) == 5' \
	'[x for x in d if x["name"] == "vct-a"][0]["capacity"] == 67108864' \
	'[x for x in d if x["name"] == "vct-a"][0]["serial"] == "SER-A"' \
	'[x for x in d if x["name"] == "vct-a"][0]["read-only"] is False' \
	'[x for x in d if x["name"] == "vct-r"][0]["read-only"] is True' \
	'{k: v for k, v in [x for x in d if x["name"] == "vct-a"][0]["throttle"].items() if v} == {"iops": 1000, "iops-burst": 1000, "bps": 10485760, "bps-burst": 10485760}' \
	'len([x for x in d if x["name"] == "vct-a"][0]["throttle"]) == 12' \
	'[x for x in d if x["name"] == "vct-a"][0]["vmm-attached"] is False' \
	'len([x for x in d if x["name"] == "vct-a"][0]["queue"]) == 1' \
	'sorted([x for x in d if x["name"] == "vct-a"][0]["stats"]) == sorted(["reads-completed", "writes-completed", "flushes-completed", "bytes-read", "bytes-written", "io-errors", "throttled-count", "currently-throttled", "invalid-avail-idx-count", "discards-completed", "bytes-discarded", "write-zeroes-completed", "bytes-zeroed"])' \
	'all(v == 0 for v in [x for x in d if x["name"] == "vct-a"][0]["stats"].values())' \
	'[x for x in d if x["name"] == "vct-a"][0]["backing-path"] == "'"$F"'"' \
	'"_" not in json.dumps([x for x in d if x["name"] == "vct-a"][0]).replace("'"$F"'", "")'
cp "$tmp/out" "$tmp/compact.json"

run -s -p dev show vct-a
[ "$(wc -l <"$tmp/out")" -gt 20 ]
ok $? "-p prints indented JSON"
py '
import json, sys
a = json.load(open(sys.argv[1]))
b = [x for x in json.load(open(sys.argv[2])) if x["name"] == "vct-a"]
sys.exit(0 if a == b else 1)' "$tmp/out" "$tmp/compact.json"
ok $? "-s -p dev show NAME equals the compact dump entry"

# The JSON keys are the spec's names, as the kernel's ynl CLI prints them.
cli=${VBLK_KSRC:-/nonexistent}/tools/net/ynl/cli.py
if [ -f "$cli" ]; then
	python3 "$cli" --spec "$ROOT/Documentation/netlink/specs/vblk.yaml" --output-json \
		--do dev-get --json '{"name": "vct-a"}' >"$tmp/ynl.json" 2>"$tmp/err"
	python3 - "$tmp/ynl.json" "$tmp/compact.json" <<'EOF' >"$tmp/py" 2>&1
import json, sys
y = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
v = [x for x in json.load(open(sys.argv[2])) if x["name"] == "vct-a"][0]
assert set(y) == set(v), (sorted(y), sorted(v))
for nest in ("throttle", "stats"):
    assert set(y[nest]) <= set(v[nest]), (nest, sorted(y[nest]), sorted(v[nest]))
assert set(y["queue"][0]) == set(v["queue"][0]), (y["queue"], v["queue"])
assert v["capacity"] == y["capacity"] and v["serial"] == y["serial"]
EOF
	s=$?
	sed 's/^/# /' "$tmp/py"
	ok $s "dev show -j has the keys of the ynl CLI's dev-get"
else
	ktap_test_skip "dev show -j keys against the ynl CLI: no tools/net/ynl/cli.py"
fi

run -j dev show vct-a
cp "$tmp/out" "$tmp/j1"
run -j -r dev show vct-a
cmp -s "$tmp/j1" "$tmp/out" && grep -q '"capacity":67108864,' "$tmp/out"
ok $? "JSON has raw numbers: -r changes nothing"
expect 0 "dev show -r: exact numbers" "^  throttle-bps +10485760 \(burst 10485760\)$" -- \
	-r dev show vct-a
grep -qE "^  capacity +67108864$" "$tmp/out"
ok $? "dev show -r: exact capacity"
run -r dev show
grep -qE "^[0-9]+ +vct-a +67108864 rw +- +iops 1000 \(burst 1000\) bps 10485760 \(burst 10485760\) +$F$" "$tmp/out"
ok $? "dev show -r: exact numbers in the table"
expect 0 "dev show NAME detail" "^  capacity +64 MiB$" -- dev show vct-a
grep -qE "^  throttle-bps +10 MiB/s \(burst 10 MiB\)$" "$tmp/out"
ok $? "dev show NAME: rates humanised like capacity"
grep -qE "^  throttle-iops +1000 \(burst 1000\)$" "$tmp/out" &&
	grep -qE "^  serial +SER-A$" "$tmp/out" &&
	grep -qE "^  vmm +detached$" "$tmp/out" &&
	grep -qE "^  queue 0 +size 0 not-ready" "$tmp/out" &&
	! grep -q "reads-completed" "$tmp/out"
ok $? "dev show NAME detail fields, no counters without -s"
expect 0 "-s dev show NAME: with the counters" "^  reads-completed +0$" -- -s dev show vct-a
[ "$(grep -cE "^  [a-z-]+ +0$" "$tmp/out")" -ge 13 ] && grep -qE "^  invalid-avail-idx-count +0$" "$tmp/out" &&
	grep -qE "^  bytes-zeroed +0$" "$tmp/out"
ok $? "-s dev show NAME: all thirteen counters"
run -s dev show
awk '/^[0-9]+ +vct-a /{f=1; next} f && /^[0-9]/{exit} f' "$tmp/out" >"$tmp/rows"
[ "$(grep -cE "^      [a-z-]+ +[0-9]+$" "$tmp/rows")" -eq 13 ]
ok $? "-s dev show: thirteen counters under the row of vct-a"
expect 2 "dev show of an unknown device" "^Error: name: no such device \(No such file or directory\)$" -- \
	dev show vct-nope
expect 0 "abbreviated commands (d sh)" "vct-a" -- d sh

# ---- dev set / set-throttle (its alias) ----
# same DESCRIPTION ARGS...: "set-throttle ARGS" and "dev set ARGS" print
# the same and exit the same.
same() {
	local desc=$1 a b
	shift
	run set-throttle "$@"
	a="$rc $(cat "$tmp/out" "$tmp/err")"
	run dev set "$@"
	b="$rc $(cat "$tmp/out" "$tmp/err")"
	[ "$a" = "$b" ]
	ok $? "set-throttle is dev set: $desc"
	printf '#   %s\n' "$a"
}
same "refused by the kernel" vct-a iops-burst 10
same "unknown device" vct-nope iops 5
same "a success prints nothing" vct-a iops 7
expect 0 "set-throttle replaces the limits" "" -- set-throttle vct-a iops 500 iops-burst 2Ki
run -j dev show vct-a
pyjson "limits replaced (bps removed)" \
	'{k: v for k, v in d[0]["throttle"].items() if v} == {"iops": 500, "iops-burst": 2048}'
expect 2 "set-throttle refused by the kernel" "^Error: iops-burst: given without iops" -- \
	set-throttle vct-a iops-burst 10
expect 1 "set-throttle off with limits" "together" -- set-throttle vct-a off iops 5
expect 0 "set-throttle off" "" -- set-throttle vct-a off
run -j dev show vct-a
pyjson "limits off" 'd[0]["throttle"]["iops"] == 0' 'd[0]["throttle"]["bps"] == 0'
expect 0 "dev set serial" "" -- dev set vct-a serial NEW-SER bps 1G
run -j dev show vct-a
pyjson "dev set applied" 'd[0]["serial"] == "NEW-SER"' 'd[0]["throttle"]["bps"] == 10**9'
expect 0 "dev set throttle off" "" -- dev set vct-a throttle off
expect 2 "set-throttle on an unknown device" "no such device" -- set-throttle vct-nope off

# ---- stats ----
expect 0 "stats" "^vct-a \(id [0-9]+\)$" -- stats vct-a
grep -cE "^  (reads-completed|writes-completed|flushes-completed|bytes-read|bytes-written|io-errors|throttled-count|currently-throttled|invalid-avail-idx-count|discards-completed|bytes-discarded|write-zeroes-completed|bytes-zeroed) +0$" \
	"$tmp/out" | grep -qx 13
ok $? "stats prints all thirteen counters"
run -j stats vct-a
pyjson "stats -j" 'd["name"] == "vct-a"' 'len(d["stats"]) == 13'
expect 0 "stats -w 1 -c 2 (live view)" "reads/s" -- stats vct-a -w 1 -c 2
[ "$(grep -cE '^ +[0-9]+\.[0-9]' "$tmp/out")" -eq 2 ]
ok $? "live view prints one line per interval"
run -j stats vct-a -w 1 -c 2
py '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 2, lines
for l in lines:
    d = json.loads(l)
    assert d["name"] == "vct-a" and d["interval"] > 0.5
    assert d["rates"]["reads-completed"] == 0 and len(d["stats"]) == 13
    assert d["latency-interval"]["read"]["count"] == 0
' "$tmp/out"
ok $? "stats -j -w: one JSON object per interval"
expect 0 "stats: latency percentiles" "^ +count +mean +p50 +p90 +p99 +p99\.9$" -- stats vct-a
grep -qE "^  read +0 +0 ns +0 ns" "$tmp/out" && grep -q "^time throttled" "$tmp/out"
ok $? "stats: a row per kind, service and throttled"
run -j stats vct-a
pyjson "stats -j: the latency histograms with their buckets" 'len(d["latency"]) == 10' \
	'd["latency"][0]["op"] == "read"' 'd["latency"][0]["kind"] == "service"' \
	'len(d["latency"][0]["buckets"]) == 26' '"p99.9-ns" in d["latency"][9]'

# ---- per-direction limits, resize, cache mode, groups ----
expect 0 "per-direction limits" "" -- dev set vct-a iops-read 100 bps-write 1Mi bps-write-burst 4Mi
expect 0 "dev show: per-direction lines" "^  throttle-bps-write +1 MiB/s \(burst 4 MiB\)$" -- dev show vct-a
grep -qE "^  throttle-iops-read +100 \(burst 100\)$" "$tmp/out" && ! grep -q "throttle-iops-write" "$tmp/out"
ok $? "dev show: only the per-direction limits set"
expect 0 "dev show table: per-direction limits" "iops-read 100 \(burst 100\) bps-write 1 MiB/s" -- dev show
expect 2 "per-direction burst below rate" "^Error: iops-write-burst: below iops-write" -- \
	dev set vct-a iops-write 10 iops-write-burst 5
expect 0 "dev set size: online resize" "" -- dev set vct-a size 32Mi
expect 0 "dev show: the new capacity" "^  capacity +32 MiB$" -- dev show vct-a
expect 2 "resize refused: not a multiple of 512" "^Error: capacity: must be a non-zero multiple of 512" -- \
	dev set vct-a size 1000
expect 0 "dev show: cache mode" "^  cache +writeback$" -- dev show vct-a
expect 0 "dev add cache writethrough" "" -- dev add vct-w backing "$F" cache writethrough
expect 0 "dev show: writethrough" "^  cache +writethrough$" -- dev show vct-w
expect 1 "dev add cache: a bad mode" "cache: invalid value" -- dev add vct-x backing "$F" cache fast
expect 0 "group add" "" -- group add vct-g iops 200 bps-read 10Mi
expect 0 "group help" "vblkctl group add NAME" -- group help
expect 0 "dev set group" "" -- dev set vct-a group vct-g
expect 0 "dev show: the group" "^  group +vct-g$" -- dev show vct-a
expect 0 "group show NAME" "^  members +1 \(vct-a\)$" -- group show vct-g
grep -qE "^  throttle-iops +200 \(burst 200\)$" "$tmp/out" &&
	grep -qE "^  throttle-bps-read +10 MiB/s \(burst 10 MiB\)$" "$tmp/out"
ok $? "group show NAME: the limits"
expect 0 "group show: a table" "^[0-9]+ +vct-g +1 +0 iops 200 \(burst 200\) bps-read 10 MiB/s" -- group show
run -j group show vct-g
pyjson "group show -j" 'd[0]["name"] == "vct-g"' 'd[0]["member"] == ["vct-a"]' \
	'd[0]["throttle"]["iops"] == 200' 'd[0]["members"] == 1' 'd[0]["waits"] == 0'
expect 2 "group del while in use" "^Error: name: in use by devices" -- group del vct-g
expect 0 "group set" "" -- group set vct-g iops 300
expect 0 "group set: applied" "^  throttle-iops +300 \(burst 300\)$" -- group show vct-g
expect 2 "dev set group: unknown" "^Error: group: no such group" -- dev set vct-a group vct-nope
expect 0 "dev set group none" "" -- dev set vct-a group none
expect 0 "group del" "" -- group del vct-g
expect 2 "group del: gone" "no such group" -- group del vct-g
expect 0 "dev del vct-w" "" -- dev del vct-w
expect 0 "limits back off" "" -- dev set vct-a throttle off size 64Mi
expect 2 "stats of an unknown device" "no such device" -- stats vct-nope

# ---- monitor ----
"$V" -j monitor -c 3 >"$tmp/mon" 2>&1 &
mon=$!
sleep 1
"$V" dev add vct-m backing "$F" >/dev/null
"$V" set-throttle vct-m iops 10 >/dev/null
"$V" dev del vct-m
for _ in $(seq 50); do kill -0 $mon 2>/dev/null || break; sleep 0.2; done
kill $mon 2>/dev/null
wait $mon
py '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
assert [e["type"] for e in ev] == ["add", "change", "del"], ev
assert all(e["dev-name"] == "vct-m" for e in ev) and ev[0]["dev-id"] == ev[2]["dev-id"]
' "$tmp/mon"
ok $? "monitor -j -c 3 sees add, change, del"

# -t: each event starts with when it arrived.
"$V" -t monitor -c 1 >"$tmp/mon" 2>&1 &
mon=$!
"$V" -t -j monitor -c 1 >"$tmp/monj" 2>&1 &
monj=$!
sleep 1
"$V" dev add vct-t backing "$F" >/dev/null
for _ in $(seq 50); do kill -0 $mon 2>/dev/null || kill -0 $monj 2>/dev/null || break; sleep 0.2; done
kill $mon $monj 2>/dev/null
wait $mon $monj
"$V" dev del vct-t
grep -qE '^\[[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}\] add vct-t \(id [0-9]+\)$' "$tmp/mon"
ok $? "monitor -t: [date and time] before each event"
sed 's/^/# /' "$tmp/mon"
py '
import json, sys, time
e = json.loads(open(sys.argv[1]).read())
assert e["type"] == "add" and e["dev-name"] == "vct-t", e
assert isinstance(e["timestamp"], float) and abs(e["timestamp"] - time.time()) < 60, e
' "$tmp/monj"
ok $? "monitor -t -j: timestamp in seconds since the epoch"

# ---- bash completion (completions/vblkctl) ----
# comp WORDS...: what completing the last word offers, one line.
comp() {
	bash -c '. "$1/completions/vblkctl"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vblkctl
		echo "${COMPREPLY[*]}"' comp "$ROOT" "$V" "$@"
}
[ "$(comp "")" = "dev group set-throttle stats monitor help" ]
ok $? "completion: objects"
[[ " $(comp --j) " == *" --json "* ]] && [[ " $(comp -) " == *" -force "* ]]
ok $? "completion: options"
[ "$(comp dev "")" = "add del show set help" ]
ok $? "completion: dev commands"
c=" $(comp dev del "") "
[[ $c == *" vct-a "* && $c == *" vct-r "* ]]
ok $? "completion: device names from vblkctl -j dev show ($c)"
[ "$(comp d sh vct-)" = "$(comp dev show vct-)" ] && [[ " $(comp stats vct-) " == *" vct-a "* ]]
ok $? "completion: names for abbreviated commands and stats"
[ "$(comp dev del vct-a "")" = force ]
ok $? "completion: dev del NAME force"
c=$(comp dev add vct-x "")
[ "$c" = "backing size serial queues cache ro direct iops iops-burst bps bps-burst iops-read iops-read-burst iops-write iops-write-burst bps-read bps-read-burst bps-write bps-write-burst" ]
ok $? "completion: dev add keywords ($c)"
c=$(comp dev add name vct-x ro size 1Mi iops 5 bps-read 7 "")
[ "$c" = "backing serial queues cache direct iops-burst bps bps-burst iops-read iops-read-burst iops-write iops-write-burst bps-read-burst bps-write bps-write-burst" ]
ok $? "completion: keywords given are not offered again ($c)"
[ "$(comp dev add vct-x backing "$tmp/dis")" = "$F" ]
ok $? "completion: backing completes files"
[ "$(comp dev set vct-a throttle "")" = off ] && [ -z "$(comp dev set vct-a iops "")" ]
ok $? "completion: throttle off; no guess for a number"
c=$(comp set-throttle vct-a "")
[ "$c" = "off iops iops-burst bps bps-burst iops-read iops-read-burst iops-write iops-write-burst bps-read bps-read-burst bps-write bps-write-burst" ]
ok $? "completion: set-throttle NAME ($c)"
[ "$(comp dev add vct-x cache "")" = "writeback writethrough" ] &&
[ "$(comp group "")" = "add del show set help" ] &&
[ "$(comp dev set vct-a group "")" = none ] &&
[[ " $(comp dev set vct-a "") " == *" size group "* ]]
ok $? "completion: cache modes, group commands, dev set size and group"
[ "$(comp -b "$tmp/dis")" = "$F" ]
ok $? "completion: -b completes files"

# ---- -b FILE: one command per line ----
cat >"$tmp/ok.batch" <<EOF
# recreate the disks at boot
dev add vct-b1 backing $F size 1Mi

dev add name vct-b2 backing '$F' serial "B 2"   # a quoted word
dev set vct-b1 iops 10
EOF
expect 0 "-b: every line runs" "^vct-b2: id [0-9]+, " -- -b "$tmp/ok.batch"
run -j dev show vct-b2
pyjson "-b: quoted words and limits arrived" 'd[0]["serial"] == "B 2"'
run -j dev show vct-b1
pyjson "-b: the later line ran" 'd[0]["throttle"]["iops"] == 10'
cat >"$tmp/bad.batch" <<EOF
dev add vct-b3 backing $F
dev add vct-b1 backing $F
dev add vct-b4 backing $F
EOF
expect 2 "-b: stops at the first failure, its line and the kernel's status" \
	"^Error: $tmp/bad.batch:2: command failed, batch stopped \(-force goes on\)$" -- \
	-b "$tmp/bad.batch"
grep -q "^Error: name: a device with this name exists" "$tmp/err" && ! grep -q "^vct-b4:" "$tmp/out"
ok $? "-b: the failing command's message; the next line did not run"
"$V" dev del vct-b3
expect 2 "-b -force: goes on, exits with the failure's status" \
	"^Error: $tmp/bad.batch:2: command failed$" -- -force -b "$tmp/bad.batch"
grep -q "^vct-b4: " "$tmp/out"
ok $? "-b -force: the line after the failure ran"
printf 'dev del vct-b1\ndev del vct-b2\ndev del vct-b3\ndev del vct-b4\n' |
	"$V" -b - >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ! "$V" dev show vct-b4 >/dev/null 2>&1
ok $? "-b -: commands from stdin"
expect 1 "-b with an OBJECT too" "^Error: -b takes its commands from" -- -b "$tmp/ok.batch" dev show
expect 1 "-b of a missing file" "^Error: cannot open" -- -b "$tmp/none.batch"

# ---- dev del ----
expect 2 "dev del of an unknown device" "^Error: name: no such device" -- dev del vct-nope
expect 0 "dev del" "" -- dev del vct-b
expect 2 "deleted device is gone" "no such device" -- dev show vct-b
expect 0 "dev del force without a VMM" "" -- dev del vct-c force

# ---- privileges ----
if setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin true 2>/dev/null; then
	np() { setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin "$V" "$@"; }
	np dev del vct-a >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] && grep -q "^Error: needs CAP_SYS_ADMIN" "$tmp/err"
	ok $? "dev del without CAP_SYS_ADMIN: exit 2, the kernel's reason"
	np -j dev show vct-a >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 0 ] && ! grep -q backing "$tmp/out"
	ok $? "dev show without CAP_SYS_ADMIN works, without the backing path"
else
	ktap_test_skip "privileges: setpriv cannot drop capabilities"
fi

cleanup
run -j dev show
pyjson "cleanup left no test device" 'not [x for x in d if x["name"].startswith("vct-")]'
rm -rf "$tmp"

ktap_set_plan $((KTAP_TESTNO - 1))
ktap_finished
