#!/usr/bin/env python3
"""Splits perf samples by the bench window they fall in and prints CPU per transaction, taken apart.

    attribute-windows.py BENCH_OUT PERF_SCRIPT

BENCH_OUT: the bench's --verbose output, each line prefixed with the epoch time it was printed at.
PERF_SCRIPT: `perf script -F comm,pid,tid,time,ip,sym,dso` of a `perf record -k realtime -a -g` capture.
A window's line is printed as it ends; it began one window length (the header's "rounds of S s windows")
earlier. Only windows that the capture covers from start to end are counted. Each sample stands for
1/FREQUENCY s of one CPU (FREQUENCY 499 unless the environment says otherwise).
"""
import collections
import os
import re
import sys

FREQUENCY = float(os.environ.get("FREQUENCY", "499"))
WINDOW = re.compile(r"^(\d+\.\d+) \[bench\] ([\d,]+) tenants, round (\d+), (\w+)/(\d+): (\S+)\s+([\d,]+)/s")
HEADER = re.compile(r"rounds? of ([\d.]+) s windows")
SAMPLE = re.compile(r"^\s*(.+?)\s+(\d+)/(\d+)\s+(\d+\.\d+):")
SYSCALL = re.compile(r"^__x64_sys_(\w+)")
# Loopback delivery runs in the sender's context: it is where sending data wakes the process at the other end.
SENDING = {"tcp_v4_rcv", "sock_def_readable", "tcp_sendmsg", "__dev_queue_xmit"}
RECEIVING = {"tcp_recvmsg", "do_epoll_wait", "do_sys_poll"}


def windows(path):
    seconds, found = None, []
    for line in open(path, encoding="utf-8", errors="replace"):
        header = HEADER.search(line)
        if header and seconds is None:
            seconds = float(header.group(1))
        m = WINDOW.match(line)
        if m and seconds:
            end = float(m.group(1))
            key = (int(m.group(2).replace(",", "")), m.group(4), int(m.group(5)), m.group(6))
            found.append((end - seconds, end, key, int(m.group(7).replace(",", "")) * seconds))
    return found


def samples(path):
    with open(path, encoding="utf-8", errors="replace") as script:
        block = []
        for line in script:
            if line.strip():
                block.append(line.rstrip("\n"))
            elif block:
                yield block
                block = []
        if block:
            yield block


def frame(line):
    parts = line.strip().split(" ", 1)
    text = parts[1] if len(parts) > 1 else parts[0]
    dso = text[text.rfind("(") + 1:-1] if text.endswith(")") else "?"
    return re.sub(r"\+0x[0-9a-f]+", "", text.split(" (")[0]), dso


def main(bench_out, perf_script):
    spans = windows(bench_out)
    parsed = []
    jvm = set()
    first = last = None
    for block in samples(perf_script):
        m = SAMPLE.match(block[0])
        if not m:
            continue
        comm, pid, t = m.group(1), m.group(2), float(m.group(4))
        first = t if first is None else min(first, t)
        last = t if last is None else max(last, t)
        if comm.startswith("bench-client"):
            jvm.add(pid)
        parsed.append((comm, pid, t, [frame(line) for line in block[1:]]))
    covered = [w for w in spans if first is not None and w[0] >= first and w[1] <= last]
    parts = collections.defaultdict(collections.Counter)
    transactions = collections.Counter()
    for start, end, key, tx in covered:
        transactions[key] += tx
    covered.sort()
    for comm, pid, t, frames in parsed:
        window = next((w for w in covered if w[0] <= t <= w[1]), None)
        if window is None:
            continue
        side = "server" if comm == "postgres" else "client" if pid in jvm else None
        if side is None:
            continue
        kernel = bool(frames) and "kernel" in frames[0][1]
        names = {f for f, _ in frames}
        call = next((SYSCALL.match(f).group(1) for f, _ in frames if SYSCALL.match(f)), None)
        if names & SENDING or call in ("sendto", "write", "sendmsg"):
            call = "sending (includes waking the peer)"
        elif call in ("poll", "epoll_wait", "recvfrom", "read", "recvmsg") or names & RECEIVING:
            call = "waiting and receiving"
        if not kernel:
            dso = os.path.basename(frames[0][1]) if frames else "?"
            what = "Java code (JIT-compiled)" if side == "client" and (dso.startswith("perf-") or dso == "[unknown]") else \
                "JVM runtime and libraries" if side == "client" else "PostgreSQL code and libraries"
        else:
            what = "kernel, " + (call or "other")
        parts[window[2]][(side, what)] += 1
        parts[window[2]][(side, "total")] += 1
    if not transactions:
        print("no window lies wholly inside the perf capture")
        return
    per_tx = lambda key, part: parts[key][part] / FREQUENCY / transactions[key] * 1e6
    groups = sorted({k[:3] for k in transactions})
    for group in groups:
        keys = sorted(k for k in transactions if k[:3] == group)
        names = [k[3] for k in keys]
        print("\n%s tenants, %s, %d thread(s): CPU µs per transaction from perf samples (%s transactions)"
              % (format(group[0], ","), group[1], group[2], ", ".join("%s %d" % (n, transactions[k]) for n, k in zip(names, keys))))
        rows = sorted({p for k in keys for p in parts[k]}, key=lambda p: (p[0], p[1] != "total", -parts[keys[0]][p]))
        print("  %-52s %s" % ("", "".join("%24s" % n[:24] for n in names)))
        for side, what in rows:
            values = [per_tx(k, (side, what)) for k in keys]
            if max(values) < 0.5 and what != "total":
                continue
            print("  %-52s %s" % ((side + " " + what)[:52], "".join("%24.1f" % v for v in values)))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
