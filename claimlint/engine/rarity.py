"""How often an anchor occurs in real English text, to trigger each pattern on its rarest
required part (used when a plan is built, never per document).

The word probabilities are spacy-lookups-data's English ``lexeme_prob`` table (estimated
from a large body of real text); nothing is downloaded. An anchor searched where words
start hits every word it begins, one searched inside words every word holding it, so its
cost is the summed probability of those words; a set of anchors (any one of which a match
holds) costs the sum of its anchors.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from importlib.resources import files

MIN_LOGPROB = -16.0  # rarer words (98% of the table's mass is above) are left out
FLOOR = math.exp(MIN_LOGPROB)  # what any anchor costs at least, known word or not
INSIDE_FACTOR = 3.0  # an anchor searched inside words: its hits cost this many times more
INSIDE_BASE = 1e-4  # and one more scan of every text


@lru_cache(maxsize=1)
def _table() -> tuple[list[str], list[float], dict[str, float]]:
    """Lower-case words in sorted order with the running sums of their probabilities
    (for prefixes), and each word's probability (for substrings)."""
    from claimlint.engine.plancache import load_cached, save_cached

    path = str(files("spacy_lookups_data") / "data" / "en_lexeme_prob.json.gz")
    try:  # kept in the plan cache, keyed by the table's file (reading the JSON takes a second)
        st = os.stat(path)
        key = "wordprob-" + hashlib.sha256(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{MIN_LOGPROB}"
                                           .encode()).hexdigest()[:32]
    except OSError:
        key = "wordprob-missing"
    probs = load_cached(key)
    if not isinstance(probs, dict):
        probs = {}
        for word, logprob in _frequent_words(path):
            low = word.lower()
            probs[low] = probs.get(low, 0.0) + math.exp(logprob)
        save_cached(key, probs)
    words = sorted(probs)
    sums = [0.0]
    for w in words:
        sums.append(sums[-1] + probs[w])
    return words, sums, probs


def _frequent_words(path: str) -> list[tuple[str, float]]:
    """The table's words at MIN_LOGPROB or above, with their log probabilities. The table
    holds a million words, one ``"word":logprob,`` a line: read a line at a time, only the
    words kept become strings (``json.load`` of the whole table peaks near 240 MB); a table
    laid out otherwise is read whole. No table: no words, so every anchor costs the same."""
    try:
        return _frequent_lines(path)
    except ValueError:  # not one word a line
        pass
    except OSError:
        return []
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            raw = json.load(fh)
    except (OSError, ValueError):
        return []
    return [(w, lp) for w, lp in raw.items() if lp >= MIN_LOGPROB]


def _frequent_lines(path: str) -> list[tuple[str, float]]:
    """The table read a line at a time, up to its first word below MIN_LOGPROB: the
    table lists its words from the most to the least probable (spacy-lookups-data's
    layout; a tenth of its million lines are kept), so the rest is not read. Where the
    lines read so far are out of that order, every line is read."""
    out: list[tuple[str, float]] = []
    last = math.inf
    ordered = True
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            entry = _table_line(line)
            if entry is None:
                continue
            ordered = ordered and entry[1] <= last
            last = entry[1]
            if entry[1] >= MIN_LOGPROB:
                out.append((_word(entry[0]), entry[1]))
            elif ordered:
                break
    return out


def _table_line(line: str) -> tuple[str, float] | None:
    """One ``"word":logprob,`` line as its quoted key and its value (None: a brace)."""
    key, sep, value = line.rpartition('":')
    if not sep:
        if line.strip() in ("{", "}", ""):
            return None
        raise ValueError(line[:40])
    return key, float(value.strip().rstrip(","))


def _word(key: str) -> str:
    key = key[key.index('"'):]
    return json.loads(key + '"') if "\\" in key else key[1:]


@lru_cache(maxsize=65536)
def anchor_cost(anchor: str, inside: bool = False) -> float:
    """The share of running words in which ``anchor`` hits: words it starts, or
    (``inside``) words holding it anywhere."""
    words, sums, probs = _table()
    if inside:  # each place it occurs is looked at in Python, and its word-start hits
        # come again from the main search: a few times the cost of a word-start anchor
        return INSIDE_BASE + INSIDE_FACTOR * _holding(anchor)
    lo = bisect_left(words, anchor)
    hi = bisect_left(words, anchor + "\U0010ffff")
    return FLOOR + sums[hi] - sums[lo]


def _holding(anchor: str) -> float:
    """The summed probability of the words holding ``anchor``, each word once, added in
    the table's order: one search of all the words joined, not a test of each word."""
    joined, starts, probs = _joined()
    if joined is None:  # a word holds the separator
        return sum(p for w, p in _table()[2].items() if anchor in w)
    total, last = 0.0, -1
    for m in re.finditer(re.escape(anchor), joined):
        i = bisect_right(starts, m.start()) - 1
        if i != last:
            total, last = total + probs[i], i
    return total


@lru_cache(maxsize=1)
def _joined() -> tuple[str | None, list[int], list[float]]:
    """The table's words joined by NUL in the table's order, where each starts, and their
    probabilities in that order."""
    table = _table()[2]
    if any("\0" in w for w in table):
        return None, [], []
    starts, at = [], 0
    for w in table:
        starts.append(at)
        at += len(w) + 1
    return "\0".join(table), starts, list(table.values())


def set_cost(anchors: frozenset[str] | set[str], inside: frozenset[str] | set[str] = frozenset()
             ) -> float:
    """What triggering on ``anchors`` costs: the sum of its anchors' costs (those in
    ``inside`` are searched inside words too)."""
    return sum(anchor_cost(a, a in inside) for a in anchors)


def rarest(sets: list[frozenset[str]], inside: frozenset[str] | set[str] = frozenset()
           ) -> frozenset[str] | None:
    """The set of ``sets`` that hits least often in real text (the first of equals)."""
    return min(sets, key=lambda s: set_cost(s, inside), default=None)
