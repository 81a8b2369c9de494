#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the hand-made seeds of vblk_fuzz's corpus (fuzz/corpus/).

Each seed is a small program in the input language of fuzz/ops.h: a device
set up the way Linux sets it up, then requests of every type, synchronous
and asynchronous backings, faults, throttling, several queues, resets.
The fuzzer grows the corpus from these; `make fuzz` saves what it found.
"""
import os
import struct
import sys

OPS = ("MMIO_W MMIO_R INIT CHAIN DESC PUSH AVAIL_IDX KICK RUN PROCESS "
       "COMPLETE TIME LIMITS CAPACITY FAULT UNMAP PLAN RESET REBIND POKE "
       "USED_EVENT VDEV ALLOCFAIL SERIAL SHOW").split()
OP = {name: i for i, name in enumerate(OPS)}
T_IN, T_OUT, T_FLUSH, T_GET_ID = 0, 1, 2, 3
T_DISCARD, T_WRITE_ZEROES = 11, 13
PUBLISH, KICK, INDIRECT = 0x02, 0x04, 0x01


def header(nq=1, ro=False, aio=False, ranged=False, preset=0, cap=2048,
           size=2048, dwz=False, unmap=False):
    flags = (nq - 1) | ro << 2 | aio << 3 | ranged << 4 | dwz << 5 | \
        unmap << 6
    return bytes([flags, preset]) + struct.pack("<HH", cap, size)


def init(features=0x07, queues=((8, 0),)):
    out = bytes([OP["INIT"], features])
    for size, placement in queues:
        out += bytes([size, placement])
    return out


def chain(q=0, t=T_IN, sector=0, flags=PUBLISH | KICK, segs=((0x10, 0x00),),
          hdr=0x01, status=0x02, table=0x30, mutation=0, mut_arg=b"",
          nseg_escape=False):
    nseg = bytes([5, len(segs)]) if nseg_escape else bytes([len(segs)])
    # Selectors 0-7 pick a type (fuzz/ops.h); others go raw (selector 4).
    tsel = bytes([t]) if t < 8 else bytes([4]) + struct.pack("<I", t)
    out = bytes([OP["CHAIN"], q]) + tsel + \
        bytes([sector, flags | mutation << 3]) + nseg + bytes([hdr])
    for seg in segs:
        out += bytes(seg[:2])
        if len(seg) > 2:                # a raw length (selector 0xc0)
            out += struct.pack("<I", seg[2])
    out += bytes([status])
    if flags & INDIRECT:
        out += bytes([table])
    return out + mut_arg


def op(name, *args):
    return bytes([OP[name], *args])


RUN = op("RUN")
DWZ_UNMAP = 1


def poke_segs(addr, *segs):
    """The guest writes a DISCARD / WRITE_ZEROES segment table at addr."""
    table = b"".join(struct.pack("<QII", *s) for s in segs)
    return op("POKE", addr, len(table)) + table


def table(addr, nsegs):
    """A data descriptor of nsegs 16-byte segments (raw length)."""
    return (addr, 0xc0, 16 * nsegs)


def seeds():
    s = {}
    s["read"] = header() + init() + chain(t=T_IN) + RUN
    s["write"] = header() + init() + chain(t=T_OUT) + RUN
    s["flush"] = header() + init() + chain(t=T_FLUSH, segs=()) + RUN
    s["get-id"] = header() + init() + chain(t=T_GET_ID, segs=((0x10, 0xa4),)) + RUN
    s["indirect"] = (header() + init(0x07) +
                     chain(t=T_IN, flags=PUBLISH | KICK | INDIRECT,
                           segs=((0x10, 0x01), (0x11, 0x01))) + RUN)
    s["event-idx"] = (header() + init(0x01) + chain(t=T_OUT) +
                      op("USED_EVENT", 0, 5, 0) + chain(t=T_IN, hdr=0x03,
                                                        status=0x04) + RUN)
    s["write-through"] = header() + init(0x00) + chain(t=T_OUT) + RUN
    s["async"] = (header(aio=True) + init() + chain(t=T_IN) +
                  chain(t=T_OUT, sector=8, hdr=0x03, status=0x04) + RUN +
                  op("COMPLETE", 0, 4) + RUN + op("COMPLETE", 0, 0) + RUN)
    s["async-write-through"] = (header(aio=True, ranged=True) + init(0x00) +
                                chain(t=T_OUT, segs=((0x10, 0x11),)) + RUN +
                                op("COMPLETE", 0, 4) + RUN)
    s["faults"] = (header() + init() + op("PLAN", 0, 4, 1, 3, 3, 4) +
                   op("PLAN", 1, 2, 1, 2) + chain(t=T_IN) +
                   chain(t=T_OUT, hdr=0x03, status=0x04) +
                   chain(t=T_FLUSH, segs=(), hdr=0x05, status=0x06) + RUN)
    s["eof"] = header(size=1) + init() + chain(t=T_IN, segs=((0x10, 0x03),)) + RUN
    s["ro"] = (header(ro=True) + init(0x07) + chain(t=T_OUT) +
               chain(t=T_FLUSH, segs=(), hdr=0x03, status=0x04) + RUN)
    s["ro-discard"] = (header(ro=True) + init(0x07) + chain(t=T_DISCARD) +
                       chain(t=T_WRITE_ZEROES, hdr=0x03, status=0x04) + RUN)
    # Features 0x0f: EVENT_IDX, INDIRECT, FLUSH, DISCARD + WRITE_ZEROES.
    s["discard"] = (header(dwz=True) + init(0x0f) +
                    poke_segs(0x10, (1, 2, 0)) +
                    chain(t=T_DISCARD, segs=(table(0x10, 1),)) +
                    poke_segs(0x30, (4, 1, DWZ_UNMAP), (8, 0, 0)) +
                    chain(t=T_WRITE_ZEROES, segs=(table(0x30, 2),), hdr=0x03,
                          status=0x04) +
                    chain(t=T_IN, sector=0, hdr=0x05, status=0x06) + RUN)
    # Write-through (no FLUSH), unmap offered, -EINTR then -EIO answers.
    s["dwz-write-through"] = (header(dwz=True, unmap=True, ranged=True) +
                              init(0x08) + op("PLAN", 0, 1, 3, 0) +
                              poke_segs(0x10, (1, 2, DWZ_UNMAP), (6, 1, 0)) +
                              chain(t=T_WRITE_ZEROES, segs=(table(0x10, 2),)) +
                              op("PLAN", 0, 0, 4) +
                              chain(t=T_DISCARD, segs=(table(0x10, 1),),
                                    hdr=0x03, status=0x04) + RUN)
    # Refusals: an unknown flag, unmap on a discard, past the capacity.
    s["dwz-refused"] = (header(dwz=True, cap=16) + init(0x0f) +
                        poke_segs(0x10, (1, 1, 2)) +
                        chain(t=T_WRITE_ZEROES, segs=(table(0x10, 1),)) +
                        poke_segs(0x30, (1, 1, DWZ_UNMAP)) +
                        chain(t=T_DISCARD, segs=(table(0x30, 1),), hdr=0x03,
                              status=0x04) +
                        poke_segs(0x50, (15, 2, 0)) +
                        chain(t=T_WRITE_ZEROES, segs=(table(0x50, 1),),
                              hdr=0x05, status=0x06) + RUN)
    s["hole"] = (header(preset=1) + init() + chain(t=T_IN, segs=((0xc4, 0x01),)) +
                 chain(t=T_OUT, hdr=0xc5, status=0x04) + RUN)
    s["split"] = (header(preset=2) + init() +
                  chain(t=T_OUT, segs=((0xc0, 0x01), (0xc1, 0x00))) + RUN)
    s["throttle"] = (header(nq=2) + init(0x07, ((8, 0), (8, 0))) +
                     op("LIMITS", 1) + chain(q=0, t=T_IN) + chain(q=0, t=T_IN) +
                     chain(q=1, t=T_OUT, hdr=0x03, status=0x04) +
                     chain(q=1, t=T_OUT, hdr=0x05, status=0x06) + RUN +
                     op("TIME", 0, 0x40, 24) + RUN + op("SHOW"))
    s["avail-jump"] = (header() + init() + chain(t=T_IN) + op("AVAIL_IDX", 0, 7) +
                       op("KICK", 0) + RUN + op("RESET") + init() +
                       chain(t=T_IN) + RUN)
    # A broken queue stays broken when the vdev API disables and enables
    # it, until a new ring position (set_vq_state) or a reset.
    s["broken-kept"] = (header() + init() + op("AVAIL_IDX", 0, 7) +
                        op("KICK", 0) + RUN + op("VDEV", 0, 3, 0) +
                        op("VDEV", 0, 3, 1) + op("PROCESS", 0) +
                        op("VDEV", 0, 3, 0) + op("VDEV", 0, 2, 0, 0) +
                        op("VDEV", 0, 3, 1) + chain(t=T_IN) + RUN)
    s["mq"] = (header(nq=4) + init(0x07, ((4, 0), (4, 0), (4, 0), (4, 0))) +
               b"".join(chain(q=q, t=q % 2, hdr=0x08 + q, status=0x0c + q)
                        for q in range(4)) + RUN)
    s["mutations"] = (header() + init(0x03) +
                      b"".join(chain(t=T_IN, mutation=m, hdr=0x10 + m,
                                     status=0x20 + m, mut_arg=b"\x01")
                               for m in range(1, 12)) + RUN)
    s["rebind"] = (header(aio=True) + init() + chain(t=T_IN) + RUN +
                   op("REBIND", 1) + init() + chain(t=T_OUT) + RUN)
    s["vdev"] = (header() + op("VDEV", 0, 0, 8, 0) + op("VDEV", 0, 2, 3, 0) +
                 init() + chain(t=T_IN) + RUN + op("VDEV", 0, 4))
    big = tuple((0x00, 0xc0, 0xf0000) for _ in range(18))   # 16.9 MiB
    s["budget"] = (header(cap=0xfff0) + init(0x07, ((8, 0),)) +
                   chain(t=T_IN, nseg_escape=True, segs=big, hdr=0x03,
                         status=0x04) +
                   chain(t=T_IN, sector=1, hdr=0x05, status=0x06) + RUN)
    s["busy"] = (header(aio=True) + init(0x07, ((8, 0),)) + chain(t=T_OUT) +
                 op("PUSH", 0, 0, 0, 0xf3) + RUN + op("COMPLETE", 0, 0) +
                 op("COMPLETE", 3, 4) + RUN)
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
