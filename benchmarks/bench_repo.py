"""Repository-scale timing of `claimlint check`: a generated marketing site of Markdown and
HTML pages, checked with one process, with `--jobs 2`, and again with the cache warm.

    python benchmarks/bench_repo.py [--files 2000] [--kb 10] [--keep DIR]

Prints wall times and ratios, and checks that every run reports the same findings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_check  # noqa: E402

NEUTRAL = [
    "Our clinic is located downtown with free parking for patients.",
    "Dr. {name} completed a fellowship in sports medicine and has practiced for {n} years.",
    "Call our front desk to ask about appointment times, directions and parking.",
    "The treatment room is bright, quiet and designed for comfort.",
    "Most visits take about an hour, including the consultation.",
    "We accept most major credit cards and offer flexible scheduling.",
    "Our team includes physicians, nurses and physical therapists.",
    "Read our blog for news about the clinic, community events and staff updates.",
    "The consultation includes a review of your history and imaging from {year}.",
    "Please bring a list of your current medications to the first visit.",
    "Stem cell therapy is an area of active research, and studies are ongoing.",
    "Risks include infection, pain and swelling at the injection site.",
    "Results are not guaranteed, and some patients need repeat treatments.",
    "Our newsletter goes out on the first Monday of every month.",
    "Ask about our patient education evenings, held in the {room} room.",
]
CLAIMS = bench_check.CLAIMS  # the same claim sentences as the throughput benchmark
NAMES = ["Lee", "Patel", "Garcia", "Okafor", "Smith", "Nguyen", "Rossi", "Kowalski"]
ROOMS = ["garden", "river", "north", "Cedar"]
HEADINGS = ["About the treatment", "What to expect", "Our team", "Visiting us", "Questions",
            "Patient stories", "Costs and insurance", "Research"]


def sentence(rng: random.Random) -> str:
    pool = CLAIMS if rng.random() < 0.03 else NEUTRAL
    return rng.choice(pool).format(name=rng.choice(NAMES), n=rng.randint(5, 30),
                                   year=rng.randint(2015, 2025), room=rng.choice(ROOMS))


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def markdown_page(rng: random.Random, size: int) -> str:
    out = [f"---\ntitle: {rng.choice(HEADINGS)}\n---\n", f"# {rng.choice(HEADINGS)}\n"]
    while sum(map(len, out)) < size:
        r = rng.random()
        if r < 0.15:
            out.append(f"## {rng.choice(HEADINGS)}\n")
        elif r < 0.3:
            out.append("".join(f"- {sentence(rng)}\n" for _ in range(rng.randint(2, 5))))
        elif r < 0.35:
            out.append(f"> {paragraph(rng)}\n")
        else:
            text = paragraph(rng)
            words = text.split(" ")
            i = rng.randrange(len(words))
            words[i] = f"**{words[i]}**" if rng.random() < 0.5 else f"[{words[i]}](/page-{i}.html)"
            out.append(" ".join(words) + "\n")
    return "\n".join(out)


def html_page(rng: random.Random, size: int) -> str:
    head = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{rng.choice(HEADINGS)} | Riverside Clinic</title>\n"
            "<style>body{font-family:sans-serif} .hero{padding:2em}</style>\n"
            "<script>window.dataLayer=window.dataLayer||[];</script></head>\n<body>\n"
            "<nav><a href=\"/\">Home</a> <a href=\"/team.html\">Team</a></nav>\n<main>\n")
    out = [head, f"<h1>{rng.choice(HEADINGS)}</h1>\n"]
    while sum(map(len, out)) < size:
        r = rng.random()
        if r < 0.15:
            out.append(f"<h2>{rng.choice(HEADINGS)}</h2>\n")
        elif r < 0.3:
            items = "".join(f"  <li>{sentence(rng)}</li>\n" for _ in range(rng.randint(2, 5)))
            out.append(f"<ul>\n{items}</ul>\n")
        else:
            out.append(f"<p class=\"copy\">{paragraph(rng).replace('&', '&amp;')}</p>\n")
    out.append("</main>\n<footer>&copy; Riverside Regenerative Clinic</footer>\n</body></html>\n")
    return "".join(out)


def make_repo(root: Path, files: int, kb: float, seed: int = 11) -> int:
    """Write ``files`` pages (half Markdown, half HTML) of about ``kb`` KB; returns bytes."""
    rng = random.Random(seed)
    total = 0
    for i in range(files):
        section = root / f"section{i % 20:02d}"
        section.mkdir(parents=True, exist_ok=True)
        size = int(kb * 1000 * rng.uniform(0.6, 1.4))
        if i % 2:
            path, text = section / f"page{i:04d}.html", html_page(rng, size)
        else:
            path, text = section / f"post{i:04d}.md", markdown_page(rng, size)
        path.write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    return total


def timed(args: list[str], out: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (all processes) of `claimlint check ARGS --format json
    --output OUT`."""
    cmd = [sys.executable, "-m", "claimlint.cli", "check", *args, "--format", "json",
           "--output", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                          check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        sys.exit(f"claimlint failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def line(label: str, wall: float, cpu: float, nbytes: int) -> None:
    print(f"{label:<26} {wall:7.2f} s wall  {cpu:7.2f} s CPU  {nbytes / 1e6 / wall:6.2f} MB/s")


def digest(path: Path) -> tuple[str, int]:
    data = json.loads(path.read_text(encoding="utf-8"))
    findings = json.dumps(data["findings"], sort_keys=True)
    return hashlib.sha256(findings.encode()).hexdigest()[:12], len(data["findings"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=2000, help="number of pages")
    ap.add_argument("--kb", type=float, default=10.0, help="average page size in KB")
    ap.add_argument("--keep", type=Path, default=None, help="generate the repo here and keep it")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="claimlint-bench-"))
    repo = args.keep or tmp / "site"
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    try:
        nbytes = make_repo(repo, args.files, args.kb)
        print(f"repository: {args.files} files (Markdown and HTML), {nbytes / 1e6:.1f} MB; "
              f"{os.cpu_count()} CPUs")
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
        env.pop("CLAIMLINT_CACHE_DIR", None)
        cache = ["--cache-dir", str(tmp / "cache")]

        load = os.getloadavg()[0]
        one, one_cpu = timed([str(repo), "--jobs", "1", *cache], tmp / "one.json", env)
        line("one process, cache cold:", one, one_cpu, nbytes)
        two, two_cpu = timed([str(repo), "--jobs", "2", "--no-cache"], tmp / "two.json", env)
        line("--jobs 2, no cache:", two, two_cpu, nbytes)
        warm, warm_cpu = timed([str(repo), *cache], tmp / "warm.json", env)
        line("second run, cache warm:", warm, warm_cpu, nbytes)
        print(f"ratios: --jobs 2 is {one / two:.2f}x one process (it kept "
              f"{two_cpu / two:.2f} CPUs busy); the warm run is {one / warm:.1f}x the cold run")
        print(f"load average before / after: {load:.2f} / {os.getloadavg()[0]:.2f} "
              "(other work on the machine slows --jobs most)")
        results = {name: digest(tmp / f"{name}.json") for name in ("one", "two", "warm")}
        same = len({d for d, _ in results.values()}) == 1
        print(f"findings: {results['one'][1]}; identical in all three runs: {same}")
        if not same:
            sys.exit("runs disagree")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
