"""Throughput and start-up of `claimlint check`, beside a plain regex alternation of the rule
pack's phrases over the same corpus, measured in the same run.

    python benchmarks/bench_check.py [--mb 10] [--pairs 3] [--corpus DIR]
    python benchmarks/bench_check.py --startup-only

Prints MB/s for: the regex-only baseline, the engine in-process (prefilter + spaCy on
candidate sentences), the engine with the prefilter off (spaCy on every sentence), and the
`claimlint check` command end to end, --jobs 1 and the default --jobs in alternating pairs,
with the ratios the issue asks for (--jobs 1 against the regex alternation, default --jobs
against --jobs 1); the peak memory of `claimlint check` per output format (``--mb 100`` for
the memory bound); and the start-up time of `claimlint check` on a one-line file with no
claim words, with one claim, and served from the cache, beside `python -c pass` and
proselint (when installed: it is not a claimlint dependency).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NEUTRAL = [
    "Our clinic is located in the heart of downtown with free parking for patients.",
    "Dr. {name} completed a fellowship in sports medicine and has practiced for {n} years.",
    "Call our front desk to ask about appointment times, directions and parking.",
    "The treatment room is bright, quiet and designed for comfort.",
    "Patients often ask how long a visit takes; most visits take about an hour.",
    "We accept most major credit cards and offer flexible scheduling.",
    "Our team includes physicians, nurses and physical therapists.",
    "Read our blog for news about the clinic, community events and staff updates.",
    "Many people first hear about regenerative medicine from a friend or family member.",
    "The consultation includes a review of your history and imaging.",
    "Our office is open Monday through Friday from 8 a.m. to 5 p.m.",
    "Please bring a list of your current medications to the first visit.",
    "Stem cell therapy is an area of active research, and studies are ongoing.",
    "Risks include infection, pain and swelling at the injection site.",
    "Results are not guaranteed, and some patients need repeat treatments.",
]
CLAIMS = [
    "Our stem cell injections have no side effects.",
    "Results are guaranteed or your money back.",
    "Say goodbye to knee pain forever with regenerative therapy.",
    "The procedure is completely safe for everyone.",
    "We guarantee lasting relief from arthritis.",
    "Walk out pain-free the same day.",
]
NAMES = ["Lee", "Patel", "Garcia", "Okafor", "Smith", "Nguyen"]


def make_corpus(directory: Path, megabytes: float, seed: int = 7) -> int:
    """Write ~``megabytes`` of marketing-like plain text in 100 KB files; returns bytes."""
    rng = random.Random(seed)
    total, index = 0, 0
    target = int(megabytes * 1_000_000)
    while total < target:
        paragraphs = []
        size = 0
        while size < 100_000:
            sentences = []
            for _ in range(rng.randint(3, 6)):
                pool = CLAIMS if rng.random() < 0.08 else NEUTRAL
                sentences.append(rng.choice(pool).format(name=rng.choice(NAMES),
                                                         n=rng.randint(5, 30)))
            para = " ".join(sentences)
            paragraphs.append(para)
            size += len(para) + 2
        data = "\n\n".join(paragraphs) + "\n"
        (directory / f"page{index:04d}.txt").write_text(data, encoding="utf-8")
        total += len(data.encode())
        index += 1
    return total


def copy_corpus(source: Path, directory: Path, megabytes: float) -> int:
    """Copy the .txt files of ``source`` (sorted) into ``directory``, going round again until
    ``megabytes`` are written (at least one pass); returns bytes."""
    files = sorted(source.rglob("*.txt"))
    if not files:
        raise SystemExit(f"{source}: no .txt files")
    total, index, target = 0, 0, int(megabytes * 1_000_000)
    while index < len(files) or total < target:
        data = files[index % len(files)].read_bytes()
        (directory / f"page{index:05d}.txt").write_bytes(data)
        total += len(data)
        index += 1
    return total


def baseline_regex(pack, *, rule_regexes: bool = False) -> re.Pattern:  # noqa: ANN001
    """A regex-only prose linter: one alternation of the pack's literal phrases, as such
    linters do (the issue's yardstick); with ``rule_regexes``, the rules' own regexes too (the
    yardstick of earlier rounds, slower as the pack's regexes grew lookarounds)."""
    phrases: set[str] = set()
    for rule in pack.rules:
        pats = list(rule.patterns) + [p for g in rule.requires for p in g.patterns]
        for p in pats:
            if p.kind in ("phrase", "lemma"):
                phrases.add(p.value.lower())
            elif p.kind == "tokens":
                words = []
                for tok in p.value:
                    lit = next((tok[k] for k in ("LOWER", "LEMMA", "ORTH") if k in tok), None)
                    if isinstance(lit, dict):
                        lit = (lit.get("IN") or [None])[0]
                    if isinstance(lit, str) and tok.get("OP") in (None, "+"):
                        words.append(re.escape(lit.lower()))
                if words:
                    phrases.add(r"\W+".join(words))
            elif p.kind == "regex" and rule_regexes:
                try:  # a rule regex only the `regex` module compiles (a variable-width
                    re.compile(p.value)  # lookbehind) is left out of this `re` baseline
                except re.error:
                    continue
                phrases.add(p.value)
    return re.compile(r"\b(?:" + "|".join(sorted(phrases)) + r")", re.IGNORECASE)


def rate(nbytes: int, seconds: float) -> float:
    return nbytes / 1e6 / seconds


def regex_only(directory: Path) -> None:
    """The baseline as a whole process: read every file, run the alternation, count hits."""
    from claimlint.lint import _rule_pack

    rx = baseline_regex(_rule_pack(()))
    hits = sum(1 for path in sorted(directory.iterdir())
               for _ in rx.finditer(path.read_text(encoding="utf-8")))
    print(hits)


def main() -> None:
    if sys.argv[1:2] == ["--regex-only"]:
        regex_only(Path(sys.argv[2]))
        return
    if sys.argv[1:2] == ["--startup-only"]:
        with tempfile.TemporaryDirectory() as tmp:
            startup(Path(tmp))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=10.0, help="corpus size in MB")
    ap.add_argument("--pairs", type=int, default=3,
                    help="paired runs of `claimlint check` --jobs 1 / default --jobs")
    ap.add_argument("--corpus", type=Path, metavar="DIR",
                    help="measure on the .txt files of DIR (e.g. saved real pages, kept out of "
                         "git) instead of generated copy; --mb then repeats them up to that size")
    args = ap.parse_args()

    from claimlint.engine.core import Engine
    from claimlint.lint import get_engine, read_document
    from claimlint.parallel import default_jobs

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        nbytes = (copy_corpus(args.corpus, corpus, args.mb) if args.corpus
                  else make_corpus(corpus, args.mb))
        files = sorted(corpus.iterdir())
        texts = [f.read_text(encoding="utf-8") for f in files]
        print(f"corpus: {len(files)} files, {nbytes / 1e6:.1f} MB")

        engine = get_engine()
        engine.prepare()  # spaCy and the matchers: start-up is measured below, not here
        rx = baseline_regex(engine.pack)
        t = time.perf_counter()
        base_hits = sum(1 for text in texts for _ in rx.finditer(text))
        base = time.perf_counter() - t
        print(f"regex alternation ({len(rx.pattern)} chars): {rate(nbytes, base):7.2f} MB/s "
              f"({base_hits} hits)")
        wide = baseline_regex(engine.pack, rule_regexes=True)
        t = time.perf_counter()
        sum(1 for text in texts for _ in wide.finditer(text))
        print(f"  with the rules' regexes ({len(wide.pattern)} chars): "
              f"{rate(nbytes, time.perf_counter() - t):7.2f} MB/s")

        t = time.perf_counter()
        docs = [read_document(text, "text", str(f)) for f, text in zip(files, texts)]
        read = time.perf_counter() - t
        t = time.perf_counter()
        found = sum(len(r) for r in engine.run_many(docs))
        run = time.perf_counter() - t
        print(f"reader (text):              {rate(nbytes, read):7.2f} MB/s")
        print(f"engine, prefilter on:       {rate(nbytes, run):7.2f} MB/s ({found} findings; "
              f"the tokenizer saw {engine.stats.window_chars / 1e6:.1f} MB)")
        print(f"read + engine:              {rate(nbytes, read + run):7.2f} MB/s "
              f"= {rate(nbytes, read + run) / rate(nbytes, base):.2f}x the regex baseline")

        sample = docs[: max(1, len(docs) // 10)]
        sample_bytes = sum(len(d.source.encode()) for d in sample)
        full = Engine(engine.pack, use_prefilter=False)
        t = time.perf_counter()
        full.run_many(sample)
        slow = time.perf_counter() - t
        print(f"engine, prefilter off:      {rate(sample_bytes, slow):7.2f} MB/s "
              f"(on a {sample_bytes / 1e6:.1f} MB sample)")

        # Whole processes, round-robin: the regex alternation (reading the files too), then
        # `claimlint check` with --jobs 1 and with the default --jobs (--no-cache: linting,
        # not the content-hash cache, which bench_repo.py times). Each ratio is taken within
        # a round, so it holds when the shared machine's speed drifts.
        check = [sys.executable, "-m", "claimlint.cli", "check", str(corpus), "--format", "json",
                 "--no-cache"]
        commands = {"regex alternation": [sys.executable, __file__, "--regex-only", str(corpus)],
                    "1 process": [*check, "--jobs", "1"], "default --jobs": check}
        subprocess.run([*check, "--jobs", "1", "--statistics"], stdout=subprocess.DEVNULL,
                       check=False)  # warm-up: the plan cache, the file cache
        times: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(args.pairs):
            for label, cmd in commands.items():
                t = time.perf_counter()
                subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False)
                times[label].append(time.perf_counter() - t)
        for label, runs in times.items():
            cli = statistics.median(runs)
            print(f"{label + ' (whole process):':36} {rate(nbytes, cli):6.2f} MB/s (median "
                  f"{cli:.2f} s of {len(runs)})")

        def ratio(a: str, b: str) -> float:  # how many times faster b is than a
            return statistics.median(x / y for x, y in zip(times[a], times[b]))

        print(f"claimlint check --jobs 1 = {ratio('regex alternation', '1 process'):.2f}x the "
              f"speed of the regex alternation; default --jobs = "
              f"{ratio('1 process', 'default --jobs'):.2f}x --jobs 1 (medians of {args.pairs} "
              f"rounds, {default_jobs()} CPUs)")

        print(f"peak RSS of claimlint check (default --jobs, largest process), "
              f"{nbytes / 1e6:.0f} MB of input:")
        for fmt in ("json", "sarif", "text"):
            cmd = [sys.executable, "-m", "claimlint.cli", "check", str(corpus), "--format", fmt,
                   "--no-cache", "--exit-zero", "-o", str(Path(tmp) / f"out.{fmt}")]
            print(f"  --format {fmt:5}  {peak_rss_mb(cmd):7.0f} MB")

        startup(Path(tmp))


def startup(tmp: Path) -> None:
    """Start-up of `claimlint check` on one-line files, beside `python -c pass` and proselint.
    Bytecode is cached first, as an installed package has it: with PYTHONDONTWRITEBYTECODE set
    (as on some CI machines) every run would compile the modules changed since the last
    cached run, about 50 ms that a user's install does not pay."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    claim = Path(tmp) / "claim.txt"
    claim.write_text("Our stem cell injections have no side effects.\n")
    plain = Path(tmp) / "plain.txt"
    plain.write_text("Our clinic offers consultations on weekdays.\n")
    small = Path(tmp) / "small.md"
    small.write_text("# Welcome\n\nOur clinic offers consultations on weekdays.\n")
    claimlint = [sys.executable, "-m", "claimlint.cli", "check"]
    cases = {
        "no claim words (.txt)": [*claimlint, str(plain), "--no-cache"],
        "no claim words (.md)": [*claimlint, str(small), "--no-cache"],
        "one claim": [*claimlint, str(claim), "--no-cache"],
        "cached": [*claimlint, str(small), "--cache-dir", str(Path(tmp) / "cache")],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    proselint = shutil.which("proselint")
    if proselint:  # proselint >= 0.16: `proselint check FILE`
        cases["proselint, one claim"] = [proselint, "check", str(claim)]
        cases["proselint, no claim"] = [proselint, "check", str(plain)]
    for cmd in cases.values():  # warm-up: bytecode and the plan cache written
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
    times: dict[str, list[float]] = {label: [] for label in cases}
    for _ in range(7):  # round-robin: every command sees the same machine
        for label, cmd in cases.items():
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                           env=env)
            times[label].append(time.perf_counter() - t)
    bare = statistics.median(times["python -c pass"])
    print("start-up on a one-line file (median of 7, round-robin; x = times python -c pass):")
    for label, runs in times.items():
        print(f"  {label:24} {statistics.median(runs):6.3f} s  {statistics.median(runs) / bare:5.1f}x")
    if not proselint:
        print("  (proselint not installed: pip install proselint to compare)")


def peak_rss_mb(cmd: list[str]) -> float:
    """Peak resident memory of the largest process ``cmd`` waited for (Unix)."""
    probe = ("import resource, subprocess, sys; "
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True,
                         check=True).stdout
    kb = int(out.split()[-1])
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


if __name__ == "__main__":
    main()
