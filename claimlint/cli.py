"""The ``claimlint`` command line (click). Exit codes: 0 nothing at or above the fail level,
1 findings, 2 usage, configuration, rule-file or input error."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from claimlint import __version__
from claimlint.config import Config, ConfigError, find_config, load_config
from claimlint.findings import SEVERITY_RANK, Finding
from claimlint.rulepack import RuleFileError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from claimlint.parallel import Unit
    from claimlint.rulepack import RulePack

FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab", "html")


class Run:
    """What one ``check`` run collected: findings (kept on disk as they come, see
    ``FindingStore``), files seen, input errors."""

    def __init__(self) -> None:
        from claimlint.findingstore import FindingStore

        self.store = FindingStore()
        self.files = 0
        self.paths: list[str] = []  # every file read, in order
        self.errors: list[dict] = []
        self.views: dict[str, dict] = {}  # document views for the HTML report

    @property
    def findings(self) -> list[Finding]:
        """Every finding in report order, in memory (for the formats that need a list)."""
        return list(self.store)

    @property
    def sources(self) -> dict[str, dict[str, list]]:
        """Path -> excerpts of its source lines, for the findings' files."""
        return {path: excerpts for path, _found, excerpts in self.store.files()}

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


class _CheckCommand(click.Command):
    """Remembers the command-line order of ``--format`` and ``--output`` (click keeps each
    repeatable option's values but not how they interleave), so each output can follow
    its format."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["claimlint.outputs"] = _scan_outputs(args)
        return super().parse_args(ctx, args)


def _model_options(command: Callable) -> Callable:
    """The switches of the two fitted stages, shared by ``check`` and ``rules eval``."""
    command = click.option(
        "--claim-finder/--no-claim-finder", default=None,
        help="Add a finding where the claim finder reads a claim no rule found "
        "[default: the claim-finder setting, on]; --no-claim-model turns it off too.")(command)
    return click.option(
        "--claim-model/--no-claim-model", default=None,
        help="Drop the findings of sentences the claim model reads as no claim "
        "[default: the claim-model setting, on]; --no-claim-model: the rules alone.")(command)


def _set_models(config: Config, claim_model: bool | None, claim_finder: bool | None) -> None:
    """The command line's switches of the fitted stages over the configuration's."""
    if claim_model is not None:
        config.claim_model = claim_model
    if claim_finder is not None:
        config.claim_finder = claim_finder


def _scan_outputs(args: list[str]) -> list[tuple[str, str]]:
    order: list[tuple[str, str]] = []
    i = 0
    while i < len(args):
        tok = args[i]
        if tok == "--":
            break
        for name, flags in (("format", ("--format",)), ("output", ("--output", "-o"))):
            if tok in flags and i + 1 < len(args):
                order.append((name, args[i + 1]))
                i += 1
            elif tok.startswith(f"{flags[0]}="):
                order.append((name, tok.split("=", 1)[1]))
            elif name == "output" and tok.startswith("-o") and not tok.startswith("--") and len(tok) > 2:
                order.append((name, tok[2:]))
        i += 1
    return order


def output_pairs(order: list[tuple[str, str]], formats: tuple[str, ...],
                 outputs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(format, file or None for stdout) pairs: each ``--output`` belongs to the
    ``--format`` just before it (or, given first, to the next one). Raises UsageError."""
    seen_f = [v for k, v in order if k == "format"]
    seen_o = [v for k, v in order if k == "output"]
    if seen_f != list(formats) or seen_o != list(outputs):  # could not follow the order
        order = _index_order(formats, outputs)
    pairs: list[list] = []
    early: list[str] = []
    for kind, value in order:
        if kind == "format":
            pairs.append([value, early.pop(0) if early else None])
        elif pairs and pairs[-1][1] is None:
            pairs[-1][1] = value
        else:
            early.append(value)
    if not pairs:
        pairs = [["text", early.pop(0) if early else None]]
    if early:
        raise click.UsageError(f"--output {early[0]} has no --format of its own "
                               "(give one --format per --output)")
    for pair in pairs:
        if pair[1] == "-":
            pair[1] = None
    to_stdout = [f for f, out in pairs if out is None]
    if len(to_stdout) > 1:
        raise click.UsageError(f"formats {', '.join(to_stdout)} would all go to standard output; "
                               "give all but one an --output FILE")
    return [(f, out) for f, out in pairs]


