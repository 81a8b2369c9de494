# SPDX-License-Identifier: GPL-2.0
"""One long-lived Python for the shell tests (see pyserve.sh).

In the test host a Python start-up costs seconds (TCG, and the interpreter
and its modules are read over 9p), so a test that checks many JSON outputs
or runs the kernel's YNL CLI many times sends its requests here instead.

A request on stdin is its words, each ended by a NUL, and an empty word;
the reply on stdout is one line, the request's exit status.  Requests:

  json FILE MSGS EXPR...   FILE parsed as JSON (d); every EXPR must be true
                           (the module json is at hand)
  jsonl FILE MSGS EXPR...  the same with d the last line of FILE
  py OUT CODE ARGS...      CODE run as by python3 -c CODE ARGS (a fresh
                           namespace), its stdout and stderr in OUT
  cli OUT ARGS...          the YNL CLI (cli.py, given with --cli) with ARGS,
                           its stdout and stderr in OUT

For json and jsonl, what the check prints ("# false: EXPR", a traceback) is
written to MSGS.  cli runs cli.py's own main(); only the family object is
made once per (spec, schema, options) and reused, as a long-lived YNL
client does: the spec is read and checked against its schema on first use.
"""

import importlib.util
import json
import os
import sys
import traceback

requests = os.fdopen(os.dup(0), "rb", buffering=0)
replies = os.fdopen(os.dup(1), "w")
cli = None


def load_cli(path):
    """Import cli.py as a module; cache the families it makes."""
    # cli.py imports its lib/ package from its own directory.
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec = importlib.util.spec_from_file_location("vblk_ynl_cli", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    made = {}
    family = mod.YnlFamily

    def cached_family(*args, **kwargs):
        key = repr((args, sorted(kwargs.items())))
        if key not in made:
            made[key] = family(*args, **kwargs)
        return made[key]

    mod.YnlFamily = cached_family
    return mod, path


def run_cli(out, args):
    mod, path = cli
    return run_main(out, [path] + args, mod.main)


def run_code(out, code, args):
    def main():
        exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})
    return run_main(out, ["-c"] + args, main)


def run_main(out, argv, main):
    """main() with sys.argv, stdout and stderr set; the exit status."""
    sys.argv = argv
    with open(out, "w") as f:
        sys.stdout = sys.stderr = f
        try:
            main()
            rc = 0
        except SystemExit as e:
            if e.code is None:
                rc = 0
            elif isinstance(e.code, int):
                rc = e.code
            else:
                print(e.code, file=f)
                rc = 1
        except Exception:
            traceback.print_exc()
            rc = 1
        finally:
            f.flush()
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    return rc


def run_check(last_line, path, msgs, exprs):
    with open(msgs, "w") as m:
        try:
            text = open(path).read()
            if last_line:
                text = text.strip().splitlines()[-1]
            d = json.loads(text)
            for e in exprs:
                if not eval(e, {"d": d, "json": json, "sys": sys}):
                    print("# false: " + e, file=m)
                    return 1
            return 0
        except Exception:
            traceback.print_exc(file=m)
            return 1


def serve():
    buf = b""
    words = []
    while True:
        while b"\0" not in buf:
            chunk = requests.read(65536)
            if not chunk:
                return
            buf += chunk
        word, buf = buf.split(b"\0", 1)
        if word:
            words.append(word.decode())
            continue
        what, args, words = words[0], words[1:], []
        # cli.py's exit() closes sys.stdin: give it one that is not ours.
        sys.stdin = open(os.devnull)
        if what == "cli" and cli:
            rc = run_cli(args[0], args[1:])
        elif what == "py":
            rc = run_code(args[0], args[1], args[2:])
        elif what in ("json", "jsonl"):
            rc = run_check(what == "jsonl", args[0], args[1], args[2:])
        else:
            rc = 125
        sys.stdin.close()
        replies.write("%d\n" % rc)
        replies.flush()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--cli":
        cli = load_cli(sys.argv[2])
    serve()
