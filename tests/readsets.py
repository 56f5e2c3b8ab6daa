"""Helpers for tests of the measuring and training scripts: load a script as a module and
write a labeled read set (pages/NNN.txt and pages_labels.jsonl) from pages written in a test."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
SCRIPT = SCRIPTS / "measure_claim_model.py"

Pages = dict[str, tuple[str, str, list[tuple[str, list[str]]]]]  # file -> (url, kind, sentences)


def load_measure_script(name: str = "measure_claim_model") -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_script(name: str) -> ModuleType:
    """``scripts/NAME.py`` as a module, with its folder importable (scripts import each other)."""
    sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_readset(folder: Path, pages: Pages) -> Path:
    """``folder`` as a labeled set: each page's sentences as blocks, and their labels."""
    (folder / "pages").mkdir()
    lines = []
    for name, (url, kind, sents) in pages.items():
        (folder / "pages" / name).write_text("\n\n".join(s for s, _ in sents) + "\n", encoding="utf-8")
        lines.append(json.dumps({"file": name, "url": url, "kind": kind, "discloses_risks": False,
                                 "doc_labels": ["DISCLOSURE"] if kind != "educational" else [],
                                 "sentences": [{"text": s, "labels": ls} for s, ls in sents]}))
    (folder / "pages_labels.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