def _index_order(formats: tuple[str, ...], outputs: tuple[str, ...]) -> list[tuple[str, str]]:
    order: list[tuple[str, str]] = []
    for i, fmt in enumerate(formats):
        order.append(("format", fmt))
        if i < len(outputs):
            order.append(("output", outputs[i]))
    order.extend(("output", o) for o in outputs[len(formats):])
    return order


# Commands defined in their own packages, imported only when run (a `check` never pays for
# the crawler, the web server or the archive readers).
LAZY_COMMANDS = {
    "crawl": "claimlint.crawl.cli", "report": "claimlint.crawl.cli", "diff": "claimlint.crawl.cli",
    "serve": "claimlint.serve.cli",  # its web dependencies are the `serve` extra
    "warc": "claimlint.warc.cli", "merge": "claimlint.warc.cli", "index": "claimlint.warc.cli",
}


class _LazyGroup(click.Group):
    """A group whose LAZY_COMMANDS are imported when named (or listed by --help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS and name not in self.commands:
            from importlib import import_module

            self.add_command(getattr(import_module(LAZY_COMMANDS[name]), name), name)
        return super().get_command(ctx, name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="claimlint")
def main() -> None:
    """Compliance linter for stem-cell and regenerative-medicine clinic marketing copy."""


@main.command(cls=_CheckCommand)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "formats", type=click.Choice(FORMATS), multiple=True,
              help="Output format [default: text]. Repeat with --output to write several "
              "formats in one run; each --output follows its --format.")
@click.option("--output", "-o", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="Write the preceding --format to this file ('-': standard output).")
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
@click.option("--pretty", is_flag=True,
              help="Indent JSON and SARIF output (default: compact, one finding per line).")
@click.option("--exit-zero", is_flag=True,
              help="Exit 0 even when there are findings (input and config errors still exit 2).")
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="Report only findings not recorded in this baseline file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), default=None,
              help="Record the current findings in this baseline file and exit 0.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes [default: CPU count; one process below "
              "a few dozen files to lint].")
@click.option("--no-cache", is_flag=True, help="Lint every file, ignoring and not writing the cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Cache directory [default: $CLAIMLINT_CACHE_DIR, else claimlint/check in "
              "the user's cache directory (~/.cache)].")
@_model_options
@click.pass_context
def check(ctx: click.Context, paths: tuple[str, ...], formats: tuple[str, ...],
          outputs: tuple[str, ...], select: tuple[str, ...], ignore: tuple[str, ...],
          fail_on: str | None, config_path: str | None, show_config: bool,
          stdin_filename: str | None, include: tuple[str, ...], exclude: tuple[str, ...],
          statistics: bool, color: str, no_source: bool, pretty: bool, exit_zero: bool,
          baseline: str | None,
          write_baseline: str | None, jobs: int | None, no_cache: bool,
          cache_dir: str | None, claim_model: bool | None, claim_finder: bool | None) -> None:
    """Check files, directories, or '-' (standard input) for misleading claims."""
    from claimlint import baseline as bl
    from claimlint.parallel import LintJob, RulePackError, check_units, default_jobs
    from claimlint.rulepack import load_rules
    from claimlint.shutdown import sigterm_as_interrupt

    pairs = output_pairs(ctx.meta.get("claimlint.outputs", []), formats, outputs)
    path_list = list(paths) or ["."]
    config = _load_config(config_path, path_list)
    if include:
        config.include = list(include)
    config.exclude = config.exclude + config.extend_exclude + list(exclude)
    if fail_on:
        config.fail_on = fail_on
    _set_models(config, claim_model, claim_finder)
    if show_config:
        _print_config(config)
        return
    known = None
    if baseline:
        try:
            known = bl.load_baseline(Path(baseline))
        except bl.BaselineError as exc:
            _fail(str(exc))
    selected, ignored = _split(select), _split(ignore)
    cache = None
    if not no_cache:
        from claimlint.cache import Cache, default_cache_dir, pack_digest

        try:
            digest = pack_digest(config.rule_dirs())
        except (RuleFileError, OSError) as exc:
            _fail(f"invalid rule file: {exc}")
            return
        cache = Cache.for_run(Path(cache_dir) if cache_dir else default_cache_dir(config),
                              digest, config, selected, ignored)
    want_view = any(fmt == "html" for fmt, _ in pairs)
    job = LintJob(config, selected, ignored, want_view=want_view)
    run = Run()
    try:
        with sigterm_as_interrupt():
            for result in check_units(_units(path_list, config, stdin_filename, run), job,
                                      jobs=jobs or default_jobs(), cache=cache):
                if result.error:
                    run.error(result.path, result.error)
                    continue
                if result.note:
                    click.echo(f"warning: {result.path}: {result.note}", err=True)
                run.store.add(result.path, result.findings, result.excerpts)
                if result.view is not None and result.findings:
                    run.views[result.path] = result.view
    except RulePackError as exc:
        _fail(f"invalid rule file: {exc}")
    except KeyboardInterrupt:
        click.echo("interrupted: no report written", err=True)
        sys.exit(130)
    if write_baseline:
        count = bl.write_baseline(Path(write_baseline), run.store)
        click.echo(f"Wrote {count} finding{'s' if count != 1 else ''} to baseline "
                   f"{write_baseline}.", err=True)
        sys.exit(2 if run.errors else 0)
    if known is not None:
        hidden, fixed = bl.drop_known(run.store, known, Path(baseline))
        if hidden or fixed:
            click.echo(f"Baseline {baseline}: {hidden} known finding{'s' if hidden != 1 else ''} "
                       f"not shown" + (f", {fixed} no longer found" if fixed else "") + ".",
                       err=True)
    pack = None
    if any(fmt == "sarif" for fmt, _ in pairs):  # SARIF describes every rule of the pack
        try:
            pack = load_rules(config.rule_dirs())
        except RuleFileError as exc:
            _fail(f"invalid rule file: {exc}")
    for fmt, out in pairs:
        _output(run, fmt, out, statistics and out is None, color, no_source, pack, pretty)
    threshold = SEVERITY_RANK[config.fail_on]
    if run.errors:
        sys.exit(2)
    if exit_zero:
        sys.exit(0)
    sys.exit(1 if any(SEVERITY_RANK[sev] >= threshold for sev in run.store.by_severity) else 0)


def _units(path_list: list[str], config: Config, stdin_filename: str | None,
           run: Run) -> Iterator[Unit]:
    """The files to check as Units, in order. Unreadable and empty files become Units that
    only carry their error or warning, so every message is printed in file order."""
    from claimlint.bigtext import STREAM_BYTES
    from claimlint.discovery import iter_files
    from claimlint.lint import kind_for
    from claimlint.parallel import Unit
    from claimlint.safeio import Unreadable, check_regular, read_limited, read_stream

    index = 0
    problems: list[tuple[str, str]] = []

    def unit(path: str, kind: str = "text", data: bytes | None = None,
             error: str | None = None, stream: bool = False, note: str | None = None) -> Unit:
        nonlocal index
        index += 1
        if error is not None:
            return Unit(index, path, error=error)
        run.files += 1
        run.paths.append(path)
        if note is not None:
            return Unit(index, path, note=note)
        if stream:
            return Unit(index, path, kind, stream=True)
        if not data or not data.strip():
            return Unit(index, path, note="empty file, nothing to check")
        return Unit(index, path, kind, data)

    for raw in path_list:
        if raw == "-":
            name = stdin_filename or "-"
            try:
                data = read_stream(sys.stdin.buffer, config.max_file_size)
            except Unreadable as exc:
                yield unit(name, error=exc.problem)
                continue
            yield unit(name, kind_for(name) if stdin_filename else "text", data)
            continue
        if not os.path.exists(raw):
            yield unit(raw, error="no such file or directory")
            continue
        inside = os.path.isdir(raw)
        for path in iter_files([raw], config.include, config.exclude,
                               lambda p, problem: problems.append((p, problem))):
            while problems:
                where, problem = problems.pop(0)
                yield unit(where, error=problem)
            kind = kind_for(str(path))
            try:
                if kind == "text" and check_regular(path, config.max_file_size) > STREAM_BYTES:
                    yield unit(str(path), kind, stream=True)  # read in parts by the linter
                    continue
                data = read_limited(path, config.max_file_size)
            except Unreadable as exc:
                yield unit(str(path), error=exc.problem)
                continue
            if inside and kind == "html" and _own_report(data):
                yield unit(str(path), note="a report written by claimlint: not checked")
                continue
            yield unit(str(path), kind, data)
        while problems:
            where, problem = problems.pop(0)
            yield unit(where, error=problem)


def _own_report(data: bytes) -> bool:
    """Whether an HTML file found in a checked folder is one of claimlint's own reports
    (``--format html``, ``claimlint report``): its head names claimlint as generator."""
    head = data[:2048].lower()
    return b'name="generator" content="claimlint ' in head or \
        b"name='generator' content='claimlint " in head


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def write_report(run: Run, fmt: str, out: TextIO, *, colour: bool = False,
                 show_source: bool = True, pack: RulePack | None = None,
                 pretty: bool = False) -> None:
    """Write one run's findings in one output format to ``out``. Every format but html is
    written finding by finding (junit: file by file) as they are read back from the run's
    store; the html report is built whole."""
    if fmt == "json":
        from claimlint.report.json import write_json

        write_json(out, run.store, files=run.files, errors=run.errors, pretty=pretty)
    elif fmt == "sarif":
        from claimlint.report.sarif import write_sarif

        write_sarif(out, run.store, rules=pack.rules if pack else None, errors=run.errors,
                    pretty=pretty)
    elif fmt == "text":
        from claimlint.report.text import summary_line, text_entries

        for path, found, excerpts in run.store.files():
            for entry in text_entries(found, {path: excerpts}, colour=colour,
                                      show_source=show_source):
                out.write(entry)
        out.write(summary_line(run.store.by_severity, run.files, len(run.errors)) + "\n")
    elif fmt == "github":
        from claimlint.report.github import write_github

        write_github(out, run.store, run.store.by_severity, files=run.files, errors=run.errors)
    elif fmt == "junit":
        from claimlint.report.junit import write_junit

        write_junit(out, paths=run.paths, with_findings=run.store.paths(),
                    findings_of=run.store.findings_of, count=run.store.count, errors=run.errors)
    elif fmt == "gitlab":
        from claimlint.report.gitlab import write_gitlab

        write_gitlab(out, run.store)
    else:
        out.write(render(run, fmt))


def render(run: Run, fmt: str) -> str:
    """One run's findings in one of the formats built whole."""
    if fmt == "html":
        from claimlint.report.html import render_html

        return render_html(run.findings, paths=run.paths, views=run.views, errors=run.errors)
    raise ValueError(f"unknown format {fmt!r}")


