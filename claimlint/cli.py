"""The ``claimlint`` command line (click). Exit codes: 0 nothing at or above the fail level,
1 findings, 2 usage, configuration, rule-file or input error."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from claimlint import __version__
from claimlint.config import Config, ConfigError, find_config, load_config
from claimlint.findings import SEVERITY_RANK, Finding, sort_key
from claimlint.rulepack import RuleFileError

FORMATS = ("text", "json")
BATCH = 64


class Run:
    """What one ``check`` run collected: findings, files seen, input errors."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.files = 0
        self.errors: list[dict] = []
        self.sources: dict[str, list[str]] = {}

    def error(self, path: str, problem: str) -> None:
        self.errors.append({"path": path, "error": problem})
        click.echo(f"error: {path}: {problem}", err=True)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _load_config(config_path: str | None, paths: list[str]) -> Config:
    try:
        if config_path:
            if not Path(config_path).is_file():
                raise ConfigError(f"{config_path}: config file not found")
            return load_config(Path(config_path))
        start = next((Path(p) for p in paths if p != "-"), Path.cwd())
        return load_config(find_config(start))
    except ConfigError as exc:
        _fail(str(exc))
        raise  # unreachable


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="claimlint")
def main() -> None:
    """Compliance linter for stem-cell and regenerative-medicine clinic marketing copy."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("--select", multiple=True, help="Only these rule ids or categories (repeatable, "
              "or comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rule ids or categories.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default=None,
              help="Lowest severity that makes the exit code 1 [default: error].")
@click.option("--config", "config_path", type=click.Path(), default=None,
              help="Use this config file instead of the nearest one.")
@click.option("--show-config", is_flag=True, help="Print the configuration in force and exit.")
@click.option("--stdin-filename", default=None,
              help="Name (and so the kind: .md, .html, .txt) of text read from '-'.")
@click.option("--include", multiple=True, help="Glob of files to check inside directories.")
@click.option("--exclude", multiple=True, help="Glob of files or directories to skip.")
@click.option("--statistics", is_flag=True, help="Print counts per rule instead of findings.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              help="Colour in text output.")
@click.option("--no-source", is_flag=True, help="Text output without the source excerpt.")
@click.option("--exit-zero", is_flag=True,
              help="Exit 0 even when there are findings (input and config errors still exit 2).")
def check(paths: tuple[str, ...], fmt: str, select: tuple[str, ...], ignore: tuple[str, ...],
          fail_on: str | None, config_path: str | None, show_config: bool,
          stdin_filename: str | None, include: tuple[str, ...], exclude: tuple[str, ...],
          statistics: bool, color: str, no_source: bool, exit_zero: bool) -> None:
    """Check files, directories, or '-' (standard input) for misleading claims."""
    from claimlint.discovery import iter_files
    from claimlint.lint import InputError, Linter

    path_list = list(paths) or ["."]
    config = _load_config(config_path, path_list)
    if include:
        config.include = list(include)
    config.exclude = config.exclude + config.extend_exclude + list(exclude)
    if fail_on:
        config.fail_on = fail_on
    if show_config:
        _print_config(config)
        return
    try:
        linter = Linter(config, select=_split(select), ignore=_split(ignore))
    except RuleFileError as exc:
        _fail(f"invalid rule file: {exc}")
        return

    run = Run()
    pending = []

    def flush() -> None:
        for doc, found in zip(pending, linter.lint_documents(pending), strict=True):
            run.findings.extend(found)
            run.sources[doc.path] = doc.source.splitlines()
        pending.clear()

    def add(data: bytes, path: str, kind: str | None = None) -> None:
        run.files += 1
        if not data.strip():
            click.echo(f"warning: {path}: empty file, nothing to check", err=True)
            return
        try:
            doc = linter.load(data, path, kind)
        except InputError as exc:
            run.error(path, exc.problem)
            return
        if doc.encoding_note:
            click.echo(f"warning: {path}: {doc.encoding_note}", err=True)
        pending.append(doc)
        if len(pending) >= BATCH:
            flush()

    from claimlint.lint import kind_for

    for raw in path_list:
        if raw == "-":
            name = stdin_filename or "-"
            add(sys.stdin.buffer.read(), name, kind_for(name) if stdin_filename else "text")
            continue
        if not os.path.exists(raw):
            run.error(raw, "no such file or directory")
            continue
        for path in iter_files([raw], config.include, config.exclude, run.error):
            try:
                data = path.read_bytes()
            except OSError as exc:
                run.error(str(path), exc.strerror or str(exc))
                continue
            add(data, str(path))
    flush()
    run.findings.sort(key=sort_key)
    _output(run, fmt, statistics, color, no_source)
    threshold = SEVERITY_RANK[config.fail_on]
    if run.errors:
        sys.exit(2)
    if exit_zero:
        sys.exit(0)
    sys.exit(1 if any(SEVERITY_RANK[f.severity] >= threshold for f in run.findings) else 0)


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _output(run: Run, fmt: str, statistics: bool, color: str, no_source: bool) -> None:
    from claimlint.report.json import render_json
    from claimlint.report.text import render_statistics, render_text

    if statistics:
        click.echo(render_statistics(run.findings), nl=False)
        return
    if fmt == "json":
        click.echo(render_json(run.findings, files=run.files, errors=run.errors), nl=False)
        return
    colour = color == "always" or (color == "auto" and sys.stdout.isatty()
                                   and "NO_COLOR" not in os.environ)
    click.echo(render_text(run.findings, run.sources, colour=colour, files=run.files,
                           errors=len(run.errors), show_source=not no_source),
               nl=False, color=colour)


def _print_config(config: Config) -> None:
    click.echo(f"# config file: {config.source or '(none: defaults)'}")
    for key, value in config.as_toml_dict().items():
        click.echo(f"{key} = {value!r}")


@main.group()
def rules() -> None:
    """List, show and test the rule pack."""


def _pack(config_path: str | None, extra: tuple[str, ...] = ()):  # noqa: ANN202
    from claimlint.rulepack import load_rules

    config = _load_config(config_path, [])
    try:
        return load_rules(config.rule_dirs() + [Path(d) for d in extra]), config
    except RuleFileError as exc:
        _fail(f"invalid rule file: {exc}")
        raise


@rules.command("list")
@click.option("--config", "config_path", default=None, type=click.Path())
def rules_list(config_path: str | None) -> None:
    """Every rule: id, severity and message."""
    pack, _ = _pack(config_path)
    width = max(len(r.id) for r in pack.rules)
    for rule in sorted(pack.rules, key=lambda r: r.id):
        click.echo(f"{rule.id:<{width}}  {rule.severity:<7}  {rule.message}")


@rules.command("show")
@click.argument("rule_id")
@click.option("--config", "config_path", default=None, type=click.Path())
def rules_show(rule_id: str, config_path: str | None) -> None:
    """A rule's message, why, suggestion and examples."""
    pack, _ = _pack(config_path)
    rule = pack.get(rule_id)
    if rule is None:
        _fail(f"no rule '{rule_id}' (see `claimlint rules list`)")
        return
    click.echo(f"{rule.id}  [{rule.category}, {rule.severity}, {rule.scope}]\n")
    click.echo(f"Message:    {rule.message}")
    if rule.seed:
        click.echo(f"Seed:       {rule.seed}")
    click.echo(f"Why:        {rule.why}")
    if rule.sources:
        click.echo(f"Sources:    {'; '.join(rule.sources)}")
    click.echo(f"Suggestion: {rule.suggestion}")
    click.echo(f"Cancelled when: {', '.join(sorted(rule.cancel)) or 'never'}")
    click.echo("\nFlagged:")
    for text in rule.flag_examples:
        click.echo(f"  ✗ {' '.join(text.split())}")
    click.echo("Passes:")
    for text in rule.pass_examples:
        click.echo(f"  ✓ {' '.join(text.split())}")
    click.echo(f"\nDefined in {rule.file}")


