"""Take the README's screenshot of ``claimlint serve``: start a server on 127.0.0.1, paste
the aggressive landing fixture page, select a finding, save ``docs/serve.png``.

    python docs/screenshot.py [OUT.png]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import launch, why_no_browser  # noqa: E402
from tests.servers import running  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "serve.png"
    reason = why_no_browser()
    if reason:
        sys.exit(f"cannot take the screenshot: {reason}")
    copy = (ROOT / "fixtures" / "pages" / "aggressive-landing.html").read_text(encoding="utf-8")
    with running() as server, launch() as context:
        page = context.new_page()
        page.goto(server.url)
        page.fill("#source", copy)
        page.click("#check")
        page.wait_for_selector("#findings li.finding")
        page.click('#findings li[data-i="2"] button.f-head')
        page.eval_on_selector('#findings li[data-i="2"]', "li => li.scrollIntoView({block: 'start'})")
        page.evaluate("document.getElementById('source').scrollTop = 0")
        page.screenshot(path=str(out))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
