"""Security for a server whose every byte of content is hostile: headers, token, Host check.

* Every response carries a strict Content-Security-Policy (no inline script or style, no
  plugins, no framing), ``nosniff``, ``no-referrer`` and ``X-Frame-Options: DENY``.
* With a token configured, every request must carry it: ``Authorization: Bearer T``, or the
  cookie set after opening one link with ``?token=T`` (HttpOnly, SameSite=Strict; it holds an
  HMAC of the token, not the token). Comparisons are constant-time.
* Without a token (loopback only — :func:`storyline.app.serve` refuses otherwise), the Host
  header must name the loopback interface, so a web page cannot reach the app through DNS
  rebinding.
* A token has at least :data:`MIN_TOKEN_LENGTH` characters (E512): a one-character token was
  accepted, and guessing it takes a few dozen requests. It is best given through
  ``$STORYLINE_TOKEN`` or a file (``--token-file``): a ``--token`` on the command line is
  visible to every user of the machine in the process list, so ``serve`` warns about it.
* The server's log never holds a token: the ``?token=`` of the link that sets the cookie is
  redacted from every access-log line (:class:`RedactTokens`, in :func:`log_config`).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import ipaddress
import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
COOKIE = "storyline_session"
log = logging.getLogger("storyline.app")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


MIN_TOKEN_LENGTH = 16
REDACTED = "[redacted]"


def check_token(token: str) -> str:
    """The token, stripped; E512 when it is too short to resist guessing."""
    from ..errors import StorylineError

    token = token.strip()
    if len(token) < MIN_TOKEN_LENGTH:
        raise StorylineError("E512", reason=f"it has {len(token)} characters", minimum=MIN_TOKEN_LENGTH)
    return token


def read_token_file(path: str | Path) -> str:
    """The token held by a file (its first line; E512 when unreadable or too short)."""
    from ..errors import StorylineError

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StorylineError("E512", reason=f"cannot read {path}: {exc}", minimum=MIN_TOKEN_LENGTH) from None
    lines = text.splitlines()
    return check_token(lines[0] if lines else "")


def redact_tokens(text: str) -> str:
    """``text`` (a path with its query string, a log line) with every ``token=`` value
    replaced, the key percent-encoded or not (``%74oken=`` is read as ``token=`` too)."""
    if "=" not in text:
        return text
    head, sep, query = text.partition("?")
    if not sep:
        return text
    tail = ""
    for stop in (" ", "#"):
        if stop in query:
            query, tail = query[: query.index(stop)], query[query.index(stop):] + tail
    parts = []
    for part in query.split("&"):
        key, eq, _ = part.partition("=")
        parts.append(f"{key}={REDACTED}" if eq and unquote_plus(key).strip().lower() == "token" else part)
    return head + sep + "&".join(parts) + tail


class RedactTokens(logging.Filter):
    """Redacts ``token=`` values from a log record's message and arguments (uvicorn's access
    log passes the request path with its query string as an argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_tokens(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact_tokens(record.msg)
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with :class:`RedactTokens` on both of its handlers."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": f"{__name__}.RedactTokens"}
    for handler in config.get("handlers", {}).values():
        handler["filters"] = [*handler.get("filters", []), "redact_tokens"]
    return config


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cookie_value(token: str) -> str:
    return hmac.new(token.encode("utf-8"), b"storyline web session", hashlib.sha256).hexdigest()


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class SecurityMiddleware:
    """Pure ASGI (no per-request task switching): Host check, token check, headers."""

    def __init__(self, app: ASGIApp, *, token: str | None, allowed_hosts: frozenset[str] | None) -> None:
        self.app = app
        self.token = token
        self.cookie = cookie_value(token) if token else None
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from .responses import error_response, unexpected_response

        headers = Headers(scope=scope)
        path = scope.get("path", "")
        if self.allowed_hosts is not None and _host_name(headers.get("host", "")) not in self.allowed_hosts:
            resp = error_response(path, 400, "E502", reason="this server only answers requests addressed to localhost")
            await resp(scope, receive, send)
            return
        set_cookie = False
        if self.token is not None:
            ok = False
            auth = headers.get("authorization", "")
            if auth[:7].lower() == "bearer ":
                ok = _same(auth[7:].strip(), self.token)
            if not ok and self.cookie is not None:
                for part in headers.get("cookie", "").split(";"):
                    name, _, value = part.strip().partition("=")
                    if name == COOKIE and _same(value, self.cookie):
                        ok = True
            query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            given = [v for k, v in query if k == "token"]
            if not ok and given and _same(given[-1], self.token):
                ok = set_cookie = True
            if not ok:
                resp = error_response(path, 401, "E503")
                resp.headers["WWW-Authenticate"] = 'Bearer realm="storyline"'
                await resp(scope, receive, send)
                return
            if set_cookie and scope.get("method") == "GET" and not path.startswith("/api/"):
                # take the token out of the address bar (and history) once the cookie is set
                from starlette.responses import RedirectResponse

                rest = urlencode([(k, v) for k, v in query if k != "token"])
                resp = RedirectResponse(path + (f"?{rest}" if rest else ""), status_code=303)
                resp.set_cookie(COOKIE, self.cookie or "", httponly=True, samesite="strict", path="/")
                for k, v in SECURITY_HEADERS.items():
                    resp.headers[k] = v
                await resp(scope, receive, send)
                return

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                h = MutableHeaders(scope=message)
                for k, v in SECURITY_HEADERS.items():
                    h[k] = v
                if set_cookie:
                    h.append("set-cookie", f"{COOKIE}={self.cookie}; HttpOnly; SameSite=Strict; Path=/")
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # one error shape for the unexpected too, with the headers above
            if started:
                raise
            log.exception("error serving %s", path, exc_info=exc)
            await unexpected_response(path, exc, scope.get("app"))(scope, receive, send)


def apply_headers(headers: Any) -> None:
    for k, v in SECURITY_HEADERS.items():
        headers[k] = v