@rules.command("test")
@click.argument("dirs", nargs=-1, type=click.Path(exists=True))
@click.option("--config", "config_path", default=None, type=click.Path())
def rules_test(dirs: tuple[str, ...], config_path: str | None) -> None:
    """Run every rule's examples (shipped pack plus DIRS); exit 1 on any failure."""
    from claimlint.engine.core import Engine
    from claimlint.ruletest import test_rules

    pack, config = _pack(config_path, dirs)
    try:
        engine = Engine(pack, extra_terms={"disclosure-terms": config.disclosure_terms})
    except RuleFileError as exc:
        _fail(f"invalid rule file: {exc}")
        return
    count, failures = test_rules(pack, engine)
    for failure in failures:
        click.echo(f"FAIL {failure}")
    click.echo(f"{len(pack.rules)} rules, {count} examples: "
               f"{count - sum(f.kind != 'missing' for f in failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)

# Crawl commands (claimlint/crawl/cli.py).
from claimlint.crawl.cli import crawl, diff, report  # noqa: E402

main.add_command(crawl)
main.add_command(report)
main.add_command(diff)


@rules.command("catalogue")
@click.option("--write", "readme", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Replace the catalogue block in this README instead of printing.")
def rules_catalogue(readme: str | None) -> None:
    """The rule catalogue (Markdown): seed warnings mapped to rules, and every rule."""
    from claimlint.catalogue import render_catalogue, replace_block

    pack, _ = _pack(None)
    text = render_catalogue(pack)
    if readme:
        path = Path(readme)
        path.write_text(replace_block(path.read_text(encoding="utf-8"), text), encoding="utf-8")
    else:
        click.echo(text, nl=False)


@rules.command("eval")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option("--config", "config_path", default=None, type=click.Path())
@click.option("--quiet", is_flag=True, help="Only the table, without false positives and misses.")
def rules_eval(corpus: str, config_path: str | None, quiet: bool) -> None:
    """Precision, recall and F1 per category on a labeled JSON Lines corpus."""
    from claimlint.evaluate import evaluate, load_corpus, render
    from claimlint.lint import Linter

    config = _load_config(config_path, [corpus])
    try:
        rows = load_corpus(Path(corpus))
        linter = Linter(config)
    except (ValueError, RuleFileError) as exc:
        _fail(str(exc))
        return
    click.echo(render(evaluate(rows, linter), details=not quiet), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
