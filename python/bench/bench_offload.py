"""Offload latency and throughput next to a thread pool's (a benchmark, not
a test).

    python python/bench/bench_offload.py [--rounds N] [--launches N]

What a Python user would otherwise do with a small function is hand it to
a ``concurrent.futures.ThreadPoolExecutor``; this prints, from one run:

- the round trip of a trivial blocking kernel (``def trivial(a): return
  a``) on 1 core next to ``submit(f).result()`` on a 1-thread pool, and on
  all 16 cores next to 16 tasks on a 16-thread pool (submit all, then each
  result), with their ratios (offload / pool: <= 1.0 means offload is
  faster). The two are measured alternately, call by call, the order
  swapped every round, so a machine that changes speed moves both alike.
- offload_single throughput with all launches in flight (every result
  checked) next to the 16-thread pool's for as many submits (every result
  checked), and their ratio (offload / pool: >= 1.0 means offload is
  faster); three alternating repetitions, the median of each.

The kernels are decorated with their placement (``@offload(target=[0])``,
``@offload``) and called with positional arguments: the common call. On
the simulator the figures measure the host stack (the Python layer, the
scheduler, the mailbox, the core threads and their wake-ups); on a board,
the same code path with the hardware's polling.
"""

import argparse
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("EPYTHON_DEVICE", "sim")

from epython import device_info, offload, offload_single, waitAll  # noqa: E402


def trivial(a):
    return a


def pool_round(pool, tasks, i):
    """``tasks`` submits of trivial(i), then every result."""
    futures = [pool.submit(trivial, i) for _ in range(tasks)]
    return [f.result() for f in futures]


def alternate(rounds, offload_call, pool_call):
    """Time both calls alternately; the order is swapped every round.
    Returns (offload times, pool times)."""
    a, b = [], []
    clock = time.perf_counter
    for i in range(rounds):
        first, second = (offload_call, pool_call) if i % 2 == 0 else (pool_call, offload_call)
        t0 = clock()
        r1 = first(i)
        t1 = clock()
        r2 = second(i)
        t2 = clock()
        assert r1 == r2, f"round {i}: {r1!r} != {r2!r}"
        (a if first is offload_call else b).append(t1 - t0)
        (b if first is offload_call else a).append(t2 - t1)
    return a, b


def p90(times):
    return sorted(times)[int(len(times) * 0.9)]


def throughput(n, single, pool):
    """(offload launches/s, pool tasks/s) for n of each, in flight at once."""
    t0 = time.perf_counter()
    handles = [single(i) for i in range(n)]
    results = waitAll(*handles)
    dt_offload = time.perf_counter() - t0
    assert results == [[i] for i in range(n)], "a launch lost or misattributed its result"
    t0 = time.perf_counter()
    futures = [pool.submit(trivial, i) for i in range(n)]
    done = [f.result() for f in futures]
    dt_pool = time.perf_counter() - t0
    assert done == list(range(n)), "a task lost or misattributed its result"
    return n / dt_offload, n / dt_pool


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=2000, help="round trips of each kind")
    ap.add_argument("--launches", type=int, default=20000, help="launches in flight for the throughput")
    args = ap.parse_args()
    info = device_info()
    cores = info["cores"]
    load = os.getloadavg()
    print(f"device: {info['device']} ({info['backend']}, {cores} cores), {os.cpu_count()} host CPUs, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    one, every = offload(target=[0])(trivial), offload(trivial)
    pool1, pool_n = ThreadPoolExecutor(1), ThreadPoolExecutor(cores)
    cases = [
        ("1 core ", lambda i: one(i), lambda i: pool_round(pool1, 1, i), "1 task, 1-thread pool"),
        (f"{cores} cores", lambda i: every(i), lambda i: pool_round(pool_n, cores, i),
         f"{cores} tasks, {cores}-thread pool"),
    ]
    for _, off, pool, _ in cases:
        alternate(100, off, pool)  # warm-up: first launches resolve globals, pools start threads
    print(f"round trip (median / p90 of {args.rounds} alternating calls each):")
    for label, off, pool, pool_label in cases:
        a, b = alternate(args.rounds, off, pool)
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"  {label}: offload {ma * 1e6:7.1f} / {p90(a) * 1e6:7.1f} us   "
              f"pool ({pool_label}) {mb * 1e6:7.1f} / {p90(b) * 1e6:7.1f} us   ratio {ma / mb:5.2f}")
    single = offload_single(trivial)
    n = args.launches
    runs = [throughput(n, single, pool_n) for _ in range(3)]
    off = statistics.median(r[0] for r in runs)
    pool = statistics.median(r[1] for r in runs)
    print(f"throughput, {n} in flight (median of 3, results checked): offload_single {off:9,.0f} launches/s   "
          f"pool ({cores} threads) {pool:9,.0f} tasks/s   ratio {off / pool:5.2f}")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
