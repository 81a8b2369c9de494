#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Tables of a benchmark run: scripts/bench/table.py RUN_DIR [--rst]

Reads RUN_DIR/meta.txt, load.txt and vm/ (the test host's records), writes
RUN_DIR/table.txt and RUN_DIR/results.json and prints the table.  With
--rst, prints the run as a reStructuredText section for
Documentation/performance.rst instead (scripts/bench/publish.sh).

Exit status: 0; 3 when the run was disturbed (another load on the
machine, the test host's clocksource not TSC) or left no numbers.
"""
import json
import os
import re
import statistics
import sys

BACKENDS = ('vblk', 'qemu-default', 'qemu-best', 'host')
BACKINGS = {'tmpfs': 'file on tmpfs (page cache)',
            'nullblk': 'null_blk, 1 ms completions, memory-backed, O_DIRECT'}
JOBS = ('randread-qd1', 'randread-qd16', 'randwrite-qd16', 'seqread-128k-qd4',
        'randread-4x16')
SVM_EXITS = {0x60: 'INTR', 0x61: 'NMI', 0x64: 'VINTR', 0x72: 'CPUID',
             0x77: 'PAUSE', 0x78: 'HLT', 0x7b: 'IOIO', 0x7c: 'MSR',
             0x81: 'VMMCALL', 0x400: 'NPF', 0x401: 'AVIC_INCOMPLETE_IPI',
             0x402: 'AVIC_NOACCEL'}
VMX_EXITS = {1: 'EXTINT', 7: 'INTR_WINDOW', 10: 'CPUID', 12: 'HLT', 30: 'IO',
             31: 'RDMSR', 32: 'WRMSR', 48: 'EPT_VIOLATION',
             49: 'EPT_MISCONFIG', 40: 'PAUSE'}
USER_EXITS = {2: 'IO', 6: 'MMIO', 8: 'SHUTDOWN', 10: 'INTR', 17: 'INTERNAL',
              26: 'IOAPIC_EOI',
              24: 'SYSTEM_EVENT'}
MMIO_REGS = {0x050: 'kick (QueueNotify)', 0x060: 'InterruptStatus read',
             0x064: 'InterruptACK write', 0x070: 'Status'}
CATS = ('vcpu', 'vmm', 'worker', 'kernel', 'fio', 'other')


def kv(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                k, sep, v = line.rstrip('\n').partition('=')
                if sep:
                    out[k] = v
    except OSError:
        pass
    return out


def med(xs):
    return statistics.median(xs) if xs else None


def syscall_names():
    names = {}
    try:
        with open('/usr/include/x86_64-linux-gnu/asm/unistd_64.h') as f:
            for m in re.finditer(r'#define __NR_(\w+) (\d+)', f.read()):
                names[int(m.group(2))] = m.group(1)
    except OSError:
        pass
    return names


def category(tid, t, vmm_pid, backend):
    comm, pid = t['comm'], t['pid']
    if comm.startswith('vblk-') and comm != 'vblk-vmm':
        return 'worker'
    if vmm_pid and pid == vmm_pid:
        if comm.startswith('CPU ') or (backend == 'vblk' and tid == vmm_pid):
            return 'vcpu'
        return 'vmm'
    if comm == 'fio':
        return 'fio'
    if re.match(r'(kworker|ksoftirqd|rcu|kvm|migration|irq/|kcompact|kswapd)',
                comm):
        return 'kernel'
    return 'other'


def window_figures(rec):
    """CPU per I/O (total and split), I/Os in the window, vCPU busy."""
    w, f = rec.get('window'), rec.get('fio')
    if not w or not f or not f['iops']:
        return None
    ios = f['iops'] * w['secs']
    split = dict.fromkeys(CATS, 0.0)
    for tid, t in w['threads'].items():
        split[category(int(tid), t, w.get('vmm_pid'), rec['backend'])] += \
            t['cpu_us']
    return {'ios': ios, 'cpu_per_io': w['cpu_busy_us'] / ios,
            'split_per_io': {k: v / ios for k, v in split.items()},
            'vcpu_busy_pct': 100 * split['vcpu'] / (w['secs'] * 1e6),
            'kvm_per_io': {k: v / ios for k, v in w['kvm'].items()},
            'vblk_per_io': {k: v / ios for k, v in w.get('vblk', {}).items()},
            'clocksource': w.get('clocksource')}


def counting(rec, vendor, sysnames):
    """Per-I/O counts from a counting-pass record's histograms."""
    w, f = rec.get('window'), rec.get('fio')
    if not w or 'hist' not in w or not f or not f['iops']:
        return None
    ios = f['iops'] * w['secs']
    h = w['hist']
    cat = {int(tid): category(int(tid), t, w.get('vmm_pid'), rec['backend'])
           for tid, t in w['threads'].items()}
    names = SVM_EXITS if vendor == 'AuthenticAMD' else VMX_EXITS
    c = {'ios': ios}
    exits = {}
    for reason, n in h.get('kvm/kvm_exit', []):
        k = names.get(reason, hex(reason))
        exits[k] = exits.get(k, 0) + n / ios
    c['exits'] = sum(exits.values())
    c['exits_by_reason'] = exits
    c['user_exits'] = {USER_EXITS.get(r, str(r)): n / ios
                       for r, n in h.get('kvm/kvm_userspace_exit', [])}
    mmio = {}
    for typ, gpa, n in h.get('kvm/kvm_mmio', []):
        if typ == 0:            # read announced before an exit: counted once
            continue
        if 0xfee00000 <= gpa < 0xfee01000:
            k = 'LAPIC %s' % ('write' if typ == 2 else 'read')
        else:
            off = gpa & 0x1ff
            k = MMIO_REGS.get(off, 'virtio-mmio 0x%03x %s' %
                              (off, 'write' if typ == 2 else 'read'))
        mmio[k] = mmio.get(k, 0) + n / ios
    c['mmio'] = mmio
    # Interrupts accepted by the guest's local APIC below the system
    # vectors (0xec timer, IPIs...): the device's, however injected.
    c['device_irqs'] = sum(n for vec, n in
                           h.get('kvm/kvm_apic_accept_irq', [])
                           if 0x20 <= vec < 0xe0) / ios
    c['irqs_by_gsi'] = {gsi: n / ios for gsi, level, n in
                        h.get('kvm/kvm_set_irq', []) if level == 1}
    wake = dict.fromkeys(CATS, 0.0)
    for pid, n in h.get('sched/sched_wakeup', []):
        wake[cat.get(pid, 'other')] += n / ios
    c['wakeups'] = wake
    sysc, top = dict.fromkeys(CATS, 0.0), {}
    for pid, nr, n in h.get('raw_syscalls/sys_enter', []):
        k = cat.get(pid, 'other')
        sysc[k] += n / ios
        if k in ('vcpu', 'vmm', 'worker'):
            name = '%s:%s' % (k, sysnames.get(nr, nr))
            top[name] = top.get(name, 0) + n / ios
    c['syscalls'] = sysc
    c['syscalls_top'] = dict(sorted(top.items(), key=lambda x: -x[1])[:8])
    return c


def load_disturbance(path):
    """Mean and worst 10 s CPU use of everything but the test host, in % of
    one CPU."""
    samples, seen = [], False
    try:
        with open(path) as f:
            for line in f:
                v = [float(x) for x in line.split()]
                if len(v) != 8 or v[4] <= v[0]:
                    continue
                seen = seen or v[7] > v[3]
                other = (v[5] - v[1]) - max(v[7] - v[3], 0)
                samples.append(max(other, 0) / (v[4] - v[0]))  # ticks/s
    except OSError:
        pass
    # Without the test host's own CPU time (the monitor never found its
    # QEMU) nothing can be told apart: unknown, not disturbed.
    if not samples or not seen:
        return None, None
    worst = max(sum(samples[i:i + 5]) / len(samples[i:i + 5])
                for i in range(len(samples)))
    return statistics.mean(samples), worst


def analyse(run):
    meta = kv(os.path.join(run, 'meta.txt'))
    meta.update(kv(os.path.join(run, 'vm/meta.txt')))
    recs = []
    try:
        with open(os.path.join(run, 'vm/runs.jsonl')) as f:
            recs = [json.loads(line) for line in f if line.strip()]
    except OSError:
        pass
    vendor = meta.get('test_host_cpus', '').split(' ')[-1]
    sysnames = syscall_names()
    cells, counts, problems = {}, {}, []
    for r in recs:
        key = (r['backing'], r['job'], r['backend'])
        if r['status'] != 'ok':
            problems.append({'backing': r['backing'], 'job': r['job'],
                             'backend': r['backend'], 'rep': r['rep'],
                             'phase': r['phase'], 'status': r['status'],
                             'reason': r.get('reason', '')})
            continue
        if r['phase'] == 'count':
            counts[key] = counting(r, vendor, sysnames)
            continue
        wf = window_figures(r)
        cell = cells.setdefault(key, {'reps': []})
        cell['reps'].append({'rep': r['rep'], **r['fio'],
                             **({'cpu_per_io': wf['cpu_per_io'],
                                 'split_per_io': wf['split_per_io'],
                                 'vcpu_busy_pct': wf['vcpu_busy_pct'],
                                 'kvm_per_io': wf['kvm_per_io'],
                                 'vblk_per_io': wf['vblk_per_io'],
                                 'clocksource': wf['clocksource']}
                                if wf else {}),
                             'boot_s': r.get('boot_s')})
    for cell in cells.values():
        reps = cell['reps']
        for k in ('iops', 'clat_mean_us', 'clat_p99_us', 'cpu_per_io',
                  'vcpu_busy_pct'):
            xs = [x[k] for x in reps if x.get(k) is not None]
            cell[k] = med(xs)
            if k == 'iops' and len(xs) > 1 and cell[k]:
                cell['iops_spread_pct'] = 100 * (max(xs) - min(xs)) / cell[k]
        cell['split_per_io'] = {c: med([x['split_per_io'][c] for x in reps
                                        if 'split_per_io' in x])
                                for c in CATS}
        cell['kvm_per_io'] = {k: med([x['kvm_per_io'][k] for x in reps
                                      if 'kvm_per_io' in x])
                              for k in (reps[0].get('kvm_per_io') or {})}
    ratios = []
    for (backing, job, be), cell in sorted(cells.items()):
        if be != 'vblk':
            continue
        row = {'backing': backing, 'job': job}
        for other in BACKENDS[1:]:
            o = cells.get((backing, job, other))
            if not o:
                continue
            for k in ('iops', 'clat_mean_us', 'clat_p99_us', 'cpu_per_io'):
                if cell.get(k) and o.get(k):
                    row['%s/%s' % (k, other)] = cell[k] / o[k]
        ratios.append(row)
    mean_other, worst_other = load_disturbance(os.path.join(run, 'load.txt'))
    why = []
    if mean_other is not None and mean_other > 15:
        why.append('other programs used %.0f%% of a CPU on average' % mean_other)
    if worst_other is not None and worst_other > 50:
        why.append('other programs used %.0f%% of a CPU over 10 s' % worst_other)
    for k in ('test_host_clocksource', 'test_host_clocksource_end'):
        if k in meta and not meta[k].startswith('tsc'):
            why.append('the test host clocksource was %s' % meta[k])
    bad_cs = {x.get('clocksource') for c in cells.values() for x in c['reps']
              if x.get('clocksource') not in (None, 'tsc')}
    if bad_cs:
        why.append('a window ran on clocksource %s' % ', '.join(bad_cs))
    if not cells:
        why.append('no numbers at all')
    throttle = ''
    try:
        with open(os.path.join(run, 'vm/throttle.txt')) as f:
            throttle = f.read()
    except OSError:
        pass
    error = ''
    try:
        with open(os.path.join(run, 'vm/error.txt')) as f:
            error = f.read().strip()
    except OSError:
        pass
    if error:
        why.append(error)
    return {'meta': meta, 'load_other_mean_pct': mean_other,
            'load_other_worst10s_pct': worst_other,
            'disturbed': bool(why), 'disturbed_why': why,
            'cells': [{'backing': k[0], 'job': k[1], 'backend': k[2], **v}
                      for k, v in sorted(cells.items())],
            'ratios': ratios,
            'counts': [{'backing': k[0], 'job': k[1], 'backend': k[2], **v}
                       for k, v in sorted(counts.items()) if v],
            'problems': problems, 'throttle': throttle}


def fmt(x, nd=0):
    if x is None:
        return '-'
    return '%.*f' % (nd, x)


def order(items, key):
    def k(x):
        return (list(BACKINGS).index(x['backing']) if x['backing'] in BACKINGS
                else 9, JOBS.index(x['job']) if x['job'] in JOBS else 9,
                BACKENDS.index(x['backend']) if 'backend' in x and
                x['backend'] in BACKENDS else 9)
    return sorted(items, key=k)


def tables(res):
    """[(title, header, rows)] for the text and reST renderings."""
    out = []
    rows = []
    for c in order(res['cells'], None):
        reps = ' '.join(fmt(x['iops']) for x in sorted(c['reps'],
                                                          key=lambda x: x['rep']))
        rows.append([c['backing'], c['job'], c['backend'], fmt(c['iops']),
                     fmt(c['clat_mean_us']), fmt(c['clat_p99_us']),
                     fmt(c['cpu_per_io']), fmt(c.get('vcpu_busy_pct')),
                     reps, fmt(c.get('iops_spread_pct'), 1)])
    out.append(('Medians per backend (every repetition\'s IOPS in order)',
                ['backing', 'job', 'backend', 'IOPS', 'clat us', 'p99 us',
                 'CPU us/IO', 'vCPU %', 'IOPS per rep', 'spread %'], rows))
    rows = []
    for r in order(res['ratios'], None):
        row = [r['backing'], r['job']]
        for other in BACKENDS[1:]:
            for k in ('iops', 'clat_mean_us', 'cpu_per_io'):
                row.append(fmt(r.get('%s/%s' % (k, other)), 2))
        rows.append(row)
    out.append(('Ratios vblk / X (IOPS: above 1 is better; latency and CPU '
                'per I/O: below 1 is better)',
                ['backing', 'job', 'IOPS/qd', 'lat/qd', 'CPU/qd', 'IOPS/qb',
                 'lat/qb', 'CPU/qb', 'IOPS/host', 'lat/host', 'CPU/host'],
                rows))
    rows = []
    for c in order(res['cells'], None):
        s = c['split_per_io']
        rows.append([c['backing'], c['job'], c['backend']] +
                    [fmt(s.get(k)) for k in CATS] +
                    [fmt(c['kvm_per_io'].get('exits'), 1),
                     fmt(c['kvm_per_io'].get('mmio_exits'), 2),
                     fmt(c['kvm_per_io'].get('halt_wakeup'), 2),
                     fmt(None if c['kvm_per_io'].get('halt_poll_success_ns')
                         is None else
                         (c['kvm_per_io']['halt_poll_success_ns'] +
                          c['kvm_per_io'].get('halt_poll_fail_ns', 0)) / 1e3)])
    out.append(('Test-host CPU per I/O by thread (us; vcpu = the nested '
                'guest\'s vCPU thread, vmm = the VMM\'s other threads, worker '
                '= vblk\'s worker) and KVM statistics per I/O (timed runs; '
                'halt poll = time KVM spent polling in halted vCPUs)',
                ['backing', 'job', 'backend'] + list(CATS) +
                ['exits', 'mmio exits', 'halt wakeups', 'halt poll us'],
                rows))
    rows = []
    for c in order(res['counts'], None):
        m = c['mmio']
        rows.append([c['backing'], c['job'], c['backend'], fmt(c['exits'], 2),
                     fmt(c['user_exits'].get('MMIO', 0), 2),
                     fmt(m.get('kick (QueueNotify)', 0), 2),
                     fmt(m.get('InterruptStatus read', 0), 2),
                     fmt(m.get('InterruptACK write', 0), 2),
                     fmt(c['device_irqs'], 2),
                     fmt(c['wakeups']['vcpu'], 2),
                     fmt(c['wakeups']['worker'] + c['wakeups']['vmm'], 2),
                     fmt(c['wakeups']['kernel'], 2),
                     fmt(c['syscalls']['vcpu'] + c['syscalls']['vmm'] +
                         c['syscalls']['worker'], 2)])
    out.append(('Counted per I/O (counting pass, tracepoints): VM exits, '
                'exits to the VMM for MMIO, kicks, interrupt register '
                'accesses, device interrupts injected, wake-ups of the vCPU '
                'thread, of the device threads (vblk worker or QEMU main '
                'loop/IOThread/pool) and of kernel workers, syscalls of the '
                'VMM process',
                ['backing', 'job', 'backend', 'exits', 'MMIO exits', 'kicks',
                 'ISR reads', 'ACK writes', 'irqs', 'wake vcpu', 'wake dev',
                 'wake kworker', 'syscalls'], rows))
    return out


def text_table(header, rows):
    w = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    lines = ['  '.join(str(x).ljust(n) for x, n in zip(header, w)).rstrip()]
    lines.append('  '.join('-' * n for n in w))
    for r in rows:
        lines.append('  '.join(str(x).ljust(n) for x, n in zip(r, w)).rstrip())
    return lines


def rst_table(header, rows):
    w = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    sep = ' '.join('=' * n for n in w)
    lines = [sep, ' '.join(str(x).ljust(n) for x, n in zip(header, w)).rstrip(),
             sep]
    lines += [' '.join(str(x).ljust(n) for x, n in zip(r, w)).rstrip()
              for r in rows]
    lines.append(sep)
    return lines


def headline(res):
    m = res['meta']
    lines = ['run %s (git %s): %s, %s repetition(s) of %s s timed runs, '
             'counting runs of %s s' % (
                 m.get('date', '?'), m.get('git', '?'),
                 'QUICK=1' if m.get('quick') == '1' else 'full',
                 m.get('reps', '?'), m.get('rt', '?'), m.get('ct', '?'))]
    others = ('unknown (the load monitor did not see the test host)'
              if res['load_other_mean_pct'] is None else
              '%.1f%% of a CPU on average, %.1f%% at worst over 10 s' % (
                  res['load_other_mean_pct'], res['load_other_worst10s_pct']))
    lines.append('machine: %s, %s CPUs, Linux %s, clocksource %s; CPU use '
                 'before: %s%%; others during the run: %s' % (
                     m.get('machine_cpu', '?'), m.get('machine_cpus', '?'),
                     m.get('machine_kernel', '?'),
                     m.get('machine_clocksource', '?'),
                     m.get('machine_busy_pct_before', '?'), others))
    lines.append('test host: %s (TCG), kernel %s, clocksource %s -> %s' % (
        m.get('test_host_qemu', '?'), m.get('test_host_kernel', '?'),
        m.get('test_host_clocksource', '?').split(' ')[0],
        m.get('test_host_clocksource_end', '?')))
    lines.append('nested VMMs: vblk-vmm (this tree) and %s; guest: the same '
                 'kernel, 1 vCPU, 512 MiB; %s, libaio, direct=1' % (
                     m.get('nested_qemu', '?'), m.get('fio', 'fio')))
    lines.append('backings: ' + '; '.join('%s = %s' % kv_
                                          for kv_ in BACKINGS.items()))
    lines.append('qemu-default: no IOThread, aio=threads; qemu-best: '
                 'IOThread, aio=io_uring; both cache.direct=on on null_blk')
    if m.get('test_host_hang'):
        lines.append('TEST HOST HANG: %s' % m['test_host_hang'])
    if m.get('wall_s'):
        lines.append('wall time: %d min %d s' % divmod(int(m['wall_s']), 60))
    return lines


def render_text(res):
    lines = headline(res) + ['']
    if res['disturbed']:
        lines += ['DISTURBED RUN, not for publishing: ' +
                  '; '.join(res['disturbed_why']), '']
    for title, header, rows in tables(res):
        lines += ['== ' + title, '']
        lines += (text_table(header, rows) if rows else ['(none)']) + ['']
    if res['problems']:
        lines += ['== Not measured', '']
        for p in res['problems']:
            lines.append('%s %s %s rep %s (%s): %s: %s' % (
                p['backing'], p['job'], p['backend'], p['rep'], p['phase'],
                p['status'], p['reason']))
        lines.append('')
    if res['throttle']:
        lines += ['== Throttle (configured against delivered, vblk through '
                  'the real data path at depth 1)', ''] + \
            res['throttle'].rstrip().splitlines() + ['']
    return '\n'.join(lines)


def render_rst(res, image):
    m = res['meta']
    title = 'Run of %s (%s)' % (m.get('date', '?')[:10], m.get('git', '?'))
    lines = [title, '-' * len(title), '']
    lines += ['::', ''] + ['    ' + x for x in headline(res)] + ['']
    for t, header, rows in tables(res):
        if rows:
            lines += [t + ':', ''] + rst_table(header, rows) + ['']
    if res['problems']:
        lines += ['Not measured:', '']
        lines += ['- %s %s %s: %s: %s' % (p['backing'], p['job'], p['backend'],
                                          p['status'], p['reason'])
                  for p in res['problems'] if p['rep'] in (0, 1)]
        lines.append('')
    if res['throttle']:
        lines += ['Throttle section::', ''] + \
            ['    ' + x for x in res['throttle'].rstrip().splitlines()] + ['']
    if image:
        lines += ['.. image:: %s' % image, '   :alt: IOPS and test-host CPU '
                  'per I/O per backend and workload', '']
    return '\n'.join(lines)


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: table.py RUN_DIR [--rst [IMAGE]]')
    run = sys.argv[1]
    res = analyse(run)
    if len(sys.argv) > 2 and sys.argv[2] == '--rst':
        print(render_rst(res, sys.argv[3] if len(sys.argv) > 3 else None))
        return 3 if res['disturbed'] else 0
    with open(os.path.join(run, 'results.json'), 'w') as f:
        json.dump(res, f, indent=1, sort_keys=True)
    text = render_text(res)
    with open(os.path.join(run, 'table.txt'), 'w') as f:
        f.write(text + '\n')
    print(text)
    return 3 if res['disturbed'] else 0


if __name__ == '__main__':
    sys.exit(main())
