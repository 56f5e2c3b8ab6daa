"""``claimlint serve`` in a real browser: headless Debian chromium driven by Playwright,
against a server process on 127.0.0.1. Skipped, with the reason, only where no browser
exists; CI sets CLAIMLINT_REQUIRE_BROWSER=1 so a missing browser fails there."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import requests

from tests.browser import launch, why_no_browser
from tests.servers import running
from tests.test_docx import make_docx

ROOT = Path(__file__).resolve().parent.parent
LANDING = (ROOT / "fixtures" / "pages" / "aggressive-landing.html").read_text(encoding="utf-8")

_reason = why_no_browser()
if _reason and os.environ.get("CLAIMLINT_REQUIRE_BROWSER"):
    raise RuntimeError(f"browser tests are required here but cannot run: {_reason}")
pytestmark = pytest.mark.skipif(_reason is not None, reason=f"no browser: {_reason}")

# The DOM text of each finding's highlight: the text of its <mark> pieces, in order.
# (Functions, not expressions: the page's CSP forbids eval, which Playwright would use.)
CHECKED = "() => document.getElementById('status').textContent.startsWith('Checked')"
CHECKED_FILE = ("name => { const s = document.getElementById('status').textContent;"
                " return s.startsWith('Checked') && s.includes(name); }")
HIGHLIGHTS = """() => {
  const out = {};
  document.querySelectorAll('#doc mark[data-f]').forEach(m => {
    const i = m.getAttribute('data-f');
    out[i] = (out[i] || '') + m.textContent;
  });
  return out;
}"""


@pytest.fixture(scope="module")
def server():
    with running() as s:
        yield s


@pytest.fixture(scope="module")
def context():
    with launch() as ctx:
        yield ctx


@pytest.fixture
def page(context, server):
    page = context.new_page()
    page.problems = []
    page.on("dialog", lambda d: (page.problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.goto(server.url)
    yield page
    page.close()


def api_findings(server, text: str, kind: str = "auto") -> list[dict]:
    api = server.session()
    return api.post(server.url + "api/check", json={"text": text, "kind": kind},
                    timeout=60).json()["findings"]


def check(page, text: str, kind: str = "auto") -> None:
    page.uncheck("#live")
    page.select_option("#kind", kind)
    page.fill("#source", text)
    page.click("#check")
    page.wait_for_function(CHECKED)


def test_pasted_landing_page_highlights_every_claim_exactly(page, server):
    check(page, LANDING)
    expected = api_findings(server, LANDING)
    highlights = page.evaluate(HIGHLIGHTS)
    assert len(expected) >= 20
    assert len(highlights) == len(expected)
    assert page.locator("#findings li.finding").count() == len(expected)
    for i, f in enumerate(expected):
        assert highlights[str(i)] == f["text"], (i, f["rule"])
        card = page.locator(f'#findings li[data-i="{i}"]')
        assert f["message"] in card.inner_text()
        assert f["text"] in card.locator(".f-claim").inner_text()
    # severity shows as text and symbol, not by colour alone
    assert "Must fix" in page.locator("#summary").inner_text()
    assert page.locator("#count").inner_text() == f"({len(expected)})"
    assert "Missing" in page.locator("#summary .v-flagged").first.inner_text()
    assert page.problems == []


def test_upload_word_document(page, server, tmp_path):
    path = tmp_path / "draft.docx"
    path.write_bytes(make_docx())
    page.set_input_files("#file", str(path))
    page.wait_for_function(CHECKED)
    api = server.session()
    expected = api.post(server.url + "api/check", files={"file": ("draft.docx", path.read_bytes())},
                        timeout=60).json()["findings"]
    assert expected and page.locator("#findings li.finding").count() == len(expected)
    highlights = page.evaluate(HIGHLIGHTS)
    assert [highlights[str(i)] for i in range(len(expected))] == [f["text"] for f in expected]
    assert "no side effects" in page.input_value("#source")
    assert "draft.docx" in page.inner_text("#status")
    assert page.problems == []


def test_clicking_a_finding_selects_its_highlight_and_back(page):
    check(page, LANDING)
    page.click('#findings li[data-i="4"] button.f-head')
    selected = page.locator("#doc mark.selected")
    assert selected.count() >= 1
    assert {m.get_attribute("data-f") for m in selected.all()} == {"4"}
    assert selected.first.is_visible()
    # and back: clicking a highlight selects its finding in the list
    page.locator('#doc mark[data-f="13"]').first.click()
    assert page.locator("#findings li.selected").get_attribute("data-i") == "13"
    assert page.locator("#doc mark.selected").first.get_attribute("data-f") == "13"
    assert page.locator('#findings li[data-i="13"]').is_visible()


@pytest.mark.parametrize("kind", ["text", "html", "markdown"])
def test_hostile_copy_stays_inert(page, kind):
    hostile = ('<script>window.__pwned = 1; alert("script")</script>\n\n'
               '"><img src=x onerror="window.__pwned = 2; alert(\'img\')"> Results are guaranteed.\n\n'
               "<svg onload=\"alert('svg')\"></svg><iframe src=\"javascript:alert('frame')\"></iframe>\n\n"
               '[click](javascript:alert(1)) Our stem cells cure arthritis.')
    check(page, hostile, kind)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#doc img, #doc script, #doc svg, #doc iframe, #doc a").count() == 0
    assert page.locator("#findings img, #findings script, #findings iframe").count() == 0
    assert page.locator("#findings li.finding").count() >= 1
    if kind == "text":
        assert '"><img src=x onerror=' in page.inner_text("#doc")
    assert [p for p in page.problems if "dialog" in p] == []


def test_keyboard_alone_reaches_every_finding(page):
    check(page, LANDING)
    count = page.locator("#findings li.finding").count()
    page.locator("body").focus()
    reached = set()
    for _ in range(400):
        page.keyboard.press("Tab")
        i = page.evaluate("document.activeElement.matches('button.f-head') ? "
                          "document.activeElement.getAttribute('data-i') : null")
        if i is not None:
            reached.add(int(i))
        if len(reached) == count:
            break
    assert reached == set(range(count))
    # Enter on a focused finding selects its highlight; arrows move between findings
    page.focus('#findings li[data-i="0"] button.f-head')
    page.keyboard.press("Enter")
    assert page.locator("#doc mark.selected").first.get_attribute("data-f") == "0"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('data-i')") == "1"
    assert page.locator("#doc mark.selected").first.get_attribute("data-f") == "1"


def test_rechecks_as_the_user_types_and_keeps_the_scroll_position(page):
    page.check("#live")
    page.fill("#source", "")
    page.type("#source", "Results are guaranteed.", delay=5)
    page.wait_for_selector("#findings li.finding")
    assert page.locator("#findings li.finding").count() == 1
    long_copy = "Our stem cell injections have no side effects.\n\n" + "\n\n".join(
        f"Paragraph {n}: our clinic is open on weekdays." for n in range(60))
    check(page, long_copy, "text")
    page.check("#live")
    assert page.eval_on_selector("#doc", "d => d.scrollHeight - d.clientHeight") > 1200
    page.eval_on_selector("#doc", "d => { d.scrollTop = 600; }")
    before = page.inner_text("#status")
    page.focus("#source")
    page.keyboard.press("End")
    page.evaluate("() => { const s = document.getElementById('source');"
                  " s.setSelectionRange(s.value.length, s.value.length); }")
    page.keyboard.type(" We guarantee lasting relief.", delay=5)
    page.wait_for_function("before => { const s = document.getElementById('status').textContent;"
                           " return s !== before && s.startsWith('Checked'); }", arg=before)
    page.wait_for_timeout(50)
    assert page.eval_on_selector("#doc", "d => d.scrollTop") == 600
    assert "We guarantee lasting relief" in page.inner_text("#doc")


def test_filters_by_severity_and_category(page):
    check(page, LANDING)
    total = page.locator("#findings li.finding").count()
    errors = page.locator("#findings li.finding.sev-error").count()
    page.uncheck('.sev-filter[value="error"]')
    assert page.locator("#findings li.finding:visible").count() == total - errors
    assert page.locator("#doc mark.sev-error:not(.off)").count() == 0
    page.check('.sev-filter[value="error"]')
    page.select_option("#category", "SAFETY")
    shown = page.locator("#findings li.finding:visible")
    assert shown.count() >= 2
    assert all("SAFETY" in li.inner_text() for li in shown.all())
    assert "of" in page.inner_text("#count")


def test_copy_suggestion(page, context, server):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url.rstrip("/"))
    check(page, "Our injections have no side effects.")
    page.click("#findings button.copy")
    page.wait_for_function(
        "() => document.querySelector('#findings button.copy').textContent === 'Copied'")
    suggestion = api_findings(server, "Our injections have no side effects.")[0]["suggestion"]
    assert page.evaluate("navigator.clipboard.readText()") == suggestion


def test_download_json_and_sarif(page):
    check(page, LANDING)
    count = page.locator("#findings li.finding").count()
    with page.expect_download() as info:
        page.click('.downloads button[data-format="json"]')
    data = json.loads(Path(info.value.path()).read_text())
    assert len(data["findings"]) == count
    with page.expect_download() as info:
        page.click('.downloads button[data-format="sarif"]')
    assert info.value.suggested_filename == "copy.claimlint.sarif"
    assert json.loads(Path(info.value.path()).read_text())["version"] == "2.1.0"


def test_a_finding_links_to_its_rule(page):
    check(page, "Our stem cell injections have no side effects.")
    page.click("#findings details.why summary")
    page.click("#findings a.rule-link")
    page.wait_for_selector("#rules details.rule[open]")
    opened = page.locator("#rules details.rule[open]")
    assert opened.count() == 1 and opened.get_attribute("id") == "rule-SAFETY.no-side-effects"
    assert page.input_value("#rule-search") == "SAFETY.no-side-effects"


def test_rules_browser_and_configuration(page, server):
    page.click('a.tab[data-view="rules"]')
    page.wait_for_selector("#rules details.rule")
    rules = requests.get(server.url + "api/rules", timeout=30).json()["rules"]
    assert page.locator("#rules details.rule").count() == len(rules)
    page.fill("#rule-search", "side effects")
    shown = page.locator("#rules details.rule")
    assert 0 < shown.count() < len(rules)
    first = shown.first
    first.locator("summary").click()
    text = first.inner_text()
    text = text.lower()
    assert "why it matters" in text and "flagged" in text and "passes" in text
    page.click('a.tab[data-view="config"]')
    page.wait_for_selector("#config dl")
    assert "none found" in page.inner_text("#config")
    assert "[tool.claimlint]" in page.inner_text("#config pre")
    assert page.problems == []


def test_page_with_an_access_token(context):
    token = "browser-test-token-123456"
    with running("--token", token) as server:
        page = context.new_page()
        response = page.goto(server.url)
        assert response.status == 401
        page.goto(server.url + f"?token={token}")
        assert page.url == server.url
        check(page, "Our results are guaranteed.")
        assert page.locator("#findings li.finding").count() == 1
        page.close()


SELECTED_IN_EDITOR = """() => {
  const s = document.getElementById('source');
  return document.activeElement === s ? s.value.slice(s.selectionStart, s.selectionEnd) : null;
}"""


def test_edit_in_my_copy_selects_the_claim_in_the_editor(page, tmp_path):
    filler = "\n\n".join(f"Paragraph {n}: our clinic is open on weekdays." for n in range(80))
    # a page's worth of copy that discloses risks, so its one finding is the claim below
    copy = (filler + "\n\nRisks include mild swelling and infection.\n\n"
            "Our stem cell injections have no side effects.\n")
    check(page, copy, "text")
    page.click("#findings li.finding button.edit")
    assert page.evaluate(SELECTED_IN_EDITOR) == "no side effects"
    assert page.eval_on_selector("#source", "s => s.scrollTop") > 0  # scrolled to the claim
    # an uploaded file with CRLF line ends, and a Word document
    crlf = tmp_path / "draft.txt"
    crlf.write_bytes(b"Welcome.\r\nLine two.\r\n\r\nResults are guaranteed.\r\n")
    page.set_input_files("#file", str(crlf))
    page.wait_for_function(CHECKED_FILE, arg="draft.txt")
    page.click("#findings li.finding button.edit")
    assert page.evaluate(SELECTED_IN_EDITOR) == "Results are guaranteed"
    word = tmp_path / "draft.docx"
    word.write_bytes(make_docx())
    page.set_input_files("#file", str(word))
    page.wait_for_function(CHECKED_FILE, arg="draft.docx")
    first = page.locator("#findings li.finding").first
    claim = first.locator(".f-claim").inner_text().strip("“”")
    first.locator("button.edit").click()
    assert page.evaluate(SELECTED_IN_EDITOR) == claim
    # once the copy changes, the old positions are not used
    page.uncheck("#live")
    page.focus("#source")
    page.keyboard.press("End")
    page.keyboard.type(" More.")
    assert "More." in page.input_value("#source")
    page.click("#findings li.finding button.edit")
    assert "changed" in page.inner_text("#status"), page.problems
