"""Latency and throughput of ``claimlint serve``'s ``POST /api/check`` against a server
process on 127.0.0.1, beside the same lint in-process (the engine alone), measured in the
same run.

    python benchmarks/bench_serve.py [--words 2000] [--requests 100] [--clients 50] [--seconds 30]

Prints: the in-process lint of the page (median, p95: the baseline); one client's request
latency after warm-up (median, p95) and its ratio to the baseline (what HTTP, JSON and the
document view add); then ``--clients`` concurrent clients for ``--seconds``: requests/s,
p50/p95/p99 latency and errors (must be 0), with requests/s as a ratio of the baseline's
one-at-a-time rate. The client threads share the machine's cores with the server.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import CLAIMS, NAMES, NEUTRAL  # noqa: E402

from tests.servers import start, stop_process  # noqa: E402


def make_page(words: int, seed: int = 11) -> str:
    """A marketing page of about ``words`` words: paragraphs of neutral copy and claims."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    count = 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            s = rng.choice(CLAIMS) if rng.random() < 0.12 else rng.choice(NEUTRAL)
            s = s.format(name=rng.choice(NAMES), n=rng.randint(5, 30))
            sentences.append(s)
            count += len(s.split())
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs) + "\n"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def ms(x: float) -> str:
    return f"{x * 1000:8.1f} ms"


def paired(server, page: str, n: int, warmup: int = 10) -> tuple[list[float], list[float], int]:
    """``n`` pairs, in turn: the lint in this process (the baseline), then ``POST /api/check``
    of the same page (pairing keeps the ratio fair while the machine's load drifts)."""
    from claimlint.lint import Linter

    linter = Linter()
    s = server.session()
    url = server.url + "api/check"
    payload = {"text": page, "kind": "text"}
    for _ in range(warmup):
        linter.lint_source(page, "text", "-")
        s.post(url, json=payload, timeout=60).raise_for_status()
    base, served = [], []
    findings = 0
    for _ in range(n):
        t = time.perf_counter()
        linter.lint_source(page, "text", "-")
        base.append(time.perf_counter() - t)
        t = time.perf_counter()
        r = s.post(url, json=payload, timeout=60)
        served.append(time.perf_counter() - t)
        r.raise_for_status()
        findings = len(r.json()["findings"])
    return base, served, findings


def load(server, page: str, clients: int, seconds: float) -> tuple[list[float], int, float]:
    url = server.url + "api/check"
    payload = {"text": page, "kind": "text"}
    sessions = [server.session() for _ in range(clients)]
    lock = threading.Lock()
    times: list[float] = []
    errors = [0]
    start_gate = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(s) -> None:
        mine, bad = [], 0
        start_gate.wait()
        while time.perf_counter() < stop_at[0]:
            t = time.perf_counter()
            try:
                r = s.post(url, json=payload, timeout=120)
                ok = r.status_code == 200 and "findings" in r.json()
            except Exception:
                ok = False
            if ok:
                mine.append(time.perf_counter() - t)
            else:
                bad += 1
        with lock:
            times.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    for th in threads:
        th.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start_gate.wait()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - began
    return times, errors[0], elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--words", type=int, default=2000)
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    args = ap.parse_args()

    page = make_page(args.words)
    print(f"page: {len(page.split())} words, {len(page.encode()) / 1000:.1f} KB of plain text")
    server = start()
    try:
        base, seq, findings = paired(server, page, args.requests)
        b50, b95 = statistics.median(base), pct(base, 0.95)
        s50, s95 = statistics.median(seq), pct(seq, 0.95)
        ratios = [b and x / b for x, b in zip(seq, base)]
        print(f"baseline  in-process lint          median {ms(b50)}   p95 {ms(b95)}")
        print(f"serve     POST /api/check, 1 client median {ms(s50)}   p95 {ms(s95)}   "
              f"({args.requests} requests after 10 warm-up; {findings} findings)")
        print(f"          ratio to baseline        median of pairs {statistics.median(ratios):.2f} x"
              f"   p95/p95 {s95 / b95:.2f} x")
        times, errors, elapsed = load(server, page, args.clients, args.seconds)
        rate = len(times) / elapsed
        print(f"serve     {args.clients} clients for {elapsed:.0f} s     {rate:8.1f} requests/s   "
              f"p50 {ms(pct(times, 0.5))}   p95 {ms(pct(times, 0.95))}   "
              f"p99 {ms(pct(times, 0.99))}   errors {errors}")
        print(f"          ratio to baseline rate   {rate * b50:8.2f} x  "
              f"(baseline: {1 / b50:.1f} lints/s one at a time in-process)")
        if errors:
            sys.exit(f"{errors} requests failed")
    finally:
        stop_process(server.process)


if __name__ == "__main__":
    main()
