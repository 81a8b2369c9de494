#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Append a benchmark run to Documentation/performance.rst: its tables as a
# new section at the end (the runs are listed oldest first) and its chart
# as Documentation/images/bench-<timestamp>.png.  A disturbed run (see
# table.py) is refused.
#
#   scripts/bench/publish.sh out/bench/<timestamp>
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[ $# -eq 1 ] && [ -f "$1/vm/runs.jsonl" ] || die "usage: scripts/bench/publish.sh out/bench/<timestamp>"
run=$(cd "$1" && pwd)
doc=$VBLK_ROOT/Documentation/performance.rst
png=images/bench-$(basename "$run").png
sec=$(mktemp)
trap 'rm -f "$sec"' EXIT
/usr/bin/python3 "$VBLK_ROOT/scripts/bench/table.py" "$run" --rst "$png" >"$sec" ||
	die "$run is a disturbed run (see its table.txt); not publishing it"
[ -f "$run/bench.png" ] || /usr/bin/python3 "$VBLK_ROOT/scripts/bench/plot.py" "$run"
mkdir -p "$VBLK_ROOT/Documentation/images"
cp "$run/bench.png" "$VBLK_ROOT/Documentation/$png"
{ echo; cat "$sec"; } >>"$doc"
say "appended $(basename "$run") to $doc and added Documentation/$png"
