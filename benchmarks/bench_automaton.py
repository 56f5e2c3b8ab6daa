"""Which multi-pattern search finds the prefilter's anchor hits fastest, measured in one run
over the same text: the stdlib ``re`` trie alternation (claimlint's fallback), pyahocorasick,
ahocorasick-rs and google-re2 (whichever are installed).

    python benchmarks/bench_automaton.py [--mb 4] [--text DIR]

Each candidate must report exactly the hits of the ``re`` prefilter (offset and anchors at
each word start); the script says so, and prints build time, MB/s and the ratio to ``re``.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_check  # noqa: E402

# -- the automaton candidates -------------------------------------------------------
# Letters matter, nothing else: the text is lower-cased and every non-letter becomes a
# space, so "an anchor that starts a word" is the anchor with a space before it.

NON_LETTER = re.compile(r"[\W\d_]")
BACKENDS = ("pyahocorasick", "ahocorasick-rs")


def masked(low: str) -> str:
    """``low`` with a space before it and every non-letter as a space (same offsets + 1)."""
    return " " + NON_LETTER.sub(" ", low)


def build_automaton(backend: str, anchors: set[str], inside_words: frozenset[str]):  # noqa: ANN201
    """A searcher for ``backend`` (raises ImportError when it is not installed)."""
    keys = sorted({" " + a for a in anchors} | {a for a in anchors if a in inside_words})
    if backend == "pyahocorasick":
        return _PyAho(keys)
    if backend == "ahocorasick-rs":
        return _RsAho(keys)
    raise ValueError(f"unknown automaton backend {backend!r}")


def group(found, keys: list[str]) -> list[tuple[int, tuple[str, ...]]]:  # noqa: ANN001
    """(offset in the original text, anchors starting there, shortest first) from
    (key index, start in the masked text) pairs."""
    at: dict[int, set[str]] = defaultdict(set)
    for index, start in found:
        key = keys[index]
        if key[0] == " ":
            at[start].add(key[1:])
        else:
            at[start - 1].add(key)
    return [(pos, tuple(sorted(at[pos], key=len))) for pos in sorted(at)]


class _PyAho:
    def __init__(self, keys: list[str]) -> None:
        import ahocorasick

        self.keys = keys
        self.auto = ahocorasick.Automaton()
        for i, key in enumerate(keys):
            self.auto.add_word(key, (i, len(key)))
        self.auto.make_automaton()

    def find(self, text: str) -> list[tuple[int, tuple[str, ...]]]:
        return group(((i, end - n + 1) for end, (i, n) in self.auto.iter(text)), self.keys)


class _RsAho:
    def __init__(self, keys: list[str]) -> None:
        import ahocorasick_rs

        self.keys = keys
        self.auto = ahocorasick_rs.AhoCorasick(keys)

    def find(self, text: str) -> list[tuple[int, tuple[str, ...]]]:
        return group(((i, s) for i, s, _ in self.auto.find_matches_as_indexes(text, overlapping=True)),
                     self.keys)


class AutomatonPrefilter:
    """The prefilter's ``hits`` answered by an automaton (same offsets and anchors)."""

    def __init__(self, backend: str, anchors: set[str], inside_words: frozenset[str]) -> None:
        self.automaton = build_automaton(backend, anchors, inside_words)

    def hits(self, text: str) -> list[tuple[int, tuple[str, ...]]]:
        return self.automaton.find(masked(text.lower()))


def corpus_text(mb: float, folder: Path | None) -> str:
    if folder is not None:  # e.g. a folder of real pages kept out of git
        return "\n\n".join(p.read_text(errors="replace") for p in sorted(folder.rglob("*"))
                           if p.is_file() and p.stat().st_size < 5_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        bench_check.make_corpus(Path(tmp), mb)
        return "\n\n".join(p.read_text() for p in sorted(Path(tmp).iterdir()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=4.0)
    ap.add_argument("--text", type=Path, default=None, help="read this folder's files instead")
    args = ap.parse_args()
    from claimlint.engine.prefilter import Prefilter
    from claimlint.lint import get_engine

    engine = get_engine()
    anchors, inside = engine.prefilter.anchors, engine._inside_words
    text = corpus_text(args.mb, args.text)
    mb = len(text.encode()) / 1e6
    print(f"{len(anchors)} anchors ({len(anchors & inside)} also inside words), {mb:.1f} MB of text")
    reference = None
    base = None
    for name in ["re", *BACKENDS]:
        t0 = time.perf_counter()
        try:
            pf = (Prefilter(anchors | {"x" + str(t0)}, inside) if name == "re"  # not re's cache
                  else AutomatonPrefilter(name, anchors, inside))
        except ImportError:
            print(f"{name:16} not installed")
            continue
        built = time.perf_counter() - t0
        best = min(_timed(pf.hits, text) for _ in range(3))
        hits = pf.hits(text)
        if reference is None:
            reference, base = hits, best
        same = "same hits" if hits == reference else "DIFFERENT HITS"
        print(f"{name:16} build {built * 1000:6.1f} ms  {mb / best:7.1f} MB/s  "
              f"{base / best:5.2f}x re  {len(hits)} hits, {same}")


def _timed(fn, text: str) -> float:  # noqa: ANN001
    t0 = time.perf_counter()
    fn(text)
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
