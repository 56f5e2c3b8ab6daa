"""Huge inputs: time and peak memory of `claimlint check` on a generated 50 MB plain-text file,
a 5 MB one-line (minified) HTML page and a 1 MB text with no full stop and a claim every
few words (one "sentence" of 1 MB), beside a small page checked in the same run.

    python benchmarks/bench_hostile.py [--text-mb 50] [--html-mb 5] [--run-on-mb 1] [--keep DIR]

Each case runs `claimlint check --no-cache` in a child process and reads its peak resident
memory (ru_maxrss of the child); the figures are printed, never asserted. The small page's
run is the baseline: the ratios show what a huge input costs beyond start-up (spaCy, rules).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NEUTRAL = [
    "Our clinic is located in the heart of downtown with free parking for patients.",
    "Dr. Lee completed a fellowship in sports medicine and has practiced for 12 years.",
    "Call our front desk to ask about appointment times, directions and parking.",
    "Patients often ask how long a visit takes; most visits take about an hour.",
    "Stem cell therapy is an area of active research, and studies are ongoing.",
    "Risks include infection, pain and swelling at the injection site.",
    "Results are not guaranteed, and some patients need repeat treatments.",
]
CLAIMS = [
    "Our stem cell injections have no side effects.",
    "Results are guaranteed or your money back.",
    "The procedure is completely safe for everyone.",
]


def make_text(path: Path, megabytes: float, seed: int = 11) -> int:
    """~``megabytes`` of marketing-like plain text in paragraphs, one claim in ~40 sentences."""
    rng = random.Random(seed)
    target, size = int(megabytes * 1_000_000), 0
    with open(path, "w", encoding="utf-8") as fh:
        while size < target:
            sentences = [rng.choice(CLAIMS) if rng.random() < 0.025 else rng.choice(NEUTRAL)
                         for _ in range(rng.randint(2, 6))]
            para = " ".join(sentences) + "\n\n"
            fh.write(para)
            size += len(para)
    return size


def make_one_line_html(path: Path, megabytes: float, claims: int = 3) -> int:
    """A minified page: ~``megabytes`` of markup on one line, ``claims`` claims spread out."""
    target = int(megabytes * 1_000_000)
    filler = "<div class='c'><p>" + NEUTRAL[0] + "</p></div>"
    count = max(1, target // len(filler))
    parts = [filler] * count
    for i in range(claims):
        parts[(i + 1) * count // (claims + 1)] = "<p>" + CLAIMS[i % len(CLAIMS)] + "</p>"
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>Clinic</title></head><body><main>"
            + "".join(parts) + "</main></body></html>")
    path.write_text(page, encoding="utf-8")
    return len(page)


def make_run_on(path: Path, megabytes: float) -> int:
    """Claims without punctuation: one sentence of ~``megabytes``, a claim every 9 words."""
    unit = "our stem cell therapy is safe and can heal pain "
    text = unit * max(1, int(megabytes * 1_000_000) // len(unit))
    path.write_text(text, encoding="utf-8")
    return len(text)


def run_check(path: Path, *args: str) -> tuple[float, float, int, int]:
    """(seconds, peak RSS in MB, bytes of standard output, exit code) of one check run."""
    cmd = [sys.executable, "-m", "claimlint.cli", "check", "--no-cache", "--exit-zero",
           "--config", str(path.parent / "bench.toml"), *args, str(path)]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        size = out.seek(0, 2)
    return elapsed, usage.ru_maxrss / 1024, size, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text-mb", type=float, default=50.0)
    parser.add_argument("--html-mb", type=float, default=5.0)
    parser.add_argument("--run-on-mb", type=float, default=1.0)
    parser.add_argument("--keep", type=Path, default=None, help="write the inputs here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        (work / "bench.toml").write_text("max-file-size = 200000000\n", encoding="utf-8")
        small = work / "small.html"
        make_one_line_html(small, 0.005)
        text = work / "big.txt"
        html = work / "one-line.html"
        text_size = make_text(text, args.text_mb)
        html_size = make_one_line_html(html, args.html_mb)
        run_on = work / "run-on.txt"
        run_on_size = make_run_on(run_on, args.run_on_mb)
        rows = [("small page (baseline)", small.stat().st_size, run_check(small)),
                (f"{args.text_mb:g} MB text", text_size, run_check(text)),
                (f"{args.html_mb:g} MB one-line HTML", html_size, run_check(html)),
                (f"{args.run_on_mb:g} MB, no full stop", run_on_size,
                 run_check(run_on, "--format", "json", "-o", str(work / "run-on.json")))]
    base_time, base_rss = rows[0][2][0], rows[0][2][1]
    print(f"{'case':<26} {'bytes':>11} {'seconds':>8} {'x base':>7} {'peak RSS MB':>12} "
          f"{'x base':>7} {'stdout bytes':>12} {'exit':>4}")
    for name, size, (secs, rss, out, code) in rows:
        print(f"{name:<26} {size:>11} {secs:>8.1f} {secs / base_time:>7.1f} {rss:>12.0f} "
              f"{rss / base_rss:>7.2f} {out:>12} {code:>4}")
    print(f"(peak RSS of this benchmark process: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
