"""``claimlint serve``: the JSON API over real HTTP against a server process on 127.0.0.1 —
same findings as ``check --format json``, uploads, reports, limits, errors, security."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import pytest
import requests
from click.testing import CliRunner

from claimlint.cli import main
from claimlint.serve.service import guess_kind
from tests.clirun import run_check
from tests.servers import running
from tests.test_docx import make_docx

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "fixtures" / "pages"
SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def server():
    with running() as s:
        yield s


@pytest.fixture(scope="module")
def api(server):
    return server.session()


def post_text(api, server, text, **fields):
    return api.post(server.url + "api/check", json={"text": text, **fields}, timeout=60)


def cli_findings(path: str, *args: str) -> list[dict]:
    result = run_check("--format", "json", "--no-cache", "--exit-zero", *args, path)
    return json.loads(result.output)["findings"]


@pytest.mark.parametrize("page", sorted(p.name for p in PAGES.iterdir()))
def test_pasted_page_has_the_same_findings_as_check_json(server, api, page, monkeypatch):
    monkeypatch.chdir(ROOT)
    path = f"fixtures/pages/{page}"
    kind = {"html": "html", "md": "markdown"}[page.rsplit(".", 1)[1]]
    r = post_text(api, server, (ROOT / path).read_text(encoding="utf-8"), kind=kind, name=path)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["findings"] == cli_findings(path)
    # every finding is placed in the document text at exactly its claim
    text = body["document"]["text"]
    assert len(body["document"]["ranges"]) == len(body["findings"])
    for f, (start, end) in zip(body["findings"], body["document"]["ranges"]):
        assert text[start:end] == f["text"]


def test_findings_match_check_json_exactly_with_the_same_name(server, api, tmp_path, monkeypatch):
    page = tmp_path / "landing.html"
    page.write_bytes((PAGES / "aggressive-landing.html").read_bytes())
    monkeypatch.chdir(tmp_path)
    expected = cli_findings("landing.html")
    r = post_text(api, server, page.read_text(encoding="utf-8"), kind="html", name="landing.html")
    assert r.json()["findings"] == expected and len(expected) >= 10
    assert set(r.json()) >= {"version", "findings", "summary"}
    assert r.json()["summary"]["findings"] == len(expected)


def test_upload_word_document(server, api, tmp_path):
    data = make_docx()
    (tmp_path / "draft.docx").write_bytes(data)
    r = api.post(server.url + "api/check", files={"file": ("draft.docx", data)}, timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    expected = cli_findings(str(tmp_path / "draft.docx"))
    strip = [{k: v for k, v in f.items() if k not in ("path", "fingerprint")} for f in expected]
    assert [{k: v for k, v in f.items() if k not in ("path", "fingerprint")}
            for f in body["findings"]] == strip
    assert {f["path"] for f in body["findings"]} == {"draft.docx"}
    assert body["document"]["kind"] == "docx"
    assert "no side effects" in body["document"]["editable"]
    assert any(f["rule"] == "SAFETY.no-side-effects" for f in body["findings"])


def test_upload_html_file_is_read_as_html(server, api):
    data = (PAGES / "promo-no-risks.html").read_bytes()
    r = api.post(server.url + "api/check", files={"file": ("promo.html", data)}, timeout=60)
    body = r.json()
    assert body["document"]["kind"] == "html" and not body["document"]["guessed"]
    assert body["document"]["editable"] == data.decode("utf-8")
    assert body["page"]["verdicts"]["DISCLOSURE"]["status"] == "flagged"


def test_kind_is_guessed():
    assert guess_kind((PAGES / "aggressive-landing.html").read_text()) == "html"
    assert guess_kind((PAGES / "faq.md").read_text()) == "markdown"
    assert guess_kind("Our injections have no side effects.\n\nBook today.") == "text"
    assert guess_kind("Prices < $500 and > $100 this week.") == "text"


def test_guessed_kind_is_reported(server, api):
    body = post_text(api, server, (PAGES / "faq.md").read_text()).json()
    assert body["document"]["kind"] == "markdown" and body["document"]["guessed"]


def test_page_verdicts(server, api):
    risky = post_text(api, server, (PAGES / "promo-no-risks.html").read_text()).json()
    honest = post_text(api, server, (PAGES / "promo-with-risks.html").read_text()).json()
    assert risky["page"]["verdicts"]["DISCLOSURE"]["status"] == "flagged"
    i = risky["page"]["verdicts"]["DISCLOSURE"]["finding"]
    assert risky["findings"][i]["rule"] == "DISCLOSURE.no-risk-disclosure"
    assert honest["page"]["verdicts"]["DISCLOSURE"]["status"] == "clear"
    assert set(risky["page"]["by_category"]) == {f["category"] for f in risky["findings"]}


@pytest.mark.parametrize("fmt", ["sarif", "html", "json"])
def test_report_downloads(server, api, fmt):
    text = (PAGES / "aggressive-landing.html").read_text()
    r = post_text(api, server, text, kind="html", format=fmt, name="landing.html")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="landing.claimlint.{fmt}"'
    if fmt == "sarif":
        log = r.json()
        jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
        assert len(log["runs"][0]["results"]) >= 10
    elif fmt == "html":
        assert "<mark" in r.text and "Guaranteed Relief" in r.text
    else:
        assert r.json()["summary"]["files"] == 1 and "document" not in r.json()


@pytest.mark.parametrize("payload, status, words", [
    ({"text": "   "}, 400, "no text"),
    ({"text": "x", "kind": "pdf"}, 400, "unknown kind"),
    ({"text": "x", "format": "xml"}, 400, "unknown format"),
    ({"kind": "text"}, 400, '"text" string'),
    ([1, 2], 400, '"text" string'),
])
def test_bad_json_requests_get_clear_errors(server, api, payload, status, words):
    r = api.post(server.url + "api/check", json=payload, timeout=30)
    assert r.status_code == status and words in r.json()["error"]


def test_bad_uploads_get_clear_errors(server, api):
    def upload(name, data):
        return api.post(server.url + "api/check", files={"file": (name, data)}, timeout=30)

    r = upload("draft.docx", b"PK\x03\x04 not really a zip")
    assert r.status_code == 400 and "draft.docx" in r.json()["error"]
    assert "Word" in r.json()["error"]
    r = upload("scan.pdf", b"%PDF-1.4")
    assert r.status_code == 415 and ".docx" in r.json()["error"]
    r = upload("page.html", b"")
    assert r.status_code == 400 and "empty" in r.json()["error"]
    r = upload("page.txt", b"\x00\x01\x02\xff" * 500)
    assert r.status_code == 400 and "page.txt" in r.json()["error"]
    r = api.post(server.url + "api/check", data=b"not json", timeout=30,
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["error"]
    r = api.post(server.url + "api/check", data=b"x", timeout=30,
                 headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert requests.get(server.url + "api/check", timeout=30).status_code == 405
    # one bad request never takes the server down
    assert requests.get(server.url + "api/health", timeout=30).json()["status"] == "ok"
    assert post_text(api, server, "Results are guaranteed.").json()["findings"]


def test_malformed_requests_get_4xx_and_never_take_the_server_down(server, api):
    url = server.url + "api/check"
    bodies = [
        ("application/json", b"\xff\xfe\x00garbage"),
        ("application/json", b"[" * 100_000 + b"]" * 100_000),
        ("application/json", b'{"text": ' + b'"' * 3),
        ("application/json", b'{"text": "x", "kind": ["html"]}'),
        ("application/json", b'{"text": 12}'),
        ("application/json", b""),
        ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: form-data\r\n\r\n"),
        ("multipart/form-data", b"no boundary at all"),
        ("multipart/form-data; boundary=zz",
         b'--zz\r\nContent-Disposition: form-data; name="file"; filename="a.html"\r\n\r\n'
         + b"<div>" * 50_000 + b"\r\n--zz--\r\n"),
        ("application/x-www-form-urlencoded", b"text=&kind=%ZZ"),
        ("text/html", b"<p>hi</p>"),
    ]
    for ctype, body in bodies:
        r = api.post(url, data=body, headers={"Content-Type": ctype}, timeout=60)
        assert 200 <= r.status_code < 500 and r.status_code != 500, (ctype, body[:40], r.text)
        assert r.headers["content-type"].startswith("application/json")
    for text in ("<" * 20_000, "\x00" * 1000, "*" * 20_000, "\ud800 lone surrogate guaranteed",
                 "<div>" * 20_000 + "Results are guaranteed."):
        for kind in ("text", "markdown", "html"):
            r = api.post(url, data=json.dumps({"text": text, "kind": kind}),
                         headers={"Content-Type": "application/json"}, timeout=60)
            assert r.status_code in (200, 400), (kind, text[:20], r.text)
    assert requests.get(server.url + "api/health", timeout=30).json()["status"] == "ok"


def test_size_limit_comes_from_the_config(tmp_path):
    cfg = tmp_path / ".claimlint.toml"
    cfg.write_text("max-file-size = 2000\n")
    with running("--config", str(cfg)) as server:
        api = server.session()
        big = "Our injections have no side effects. " * 100  # 3,700 bytes
        r = post_text(api, server, big)
        assert r.status_code == 413 and "too large" in r.json()["error"]
        r = api.post(server.url + "api/check", files={"file": ("big.txt", big.encode())},
                     timeout=30)
        assert r.status_code == 413
        r = api.post(server.url + "api/check", data=b"x" * 200_000, timeout=30,
                     headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        assert post_text(api, server, "Results are guaranteed.").status_code == 200
        info = api.get(server.url + "api/config", timeout=30).json()
        assert info["source"] == str(cfg) and info["limits"]["max_file_size"] == 2000


def test_pasted_copy_is_not_decoded_again(tmp_path):
    """A configured file encoding or a page's <meta charset> applies to files, never to
    copy that arrives as text."""
    cfg = tmp_path / ".claimlint.toml"
    cfg.write_text('encoding = "windows-1252"\n')
    with running("--config", str(cfg)) as server:
        api = server.session()
        body = post_text(api, server, "Café Médical: results are guaranteed.", kind="text").json()
        assert body["document"]["text"].startswith("Café Médical")
        page = '<meta charset="iso-8859-1"><p>Clínica: results are guaranteed.</p>'
        body = post_text(api, server, page, kind="html").json()
        assert "Clínica" in body["document"]["text"]
        assert body["findings"][0]["text"] == "results are guaranteed"
        # a file is decoded as configured
        r = api.post(server.url + "api/check", timeout=30,
                     files={"file": ("old.txt", "Café: results are guaranteed.".encode("cp1252"))})
        assert r.json()["document"]["text"].startswith("Café")


def test_chunked_body_over_the_limit_is_refused(tmp_path):
    cfg = tmp_path / ".claimlint.toml"
    cfg.write_text("max-file-size = 1000\n")
    with running("--config", str(cfg)) as server:
        api = server.session()

        def chunks():  # no Content-Length: the limit is counted as the body arrives
            for _ in range(100):
                yield b"x" * 1000

        r = api.post(server.url + "api/check", data=chunks(), timeout=30,
                     headers={"Content-Type": "application/json"})
        assert r.status_code == 413 and "limit" in r.json()["error"]
        assert post_text(api, server, "Results are guaranteed.").status_code == 200


def test_time_limit(tmp_path):
    with running("--time-limit", "0.000001") as server:
        api = server.session()
        r = post_text(api, server, (PAGES / "aggressive-landing.html").read_text() * 20)
        assert r.status_code == 503 and "did not finish" in r.json()["error"]
        assert requests.get(server.url + "api/health", timeout=30).status_code == 200


def test_concurrent_checks_give_the_same_findings(server, api):
    text = (PAGES / "aggressive-landing.html").read_text()
    first = post_text(api, server, text).json()["findings"]

    def one(_):
        return server.session().post(server.url + "api/check", json={"text": text},
                                     timeout=120).json()["findings"]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(16)))
    assert all(r == first for r in results)


def test_security_headers_everywhere(server, api):
    for r in (requests.get(server.url, timeout=30),
              requests.get(server.url + "static/app.js", timeout=30),
              requests.get(server.url + "api/rules", timeout=30),
              requests.post(server.url + "api/check", json={"text": "x"}, timeout=30),
              requests.get(server.url + "nope", timeout=30)):
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
    page = requests.get(server.url, timeout=30).text
    assert "<script>" not in page and " on" + "load=" not in page and "http" not in page.split(
        "<body>")[0].replace('http-equiv', '')


def test_csrf_and_cross_site_requests_are_refused(server, api):
    url = server.url + "api/check"
    assert requests.post(url, json={"text": "Results are guaranteed."}, timeout=30).status_code == 403
    r = requests.post(url, json={"text": "x"}, headers={"X-CSRF-Token": "wrong"}, timeout=30)
    assert r.status_code == 403
    r = api.post(url, json={"text": "x"}, headers={"Origin": "http://evil.example"}, timeout=30)
    assert r.status_code == 403
    r = api.post(url, json={"text": "x"}, headers={"Sec-Fetch-Site": "cross-site"}, timeout=30)
    assert r.status_code == 403
    # a form post from another site (no custom header possible) is refused
    r = requests.post(url, files={"file": ("a.txt", b"Results are guaranteed.")}, timeout=30)
    assert r.status_code == 403
    same = server.url.rstrip("/")
    r = api.post(url, json={"text": "Results are guaranteed."}, headers={"Origin": same}, timeout=30)
    assert r.status_code == 200


def test_foreign_host_header_is_refused(server):
    r = requests.get(server.url + "api/health", headers={"Host": "attacker.example"}, timeout=30)
    assert r.status_code == 421
    r = requests.get(server.url + "api/health", headers={"Host": "localhost:1"}, timeout=30)
    assert r.status_code == 200


def test_hostile_copy_comes_back_as_data(server, api):
    hostile = 'Our cure is guaranteed. "><img src=x onerror=alert(1)><script>alert(2)</script>'
    body = post_text(api, server, hostile, kind="text").json()
    assert body["document"]["editable"] == hostile
    assert "<script>alert(2)</script>" in body["document"]["text"]


def test_rules_and_config(tmp_path):
    rules = tmp_path / "house-rules"
    rules.mkdir()
    (rules / "house.yml").write_text("""\
