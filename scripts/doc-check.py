#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check that every reStructuredText file parses without a warning.

    scripts/doc-check.py FILE...

Prints each problem as FILE:LINE: message and exits 1 if there was one.
"""
import io
import sys

import docutils.core
import docutils.utils


def check(path):
    err = io.StringIO()
    settings = {
        "report_level": docutils.utils.Reporter.WARNING_LEVEL,
        "halt_level": docutils.utils.Reporter.SEVERE_LEVEL + 1,
        "warning_stream": err,
        "file_insertion_enabled": False,
        "raw_enabled": False,
    }
    with open(path, encoding="utf-8") as f:
        docutils.core.publish_doctree(f.read(), source_path=path,
                                      settings_overrides=settings)
    return err.getvalue().strip()


def main():
    bad = 0
    for path in sys.argv[1:]:
        msgs = check(path)
        if msgs:
            print(msgs)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
