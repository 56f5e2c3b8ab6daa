"""A set of token patterns met in a window for the first time runs each pattern's own
Matcher; met again, one Matcher holding the set. Both paths must give the same findings."""

from pathlib import Path

from claimlint.engine.core import Engine
from claimlint.lint import kind_for, read_document

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"


def _findings(engine, docs):
    return [[(f.rule.id, f.start, f.end, f.sent_start) for f in found]
            for found in engine.run_many(docs)]


def test_first_and_later_windows_match_alike(engine):
    for lite in (False, True):
        fresh = Engine(engine.pack, extra_terms=engine.extra_terms, lite=lite)
        paths = sorted(PAGES.iterdir())
        docs = [read_document(p.read_text(encoding="utf-8"), kind_for(p.name), str(p)) for p in paths]
        first = _findings(fresh, docs)
        m = fresh._matchers(lite)
        assert m.met, "no set of token patterns took the per-pattern path"
        assert all(len(keys) == 1 for keys in m.combined if keys <= fresh._sentence_token_keys
                   and keys not in m.met)
        again = [read_document(p.read_text(encoding="utf-8"), kind_for(p.name), str(p)) for p in paths]
        assert _findings(fresh, again) == first
        assert any(keys in m.combined for keys in m.met), "no set's own Matcher was built"
        assert any(first)