def _output(run: Run, fmt: str, out: str | None, statistics: bool, color: str,
            no_source: bool, pack: RulePack | None, pretty: bool = False) -> None:
    if statistics:
        from claimlint.report.text import render_statistics

        click.echo(render_statistics(run.store), nl=False)
        return
    if out is not None:
        target = Path(out)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("w", encoding="utf-8") as fh:
                write_report(run, fmt, fh, show_source=not no_source, pack=pack, pretty=pretty)
        except OSError as exc:
            _fail(f"cannot write {out}: {exc.strerror or exc}")
        return
    colour = fmt == "text" and (color == "always" or (
        color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ))
    stdout = sys.stdout  # CliRunner swaps it in tests
    write_report(run, fmt, stdout, colour=colour, show_source=not no_source, pack=pack,
                 pretty=pretty)
    stdout.flush()


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
        click.echo(f"Guidance:   {rule.seed} (risks of stem cell therapy)")
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

@rules.command("catalogue")
@click.option("--write", "readme", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Replace the catalogue block in this README instead of printing.")
def rules_catalogue(readme: str | None) -> None:
    """The rule catalogue (Markdown): the risk guidance's warnings mapped to rules, and every rule."""
    from claimlint.catalogue import render_catalogue, replace_block

    pack, _ = _pack(None)
    text = render_catalogue(pack)
    if readme:
        path = Path(readme)
        path.write_text(replace_block(path.read_text(encoding="utf-8"), text), encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _page_intervals(score, pages: int, resamples: int, save_path: str | None,  # noqa: ANN001
                    against_path: str | None) -> None:
    """``rules eval`` on pages: --save, --intervals and --against (to standard error when
    the scores went out as JSON: standard output stays the reference scorer's JSON)."""
    from claimlint.pagescore import intervals, paired_change, render_change, render_intervals

    if save_path:
        Path(save_path).write_text(json.dumps(score.per_page, sort_keys=True), encoding="utf-8")
    if resamples:
        click.echo(render_intervals(intervals(score.per_page, resamples), resamples, pages), nl=False)
    if against_path:
        try:
            then = json.loads(Path(against_path).read_text(encoding="utf-8"))
            change = paired_change(score.per_page, then, resamples or 1000)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise ValueError(f"{against_path}: not page counts written by --save ({exc})") from exc
        click.echo(render_change(change), nl=False)


@rules.command("eval")
@click.argument("corpus", type=click.Path(exists=True))
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Pages: a manifest of sentence hashes; CORPUS is the folder of page texts.")
@click.option("--config", "config_path", default=None, type=click.Path())
@click.option("--show", type=int, default=0, help="Pages: print N misses and false positives.")
@click.option("--json", "as_json", is_flag=True, help="Pages: the scores as JSON.")
@click.option("--quiet", is_flag=True, help="Only the table, without false positives and misses.")
@click.option("--intervals", "resamples", type=click.IntRange(min=0), default=0, metavar="N",
              help="Pages: 95%% intervals of P, R and F1 from N resamples of the pages.")
@click.option("--save", "save_path", type=click.Path(dir_okay=False), default=None,
              help="Pages: write each page's counts to this file (for --against later).")
@click.option("--against", "against_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Pages: a file written by --save (other rules, same pages): the change in F1 "
                   "with a 95%% interval.")
@_model_options
def rules_eval(corpus: str, manifest: str | None, config_path: str | None, show: int,
               as_json: bool, quiet: bool, resamples: int, save_path: str | None,
               against_path: str | None, claim_model: bool | None,
               claim_finder: bool | None) -> None:
    """Precision and recall on labeled copy.

    CORPUS is a JSON Lines file of labeled passages, or a folder of labeled real pages
    (``pages_labels.jsonl`` and ``pages/``, or page texts with ``--manifest``), scored
    exactly as the corpus's reference scorer ``score_pages.py`` scores them. For a rule
    change, ``--save before.json`` with the old rules, then ``--against before.json`` with
    the new ones says whether the change in F1 is more than the pages' noise."""
    from claimlint.lint import Linter

    config = _load_config(config_path, [corpus])
    _set_models(config, claim_model, claim_finder)
    try:
        linter = Linter(config)
        if Path(corpus).is_dir():
            from claimlint.pagescore import PageScore, load_pages

            pages = load_pages(Path(corpus), Path(manifest) if manifest else None)
            score = PageScore()
            for page in pages:
                doc = linter.load(page.text.encode("utf-8"), page.file)
                score.add(page, linter.lint_document(doc))
            click.echo(json.dumps(score.as_dict()) if as_json else score.render(show), nl=not as_json)
            _page_intervals(score, len(pages), resamples, save_path, against_path)
            return
        from claimlint.evaluate import evaluate, load_corpus, render

        rows = load_corpus(Path(corpus))
    except (ValueError, RuleFileError) as exc:
        _fail(str(exc))
        return
    click.echo(render(evaluate(rows, linter), details=not quiet), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
