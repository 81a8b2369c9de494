# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by shell tests that run Python many times: one Python process
# (pyserve.py) serves the requests, as a coprocess.
#   pyserve_start [--cli CLI.PY]   start it (with the YNL CLI loaded)
#   pyserve WORD...                one request (see pyserve.py); its status
#                                  (no WORD may be empty)
# The test's EXIT trap need not stop it: it ends when the shell does.

_pyserve_py=$(dirname "${BASH_SOURCE[0]}")/pyserve.py

pyserve_start() {
	coproc PYSERVE { exec python3 "$_pyserve_py" "$@"; }
}

pyserve() {
	local rc w
	for w; do [ -n "$w" ] || { echo "# pyserve: an empty word" >&2; return 125; }; done
	[ -n "${PYSERVE_PID:-}" ] || { echo "# pyserve: not running" >&2; return 125; }
	printf '%s\0' "$@" >&"${PYSERVE[1]}" && printf '\0' >&"${PYSERVE[1]}" &&
		read -r rc <&"${PYSERVE[0]}" || { echo "# pyserve: no reply" >&2; return 125; }
	return "$rc"
}
