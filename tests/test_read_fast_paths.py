"""The quick tests of reading (line splitting, binary sniffing, file globs) give the
answers of the plain ones they stand in for, on random input."""

from __future__ import annotations

import fnmatch
import random

from claimlint.decoding import _looks_binary
from claimlint.discovery import _glob_test
from claimlint.readers.text import _LINE, _lines


def test_lines_are_the_line_regexs_lines():
    rng = random.Random(4)
    pieces = ["word", " ", "\n", "\r\n", "\r", "\n\n", "\t", "\u2028", "\x0c", "- item"]
    for _ in range(5000):
        source = "".join(rng.choice(pieces) for _ in range(rng.randrange(12)))
        expected = [(m.start(), m.group()) for m in _LINE.finditer(source) if m.group()]
        assert _lines(source) == expected


def test_binary_sniffing_counts_control_bytes_as_before():
    rng = random.Random(5)

    def plain(data: bytes) -> bool:
        head = data[:8192]
        if b"\x00" in head:
            return True
        control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
        return bool(head) and control / len(head) > 0.1

    for _ in range(3000):
        share = rng.random() * 0.3
        data = bytes(rng.randrange(1, 32) if rng.random() < share else rng.randrange(32, 256)
                     for _ in range(rng.choice([0, 1, 7, 100, 9000])))
        assert _looks_binary(data) == plain(data)


def test_glob_test_is_any_fnmatch():
    rng = random.Random(6)
    names = ["a.md", "x/y.txt", "node_modules", "b.HTML", "c.txt~", "[a].md", ".git",
             "dir/sub/file.htm", "weird\nname.md", "a.mdx", "README", "x.min.html"]
    patterns = ["*.md", "*.html", "*.txt", ".git", "node_modules", "*.[mt]d", "?b*",
                "[!a]*.txt", "**/sub/*", "*.min.*", "README"]
    for _ in range(5000):
        chosen = rng.sample(patterns, rng.randrange(6))
        name = rng.choice(names)
        assert _glob_test(chosen)(name) == any(fnmatch.fnmatch(name, p) for p in chosen)
