"""The ``claimlint serve`` web app (Starlette): the page, its static files and the JSON API.

Routes:

- ``GET /`` the page; ``GET /static/…`` its script, style sheet and icon (all in the package);
- ``POST /api/check`` check pasted copy (JSON ``{"text", "kind", "name", "format"}``) or an
  uploaded file (multipart field ``file``); answers the ``--format json`` object plus the
  document view the page draws, or with ``format`` ``sarif`` / ``html`` / ``json`` the
  report as a download;
- ``GET /api/rules`` every rule in force; ``GET /api/config`` the configuration in force;
  ``GET /api/session`` the CSRF token and limits; ``GET /api/health``.

A check runs in a worker thread under a time limit; more than ``max_pending`` checks
waiting at once are refused with 503 rather than queued without bound.
"""

from __future__ import annotations

import json
import secrets
from importlib.resources import files
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from claimlint import __version__
from claimlint.serve.security import BodyTooLarge, Guard
from claimlint.serve.service import PASTE_KINDS, REPORT_FORMATS, CheckError, CheckService

STATIC = files("claimlint.serve") / "static"
FORM_OVERHEAD = 64 * 1024  # multipart headers and small fields around an uploaded file


class _Busy(Exception):
    pass


def create_app(service: CheckService, *, token: str | None = None,
               allowed_hosts: set[str] | None = None, max_pending: int = 256) -> Guard:
    """The ASGI app for one CheckService, wrapped in the Guard middleware."""
    csrf = secrets.token_urlsafe(32)
    index = (STATIC / "index.html").read_text(encoding="utf-8").replace(
        "{{csrf}}", csrf).replace("{{version}}", __version__)
    limiter = anyio.CapacityLimiter(4)
    pending = 0

    async def run_check(fn: Any) -> Any:
        nonlocal pending
        if pending >= max_pending:
            raise _Busy
        pending += 1
        try:
            with anyio.fail_after(service.time_limit):
                return await anyio.to_thread.run_sync(fn, abandon_on_cancel=True,
                                                      limiter=limiter)
        finally:
            pending -= 1

    async def page(request: Request) -> Response:
        return HTMLResponse(index)

    async def session(request: Request) -> Response:
        return JSONResponse({"csrf": csrf, "version": __version__, "kinds": list(PASTE_KINDS),
                             "formats": list(REPORT_FORMATS),
                             "max_file_size": service.config.max_file_size,
                             "time_limit": service.time_limit})

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    async def rules(request: Request) -> Response:
        return JSONResponse({"rules": service.rules()})

    async def config(request: Request) -> Response:
        return JSONResponse(service.config_info())

    async def check(request: Request) -> Response:
        try:
            job, fmt = await _read_job(request, service)
        except BodyTooLarge:
            return _error(413, f"The request is larger than this server's limit of "
                          f"{service.config.max_file_size / 1e6:.1f} MB.")
        except CheckError as exc:
            return _error(exc.status, str(exc))
        if fmt not in ("page", *REPORT_FORMATS):
            return _error(400, f"unknown format '{fmt}' (use {', '.join(REPORT_FORMATS)})")
        try:
            checked = await run_check(job)
        except CheckError as exc:
            return _error(exc.status, str(exc))
        except TimeoutError:
            return _error(503, f"The check did not finish within {service.time_limit:g} s. "
                          "Check a shorter part of the copy.")
        except _Busy:
            return _error(503, "The server is busy with other checks; try again in a moment.")
        if fmt == "page":
            body = json.dumps(service.result(checked), ensure_ascii=False)
            return Response(body, media_type="application/json")
        text, media, name = service.report(checked, fmt)
        return Response(text, media_type=media,
                        headers={"content-disposition": f'attachment; filename="{name}"'})

    async def server_error(request: Request, exc: Exception) -> Response:
        return _error(500, "Internal error while checking; the server is still running. "
                      f"({type(exc).__name__})")

    app = Starlette(routes=[
        Route("/", page),
        Route("/api/session", session),
        Route("/api/health", health),
        Route("/api/rules", rules),
        Route("/api/config", config),
        Route("/api/check", check, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ], exception_handlers={Exception: server_error})
    max_body = service.config.max_file_size + FORM_OVERHEAD
    return Guard(app, csrf=csrf, token=token, max_body=max_body, allowed_hosts=allowed_hosts)


async def _read_job(request: Request, service: CheckService) -> tuple[Any, str]:
    """The check to run (a no-argument function) and the answer's format."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            data = json.loads(await request.body())
        except (ValueError, RecursionError) as exc:
            raise CheckError(f"The request is not valid JSON: {str(exc)[:200]}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise CheckError('Send a JSON object with a "text" string (and optionally "kind", '
                             '"name", "format").')
        text, kind = data["text"], str(data.get("kind") or "auto")
        name, fmt = str(data.get("name") or "-"), str(data.get("format") or "page")
        return (lambda: service.check_text(text, kind, name)), fmt
    if ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        try:
            form = await request.form(max_files=1, max_fields=8,
                                      max_part_size=service.config.max_file_size)
        except BodyTooLarge:
            raise
        except Exception as exc:  # malformed multipart
            raise CheckError(f"Could not read the uploaded form: {exc}") from exc
        fmt = str(form.get("format") or "page")
        upload = form.get("file")
        if upload is not None and not isinstance(upload, str):
            data = await upload.read()
            filename = upload.filename or "upload.txt"
            await form.close()
            return (lambda: service.check_upload(data, filename)), fmt
        text = form.get("text")
        if isinstance(text, str):
            kind, name = str(form.get("kind") or "auto"), str(form.get("name") or "-")
            return (lambda: service.check_text(text, kind, name)), fmt
        raise CheckError('Send a file in the form field "file", or text in "text".')
    raise CheckError("Send JSON (application/json) or a form upload (multipart/form-data).", 415)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
