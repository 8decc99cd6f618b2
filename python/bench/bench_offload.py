"""Offload latency and throughput on the device (a benchmark, not a test).

    python python/bench/bench_offload.py [--rounds N]

Prints the round trip of a trivial blocking kernel on 1 and on 16 cores
(median and 90th percentile of many calls) and how many offload_single
launches per second complete when many are in flight. On the simulator the
figures measure the host stack (scheduler, mailbox, futex wake-ups, the
core threads); on a board, the same code path with the hardware's polling.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("EPYTHON_DEVICE", "sim")

from epython import device_info, offload, offload_single, waitAll  # noqa: E402


def trivial(a):
    return a


def round_trips(kernel, rounds, **opts):
    times = []
    for i in range(rounds):
        t0 = time.perf_counter()
        kernel(i, **opts)
        times.append(time.perf_counter() - t0)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2000)
    ap.add_argument("--launches", type=int, default=20000)
    args = ap.parse_args()
    info = device_info()
    print(f"device: {info['device']} ({info['backend']}, {info['cores']} cores), {os.cpu_count()} host CPUs")
    k = offload(trivial)
    round_trips(k, 50, target=[0])  # warm up: first launch resolves globals
    for label, opts in (("1 core", {"target": [0]}), (f"{info['cores']} cores", {})):
        med, p90 = round_trips(k, args.rounds, **opts)
        print(f"round trip, {label:>8}: median {med * 1e6:8.1f} us   p90 {p90 * 1e6:8.1f} us   ({args.rounds} calls)")
    single = offload_single(trivial)
    n = args.launches
    t0 = time.perf_counter()
    handles = [single(i) for i in range(n)]
    results = waitAll(*handles)
    dt = time.perf_counter() - t0
    assert results == [[i] for i in range(n)], "a launch lost or misattributed its result"
    print(f"offload_single: {n} launches in {dt:.2f} s = {n / dt:,.0f} launches/s (all in flight, results checked)")


if __name__ == "__main__":
    main()
