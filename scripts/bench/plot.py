#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Bar chart of a benchmark run: scripts/bench/plot.py RUN_DIR [OUT.png]

IOPS (top) and test-host CPU time per I/O (bottom) per backend and
workload, one column per backing, from RUN_DIR/results.json (table.py).
Debian's python3-matplotlib.
"""
import json
import os
import sys

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

BACKENDS = ('vblk', 'qemu-default', 'qemu-best', 'host')
COLOURS = ('#1f77b4', '#ff7f0e', '#d62728', '#7f7f7f')
JOBS = ('randread-qd1', 'randread-qd16', 'randwrite-qd16', 'seqread-128k-qd4',
        'randread-4x16')
BACKINGS = (('tmpfs', 'file on tmpfs'), ('nullblk', 'null_blk, 1 ms'))


def main():
    run = sys.argv[1]
    png = sys.argv[2] if len(sys.argv) > 2 else os.path.join(run, 'bench.png')
    with open(os.path.join(run, 'results.json')) as f:
        res = json.load(f)
    cells = {(c['backing'], c['job'], c['backend']): c for c in res['cells']}
    jobs = [j for j in JOBS if any(k[1] == j for k in cells)]
    fig, axes = plt.subplots(2, len(BACKINGS), figsize=(12, 7), squeeze=False)
    width = 0.8 / len(BACKENDS)
    for col, (backing, label) in enumerate(BACKINGS):
        for row, (key, ylabel) in enumerate((('iops', 'IOPS (guest, fio)'),
                                             ('cpu_per_io',
                                              'test-host CPU us per I/O'))):
            ax = axes[row][col]
            for i, be in enumerate(BACKENDS):
                ys = [(cells.get((backing, j, be)) or {}).get(key) or 0
                      for j in jobs]
                xs = [n + (i - 1.5) * width for n in range(len(jobs))]
                ax.bar(xs, ys, width, label=be, color=COLOURS[i])
            ax.set_xticks(range(len(jobs)))
            ax.set_xticklabels(jobs, fontsize=8, rotation=15)
            ax.set_ylabel(ylabel)
            ax.set_yscale('log')
            ax.grid(axis='y', alpha=0.3)
            if row == 0:
                ax.set_title(label)
    axes[0][0].legend(fontsize=8)
    m = res['meta']
    fig.suptitle('vblk benchmark, %s, git %s (TCG test host + nested KVM: '
                 'compare bars within one chart only)%s'
                 % (m.get('date', '?')[:10], m.get('git', '?'),
                    ' DISTURBED' if res['disturbed'] else ''), fontsize=10)
    fig.tight_layout()
    fig.savefig(png, dpi=80)
    return 0


if __name__ == '__main__':
    sys.exit(main())