category: HOUSE
rules:
  - id: HOUSE.miracle-knee
    severity: warning
    message: Our house style forbids "miracle knee".
    why: Brand guidelines.
    suggestion: Say "knee treatment".
    patterns:
      - phrase: miracle knee
    examples:
      flag: [Try our miracle knee today.]
      pass: [Try our knee treatment today.]
""")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.claimlint]\nextend-rules = ["house-rules"]\nignore = ["HYPE"]\n'
        '[tool.claimlint.severity]\n"SAFETY.no-side-effects" = "info"\n')
    with running("--config", str(tmp_path / "pyproject.toml")) as server:
        api = server.session()
        listed = {r["id"]: r for r in api.get(server.url + "api/rules", timeout=30).json()["rules"]}
        house = listed["HOUSE.miracle-knee"]
        assert house["origin"] == "user" and house["flag"] == ["Try our miracle knee today."]
        assert all(not r["enabled"] for r in listed.values() if r["category"] == "HYPE")
        assert listed["SAFETY.no-side-effects"]["severity_in_force"] == "info"
        assert {"message", "why", "sources", "suggestion", "flag", "pass"} <= set(house)
        info = api.get(server.url + "api/config", timeout=30).json()
        assert info["rule_dirs"] == [str(rules.resolve())] and info["ignored"] == ["HYPE"]
        body = post_text(api, server, "Try our miracle knee. No side effects, a miracle cure!"
                         ).json()
        rules_hit = {f["rule"]: f["severity"] for f in body["findings"]}
        assert rules_hit.get("HOUSE.miracle-knee") == "warning"
        assert rules_hit.get("SAFETY.no-side-effects") == "info"
        assert not any(r.startswith("HYPE.") for r in rules_hit)


def test_every_shipped_rule_is_listed(server, api):
    from claimlint.rulepack import load_rules

    listed = api.get(server.url + "api/rules", timeout=30).json()["rules"]
    assert [r["id"] for r in listed] == sorted(r.id for r in load_rules().rules)


def test_token_is_required_on_every_request():
    token = "t0ken-for-the-tests-1234"
    with running("--token", token) as server:
        url = server.url
        assert requests.get(url, timeout=30).status_code == 401
        assert requests.get(url + "static/app.js", timeout=30).status_code == 401
        assert requests.get(url + "api/rules", timeout=30).status_code == 401
        r = requests.get(url + "api/rules", headers={"Authorization": "Bearer wrong"}, timeout=30)
        assert r.status_code == 401
        # the printed address sets the cookie and drops the token from the address bar
        first = requests.get(url + f"?token={token}", allow_redirects=False, timeout=30)
        assert first.status_code == 303 and first.headers["location"] == "/"
        assert "HttpOnly" in first.headers["set-cookie"]
        s = requests.Session()
        assert s.get(url + f"?token={token}", timeout=30).status_code == 200
        assert s.get(url + "api/rules", timeout=30).status_code == 200
        # an API client: the bearer token alone is enough (no CSRF round trip)
        r = requests.post(url + "api/check", json={"text": "Results are guaranteed."},
                          headers={"Authorization": f"Bearer {token}"}, timeout=60)
        assert r.status_code == 200 and r.json()["findings"]


def test_non_loopback_bind_without_token_is_refused():
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2
    assert "warning" in result.output and "refusing to listen on 0.0.0.0" in result.output
    result = CliRunner().invoke(main, ["serve", "--host", "192.0.2.1", "--token", "short"])
    assert result.exit_code == 2 and "at least 16" in result.output


def test_server_stops_on_sigterm_and_frees_its_port():
    with running() as server:
        assert requests.get(server.url + "api/health", timeout=30).status_code == 200
    # uvicorn shuts down gracefully, then re-raises the signal it caught
    assert server.process.returncode in (0, -15), server.log
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "api/health", timeout=5)


def test_page_assets_ship_in_the_package_and_nothing_is_fetched_from_outside(server):
    import re

    from claimlint.serve.app import STATIC

    page = requests.get(server.url, timeout=30).text
    refs = re.findall(r'(?:src|href)="([^"#]+)"', page)
    assert refs and all(ref.startswith("/static/") for ref in refs), refs
    for ref in refs:
        name = ref.removeprefix("/static/")
        assert (STATIC / name).is_file()
        r = requests.get(server.url + ref.lstrip("/"), timeout=30)
        assert r.status_code == 200 and r.content == (STATIC / name).read_bytes()
    for asset in ("app.js", "app.css", "index.html", "icon.svg"):
        text = (STATIC / asset).read_text(encoding="utf-8")
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text), asset
        assert "innerHTML" not in text and "eval(" not in text


def test_listening_socket_is_tcp_so_responses_are_not_delayed():
    import socket

    from claimlint.serve.cli import bind, is_loopback

    sock = bind("127.0.0.1", 0)
    try:
        # asyncio sets TCP_NODELAY on accepted connections only for sockets marked TCP
        assert sock.proto == socket.IPPROTO_TCP and sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()
    assert is_loopback("127.0.0.2") and is_loopback("localhost") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and not is_loopback("example.org")
