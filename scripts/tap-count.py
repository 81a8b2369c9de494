#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count leaf results in TAP/KTAP streams (nested KUnit suites included).

Prints "passed failed skipped" for the files given; with -v, lists the
failures.  A result line is a leaf when no deeper result preceded it since
the previous result at its own depth (a suite's line closes its cases).
"""
import re
import sys

RESULT = re.compile(r'^(\s*)(not ok|ok)\s+\d+\s*(?:-\s*)?(.*)$')


def count(lines):
    passed = failed = skipped = 0
    failures = []
    any_failed_child = False
    pending = []  # depths of results since their parent's line
    for line in lines:
        m = RESULT.match(line.rstrip('\n'))
        if not m:
            continue
        depth = len(m.group(1).expandtabs(8))
        leaf = not any(d > depth for d in pending)
        pending = [d for d in pending if d < depth] + [depth]
        if not leaf:
            if m.group(2) == 'not ok' and not re.search(r'#\s*SKIP', m.group(3), re.I):
                # A suite that failed outside its cases (init, crash).
                if not any_failed_child:
                    failed += 1
                    failures.append(m.group(3) + ' (suite)')
            any_failed_child = False
            continue
        desc = m.group(3)
        if re.search(r'#\s*SKIP', desc, re.I):
            skipped += 1
        elif m.group(2) == 'ok':
            passed += 1
        else:
            failed += 1
            any_failed_child = True
            failures.append(desc)
    return passed, failed, skipped, failures


def main():
    verbose = '-v' in sys.argv
    files = [a for a in sys.argv[1:] if a != '-v']
    tp = tf = ts = 0
    for f in files:
        with open(f, errors='replace') as fh:
            p, fl, s, fails = count(fh)
        tp, tf, ts = tp + p, tf + fl, ts + s
        if verbose:
            for d in fails:
                print(f'FAILED: {f}: {d}', file=sys.stderr)
    print(tp, tf, ts)


if __name__ == '__main__':
    main()
