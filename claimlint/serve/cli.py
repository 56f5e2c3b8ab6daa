"""``claimlint serve``: start the local web page (uvicorn serving the Starlette app)."""

from __future__ import annotations

import ipaddress
import secrets
import socket
import sys
import threading

import click

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    host = host.strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0: any free port), so the address printed is the real one.

    The protocol is named (IPPROTO_TCP): asyncio sets TCP_NODELAY only on connections of a
    socket that says it is TCP, and without it every response waits ~40 ms for a delayed ACK.
    """
    infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM,
                               proto=socket.IPPROTO_TCP)
    family, _, proto, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(addr)
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs --token.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@click.option("--token", default=None, metavar="TOKEN",
              help="Access token every request must carry ('auto': generate one). Required "
                   "when listening on anything but loopback.")
@click.option("--config", "config_path", type=click.Path(), default=None,
              help="Use this config file instead of the nearest one.")
@click.option("--time-limit", default=30.0, show_default=True, type=click.FloatRange(min=0,
              min_open=True), help="Seconds one check may take before the page is told it "
              "did not finish.")
@click.option("--access-log", is_flag=True, help="Print one line per request.")
def serve(host: str, port: int, open_browser: bool, token: str | None, config_path: str | None,
          time_limit: float, access_log: bool) -> None:
    """Start a local web page where copy is pasted or uploaded and checked in the browser."""
    from claimlint.cli import _fail, _load_config

    loopback = is_loopback(host)
    if not loopback:
        click.echo(f"warning: --host {host} makes this server reachable from other machines; "
                   "anyone who can reach it could use it.", err=True)
        if not token:
            _fail(f"refusing to listen on {host} without an access token: add --token TOKEN, "
                  "or --token auto to generate one (every request must then carry it).")
    if token == "auto":
        token = secrets.token_urlsafe(24)
    if token is not None and len(token) < 16:
        _fail("--token must be at least 16 characters long (or 'auto').")
    config = _load_config(config_path, [])
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ImportError:
        _fail('claimlint serve needs its web dependencies: pip install "claimlint[serve]"')
        return

    from claimlint.rulepack import RuleFileError
    from claimlint.serve.app import create_app
    from claimlint.serve.service import CheckService

    click.echo("Loading the rule pack…", err=True)
    try:
        service = CheckService(config, time_limit=time_limit)
        service.pack  # noqa: B018 - fail now, not on the first request, on a bad rule file
        service.warm_up()
    except RuleFileError as exc:
        _fail(f"invalid rule file: {exc}")
        return
    try:
        sock = bind(host, port)
    except OSError as exc:
        _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        return
    allowed = (LOOPBACK_HOSTS | {host.lower()}) if loopback else None
    app = create_app(service, token=token, allowed_hosts=allowed)
    real_port = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    url = f"http://{shown}:{real_port}/" + (f"?token={token}" if token else "")
    click.echo(f"claimlint serve: {url}", err=True)
    click.echo(f"config: {config.source or '(none: defaults)'}; press Ctrl-C to stop.", err=True)
    sys.stderr.flush()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=access_log,
                                           timeout_keep_alive=5, server_header=False,
                                           timeout_graceful_shutdown=5))
    if open_browser:
        import webbrowser

        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    server.run(sockets=[sock])
