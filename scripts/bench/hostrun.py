#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The benchmark inside the test host (started by scripts/bench/in-host.sh).

Runs the same fio jobs against each backend on each backing, repetitions
interleaved (A B C D, then D C B A, ...), and records one JSON line per
job and repetition in OUT/runs.jsonl as soon as it is known, so a run that
hangs (or takes the test host down) still leaves everything before it.

Backends: vblk (vblk.ko + vblkctl + vblk-vmm), qemu-default and qemu-best
(QEMU's virtio-blk-device; best = IOThread + io_uring), host (fio in the
test host on the backing itself).  A guest backend is one nested boot that
runs every job; the guest prints "@@bench" markers (guest-init).

For each job a measurement window lies inside fio's timed part (after the
1 s ramp, ending 0.5 s before fio stops): test-host CPU time (/proc/stat,
and per thread from schedstat), KVM's statistics (debugfs) and vblk's
counters are read at both edges.  The last repetition of every
configuration also runs each job again, shorter, with histogram triggers on
KVM, scheduler and syscall tracepoints: exits by reason, MMIO accesses by
register, injected interrupts, wake-ups and syscalls per thread.  That
counting pass is never used for the timed figures.
"""
import argparse
import base64
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time

TRACE = '/sys/kernel/tracing'
KVM_DEBUGFS = '/sys/kernel/debug/kvm'
KVM_STATS = ('exits', 'mmio_exits', 'io_exits', 'halt_exits', 'halt_wakeup',
             'irq_injections', 'irq_exits', 'signal_exits',
             'irq_window_exits', 'insn_emulation', 'hypercalls',
             'halt_successful_poll', 'halt_attempted_poll',
             'halt_poll_success_ns', 'halt_poll_fail_ns')
WORK = '/run/vblk-bench'
DISK = 'benchdisk'
MIB = 1 << 20


def log(msg):
    print('bench: %s' % msg, flush=True)


def sh(cmd, check=True, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), check=check,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw).stdout


def read(path, default=''):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


# ---------------------------------------------------------------------------
# Snapshots of the test host at the edges of a measurement window

def tasks():
    """{tid: (pid, comm, cpu_ns)} for every task, from schedstat."""
    out = {}
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            tids = os.listdir('/proc/%s/task' % pid)
        except OSError:
            continue
        for tid in tids:
            base = '/proc/%s/task/%s/' % (pid, tid)
            try:
                ns = int(read(base + 'schedstat').split()[0])
                comm = read(base + 'comm').strip()
            except (IndexError, ValueError):
                continue
            out[int(tid)] = (int(pid), comm, ns)
    return out


def proc_stat():
    f = [int(x) for x in read('/proc/stat').splitlines()[0].split()[1:]]
    # user nice system idle iowait irq softirq steal (guest is in user)
    return {'busy': sum(f[0:3]) + sum(f[5:8]), 'idle': f[3] + f[4]}


def kvm_stats():
    return {k: int(read(os.path.join(KVM_DEBUGFS, k), '0') or 0)
            for k in KVM_STATS}


def vblk_stats(ctl):
    try:
        return json.loads(sh([ctl, '-j', 'stats', DISK]))['stats']
    except (subprocess.CalledProcessError, ValueError, KeyError):
        return {}


class Window:
    """Counters read at the start and the end of a measurement window."""

    def __init__(self, ctl, vblk):
        self.ctl, self.vblk = ctl, vblk

    def start(self):
        # Slow reads first, so their cost stays outside the window.
        self.vb0 = vblk_stats(self.ctl) if self.vblk else {}
        self.kvm0 = kvm_stats()
        self.ta0 = tasks()
        self.t0, self.st0 = time.monotonic(), proc_stat()

    def stop(self):
        t1, st1, ta1 = time.monotonic(), proc_stat(), tasks()
        kvm1 = kvm_stats()
        vb1 = vblk_stats(self.ctl) if self.vblk else {}
        hz = os.sysconf('SC_CLK_TCK')
        threads = {}
        for tid, (pid, comm, ns) in ta1.items():
            d = ns - self.ta0.get(tid, (0, '', 0))[2]
            if d > 0:
                threads[tid] = {'pid': pid, 'comm': comm, 'cpu_us': d / 1e3}
        return {
            'secs': t1 - self.t0,
            'cpu_busy_us': (st1['busy'] - self.st0['busy']) * 1e6 / hz,
            'cpu_idle_us': (st1['idle'] - self.st0['idle']) * 1e6 / hz,
            'threads': threads,
            'kvm': {k: kvm1[k] - self.kvm0[k] for k in kvm1},
            'vblk': {k: vb1[k] - self.vb0.get(k, 0) for k in vb1
                     if isinstance(vb1[k], int)},
        }


# ---------------------------------------------------------------------------
# The counting pass: histogram triggers on tracepoints

HISTS = {
    'kvm/kvm_exit': 'exit_reason',
    'kvm/kvm_userspace_exit': 'reason',
    'kvm/kvm_mmio': 'type,gpa',
    'kvm/kvm_set_irq': 'gsi,level',
    'kvm/kvm_apic_accept_irq': 'vec',
    'sched/sched_wakeup': 'pid',
    'raw_syscalls/sys_enter': 'common_pid,id',
}


def hist_spec(keys):
    return 'hist:keys=%s:vals=hitcount:size=4096' % keys


def counting_start():
    for ev, keys in HISTS.items():
        with open('%s/events/%s/trigger' % (TRACE, ev), 'w') as f:
            f.write(hist_spec(keys))


def counting_stop():
    """Read and remove the histograms: {event: [[key values..., hits]]}."""
    out = {}
    for ev, keys in HISTS.items():
        with open('%s/events/%s/trigger' % (TRACE, ev), 'a') as f:
            f.write(hist_spec(keys) + ':pause')
    for ev, keys in HISTS.items():
        rows = []
        for line in read('%s/events/%s/hist' % (TRACE, ev)).splitlines():
            m = re.match(r'\{(.*)\}\s+hitcount:\s+(\d+)', line)
            if m:
                vals = [int(v) for v in re.findall(r':\s*(\d+)', m.group(1))]
                rows.append(vals + [int(m.group(2))])
        out[ev] = rows
        with open('%s/events/%s/trigger' % (TRACE, ev), 'a') as f:
            f.write('!' + hist_spec(keys))
    return out


# ---------------------------------------------------------------------------
# fio results

def fio_summary(text):
    # fio prints a line about exec_prerun's output file before the JSON.
    js = json.loads(text[text.index('{'):])
    job = js['jobs'][0]
    d = job['write'] if job['write']['io_bytes'] > job['read']['io_bytes'] \
        else job['read']
    clat = d['clat_ns']
    return {'iops': d['iops'], 'bw_kib': d['bw'],
            'clat_mean_us': clat['mean'] / 1e3,
            'clat_p99_us': clat.get('percentile', {}).get('99.000000', 0) / 1e3,
            'ios': d['total_ios'], 'runtime_ms': d['runtime']}


# ---------------------------------------------------------------------------
# One configuration: a guest boot (or the host's own fio) running every job

class Bench:
    def __init__(self, a):
        self.a = a
        self.out = a.out
        self.runs = open(os.path.join(a.out, 'runs.jsonl'), 'a')
        self.ctl = os.path.join(a.root, 'user/vblkctl')
        self.vmm = os.path.join(a.root, 'user/vblk-vmm')
        self.bz = os.path.join(a.kdir, 'arch/x86/boot/bzImage')
        os.makedirs(os.path.join(a.out, 'console'), exist_ok=True)

    def record(self, rec):
        self.runs.write(json.dumps(rec) + '\n')
        self.runs.flush()
        os.fsync(self.runs.fileno())

    def backing_path(self, backing):
        return {'tmpfs': WORK + '/disk.img', 'nullblk': '/dev/nullb0'}[backing]

    def direct(self, backing):
        # Same host-side caching for every backend: the page cache for the
        # tmpfs file (it is the storage), O_DIRECT for null_blk.
        return backing == 'nullblk'

    def guest_cmdline(self, jobs, count):
        return ('console=ttyS0 reboot=t panic=-1 quiet loglevel=0 '
                'mitigations=off bench.jobs=%s bench.rt=%d bench.ct=%d'
                % (','.join(jobs), self.a.rt, self.a.ct if count else 0))

    def command(self, backend, backing, jobs, count, cpus):
        path = self.backing_path(backing)
        cmdline = self.guest_cmdline(jobs, count)
        if backend == 'vblk':
            return [self.vmm, '--kernel', self.bz, '--initrd', self.initrd,
                    '--mem', '512', '--cpus', str(cpus), '--disk', DISK,
                    '--reboot-exits', '--cmdline', cmdline]
        drive = 'if=none,id=d0,format=raw,file=%s' % path
        if self.direct(backing):
            drive += ',cache.direct=on'
        dev = 'virtio-blk-device,drive=d0'
        extra = []
        if backend == 'qemu-best':
            drive += ',aio=io_uring'
            extra = ['-object', 'iothread,id=iot0']
            if cpus > 1:
                dev += (',num-queues=%d,iothread-vq-mapping.0.iothread=iot0'
                        % cpus)
            else:
                dev += ',iothread=iot0'
        elif cpus > 1:
            dev += ',num-queues=%d' % cpus
        # debug-threads: thread names, for the CPU split per thread.
        return [self.a.qemu, '-M', 'microvm,accel=kvm', '-cpu', 'host',
                '-name', 'bench,debug-threads=on',
                '-m', '512', '-smp', str(cpus), '-nodefaults', '-no-user-config',
                '-display', 'none', '-no-reboot', '-serial', 'stdio',
                '-kernel', self.bz, '-initrd', self.initrd, '-append', cmdline,
                '-drive', drive, '-device', dev] + extra

    def boot(self, backend, backing, rep, jobs, count, cpus=1):
        """One nested boot running @jobs; records every job."""
        tag = '%s-%s-r%d' % (backing, backend, rep)
        base = {'backing': backing, 'backend': backend, 'rep': rep}
        vblk = backend == 'vblk'
        if vblk:
            args = [self.ctl, 'dev', 'add', DISK, 'backing',
                    self.backing_path(backing)]
            if self.direct(backing):
                args.append('direct')
            if cpus > 1:
                args += ['queues', str(cpus)]
            sh(args)
        console = os.path.join(self.out, 'console', tag + '.log')
        phases = ['time'] + (['count'] if count else [])
        # A hang: no marker from the guest for this long (boot, or a job).
        budget = 120 + max(self.a.rt, self.a.ct)
        done = set()
        con = open(console, 'w')
        t_start = time.monotonic()
        proc = subprocess.Popen(self.command(backend, backing, jobs, count,
                                             cpus),
                                stdin=subprocess.DEVNULL, stdout=con,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
        log('%s: booted (pid %d), jobs %s' % (tag, proc.pid, ' '.join(jobs)))
        win = Window(self.ctl, vblk)
        pos, buf, measured, status = 0, '', {}, 'hang'
        progress = t_start
        boot_s = guest = None
        while True:
            with open(console, errors='replace') as f:
                f.seek(pos)
                chunk = f.read()
                pos = f.tell()
            buf += chunk
            lines = buf.split('\n')
            buf = lines.pop()
            for line in lines:
                line = line.replace('\r', '')
                m = re.match(r'@@bench (\w+) ?(.*)', line)
                if not m:
                    continue
                what, rest = m.groups()
                progress = time.monotonic()
                if what == 'up':
                    boot_s = time.monotonic() - t_start
                    guest = rest
                elif what == 'go':
                    phase, job = rest.split()[:2]
                    measured[(phase, job)] = self.window(win, phase, proc)
                    progress = time.monotonic()
                elif what == 'json':
                    phase, job, b64 = (rest.split() + ['', ''])[:3]
                    rec = dict(base, phase=phase, job=job, status='ok',
                               cpus=cpus, boot_s=boot_s, guest=guest)
                    try:
                        rec['fio'] = fio_summary(
                            gzip.decompress(base64.b64decode(b64)).decode())
                    except (ValueError, OSError, KeyError, IndexError,
                            EOFError) as e:
                        rec.update(status='error', reason='fio: %s' % e)
                    rec.update(measured.get((phase, job), {}))
                    self.record(rec)
                    done.add((phase, job))
                    log('%s: %s %s %s' % (tag, phase, job, self.brief(rec)))
                elif what == 'done':
                    status = 'ok'
                elif what in ('error', 'fio:'):
                    log('%s: guest says: %s %s' % (tag, what, rest))
            if proc.poll() is not None:
                break
            if time.monotonic() > progress + budget:
                log('%s: HANG: the guest said nothing for %d s, killing the '
                    'VMM' % (tag, budget))
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                status = 'hang'
                break
            time.sleep(0.05)
        con.close()
        rc = proc.returncode
        if vblk:
            sh([self.ctl, 'dev', 'del', DISK, 'force'], check=False)
        for phase in phases:
            for job in jobs:
                if (phase, job) not in done:
                    why = ('the guest stopped for %d s' % budget
                           if status == 'hang' else
                           'the VMM exited (status %s) before this job' % rc)
                    self.record(dict(base, phase=phase, job=job,
                                     status='hang' if status == 'hang'
                                     else 'error', reason=why, cpus=cpus))
        log('%s: VMM exit %s after %.0f s' % (tag, rc,
                                                time.monotonic() - t_start))

    def window(self, win, phase, proc):
        """From fio's "go": skip the 1 s ramp, measure, stop before the end."""
        secs = self.a.rt if phase == 'time' else self.a.ct
        time.sleep(1.5)
        if phase == 'count':
            counting_start()
        win.start()
        time.sleep(max(secs - 1.0, 0.5))
        res = win.stop()
        if phase == 'count':
            res['hist'] = counting_stop()
        res['vmm_pid'] = proc.pid if proc else None
        res['clocksource'] = read(
            '/sys/devices/system/clocksource/clocksource0/current_clocksource'
        ).strip()
        return {'window': res}

    def host(self, backing, rep, jobs, count):
        """fio in the test host on the backing itself."""
        base = {'backing': backing, 'backend': 'host', 'rep': rep}
        win = Window(self.ctl, False)
        go = WORK + '/go'
        for phase in ['time'] + (['count'] if count else []):
            for job in jobs:
                if os.path.exists(go):
                    os.unlink(go)
                env = dict(os.environ, FILE=self.backing_path(backing),
                           RT=str(self.a.rt if phase == 'time' else self.a.ct),
                           BENCH_MARK='touch ' + go)
                with open(WORK + '/fio.json', 'w') as fj:
                    proc = subprocess.Popen(
                        ['fio', '--output-format=json', '--section=' + job,
                         os.path.join(self.a.root, 'scripts/bench/bench.fio')],
                        cwd=WORK, env=env, stdout=fj,
                        stderr=subprocess.DEVNULL)
                    t_end = time.monotonic() + self.a.rt + 60
                    while not os.path.exists(go) and proc.poll() is None \
                            and time.monotonic() < t_end:
                        time.sleep(0.02)
                    measured = self.window(win, phase, None) \
                        if os.path.exists(go) else {}
                    try:
                        proc.wait(timeout=max(t_end - time.monotonic(), 1))
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
                rec = dict(base, phase=phase, job=job, status='ok', cpus=1)
                try:
                    with open(WORK + '/fio.json') as f:
                        rec['fio'] = fio_summary(f.read())
                except (ValueError, KeyError, IndexError) as e:
                    rec.update(status='error', reason='fio: %s' % e)
                rec.update(measured)
                self.record(rec)
                log('host-%s-r%d: %s %s %s' % (backing, rep, phase, job,
                                               self.brief(rec)))

    @staticmethod
    def brief(rec):
        if 'fio' not in rec:
            return rec.get('status', '?')
        f, w = rec['fio'], rec.get('window')
        s = '%.0f IOPS, clat %.0f us (p99 %.0f)' % (
            f['iops'], f['clat_mean_us'], f['clat_p99_us'])
        if w and f['iops']:
            s += ', %.0f us CPU/IO' % (w['cpu_busy_us'] /
                                       (f['iops'] * w['secs']))
        return s


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--out', required=True)
    p.add_argument('--root', required=True)
    p.add_argument('--kdir', required=True)
    p.add_argument('--initrd', required=True)
    p.add_argument('--qemu', required=True)
    p.add_argument('--reps', type=int, default=2)
    p.add_argument('--rt', type=int, default=12)
    p.add_argument('--ct', type=int, default=5)
    p.add_argument('--backings', default='tmpfs,nullblk')
    p.add_argument('--backends', default='vblk,qemu-default,qemu-best,host')
    p.add_argument('--jobs', default='randread-qd1,randread-qd16,'
                   'randwrite-qd16,seqread-128k-qd4')
    p.add_argument('--mq-skip', default='')
    a = p.parse_args()
    b = Bench(a)
    b.initrd = a.initrd
    backends = a.backends.split(',')
    # The several-queue job runs in its own boots (a 4-vCPU guest).
    sets = [(a.jobs.split(','), 1)]
    if not a.mq_skip:
        sets.append((['randread-4x16'], 4))
    for backing in a.backings.split(','):
        for jobs, cpus in sets:
            for rep in range(1, a.reps + 1):
                order = backends if rep % 2 else backends[::-1]
                count = rep == a.reps
                for be in order:
                    if be == 'host':
                        b.host(backing, rep, jobs, count)
                    else:
                        b.boot(be, backing, rep, jobs, count, cpus)
        if a.mq_skip:
            for be in backends:
                b.record({'backing': backing, 'backend': be, 'rep': 0,
                          'phase': 'time', 'job': 'randread-4x16',
                          'status': 'skip', 'reason': a.mq_skip})
    return 0


if __name__ == '__main__':
    sys.exit(main())
