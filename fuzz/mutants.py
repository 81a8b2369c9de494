#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that vblk_fuzz catches deliberately broken device cores.

Each mutant breaks one rule of Documentation/device-model.rst in a copy of
kmod/; the fuzzer, built against the copy, runs from fuzz/corpus with a
fixed seed until it reports a violation or a crash, or its time is up
(then the mutant survived: the harness is blind to that rule).

    fuzz/mutants.py [SECONDS [NAME]]  (default 120 per mutant; NAME: only
                                       the mutants whose name contains it)

Prints one line per mutant and exits non-zero if any survived or no
longer applies (kmod/ changed under it). CPU-heavy: run it under the
machine lock.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# (name, file, text, replacement)
MUTANTS = [
    ("direction check dropped", "vblk_req.c",
     "if (!!(c->flags[i] & VRING_DESC_F_WRITE) != in)", "if (0)"),
    ("sector multiple dropped", "vblk_req.c",
     "if (len % VBLK_SECTOR_SIZE)", "if (0)"),
    ("capacity off by a sector", "vblk_req.c",
     "len <= cap - *pos;", "len <= cap - *pos + 512;"),
    ("status in the first byte", "vblk_req.c",
     "(u64)st->len - 1, &req->status_gpa", "0, &req->status_gpa"),
    ("GET_ID one byte long", "vblk_req.c",
     "ITER_DEST, VIRTIO_BLK_ID_BYTES)", "ITER_DEST, VIRTIO_BLK_ID_BYTES + 1)"),
    ("flush syncs a read-only device", "vblk_req.c",
     "env->read_only ? VBLK_OP_NONE : VBLK_OP_FLUSH", "VBLK_OP_FLUSH"),
    ("indirect with NEXT accepted", "vblk_vq.c",
     "if (w->indirect || (flags & VRING_DESC_F_NEXT))", "if (w->indirect)"),
    ("avail index bound doubled", "vblk_vq.c",
     "(u16)(*avail - vq->last_avail_idx) > vq->num",
     "(u16)(*avail - vq->last_avail_idx) > 2 * vq->num"),
    ("EVENT_IDX ignored", "vblk_vq.c",
     "return vring_need_event(event, new, old);", "return true;"),
    ("stall counted per retry", "vblk_blk.c",
     "\tif (r->bq->throttled)\n\t\treturn;\n\tWRITE_ONCE(r->bq->throttled, true);",
     "\tWRITE_ONCE(r->bq->throttled, true);"),
    ("-EINTR retried 100 times", "vblk_io.c",
     "if (++eintr > VBLK_EINTR_RETRIES)", "if (++eintr > 100)"),
    ("write of 0 bytes is progress", "vblk_io.c",
     "return write ? -EIO : vblk_zero_rest(it);",
     "return write ? 0 : vblk_zero_rest(it);"),
    ("write-through sync skipped", "vblk_io.c",
     "if (err || !dsync || !req->len)\n\t\treturn err;\n\treturn vblk_io_sync",
     "if (1)\n\t\treturn err;\n\treturn vblk_io_sync"),
    ("publish failure not counted", "vblk_blk.c",
     "if (!vblk_publish(r, &ctx->req)) {\n\t\tatomic64_inc(&r->blk->stats.io_errors);",
     "if (!vblk_publish(r, &ctx->req)) {"),
    ("unmap accepted on a discard", "vblk_req.c",
     "(discard && flags))", "0)"),
    ("discard range past capacity", "vblk_req.c",
     "!vblk_range_ok(env->capacity, d->pos, bytes, &d->pos))",
     "!vblk_range_ok(env->capacity + 1, d->pos, bytes, &d->pos))"),
    ("zeroed range not synced", "vblk_io.c",
     "if (!err && zeroes && dsync)", "if (0)"),
]


def run(name, fname, text, repl, seconds, corpus):
    with tempfile.TemporaryDirectory() as tmp:
        kmod = os.path.join(tmp, "kmod")
        shutil.copytree(os.path.join(ROOT, "kmod"), kmod,
                        ignore=shutil.ignore_patterns("*.o", "*.ko", ".*"))
        path = os.path.join(kmod, fname)
        src = open(path).read()
        if src.count(text) != 1:
            return "STALE", 0
        open(path, "w").write(src.replace(text, repl))
        build = os.path.join(tmp, "build")
        r = subprocess.run(["make", "-s", "-C", HERE, "KMOD=" + kmod,
                            "OUT=" + build, build + "/vblk_fuzz"],
                           capture_output=True, text=True)
        if r.returncode:
            return "NO BUILD", 0
        work = os.path.join(tmp, "work")
        os.mkdir(work)
        t0 = time.time()
        r = subprocess.run([build + "/vblk_fuzz", "-seed=1",
                            "-max_total_time=%d" % seconds,
                            "-artifact_prefix=" + tmp + "/", work, corpus],
                           capture_output=True, text=True, cwd=tmp)
        took = time.time() - t0
        if r.returncode == 0:
            return "SURVIVED", took
        why = re.search(r"violation at [^\n]*|ERROR: [^\n]*", r.stderr)
        return "caught: " + (why.group(0) if why else "crash"), took


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 120
    only = sys.argv[2] if len(sys.argv) > 2 else ""
    mutants = [m for m in MUTANTS if only in m[0]]
    corpus = os.path.join(HERE, "corpus")
    bad = 0
    for name, fname, text, repl in mutants:
        verdict, took = run(name, fname, text, repl, seconds, corpus)
        bad += not verdict.startswith("caught")
        print("%-34s %6.1fs  %s" % (name, took, verdict[:110]), flush=True)
    print("%d of %d mutants caught" % (len(mutants) - bad, len(mutants)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
