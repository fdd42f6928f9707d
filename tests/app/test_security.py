"""Token, Host check, and hostile documents: nothing a document holds becomes markup."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient

from storyline.app import create_app, is_loopback, serve
from storyline.app.security import check_token, log_config, redact_tokens
from storyline.cli import main
from storyline.errors import StorylineError

from .conftest import BASE, JS_URL, PAYLOADS


def test_loopback_detection() -> None:
    for host in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"):
        assert is_loopback(host)
    for host in ("0.0.0.0", "192.168.1.5", "::", "example.org"):
        assert not is_loopback(host)


def test_serve_refuses_public_host_without_token(sample_store) -> None:  # type: ignore[no-untyped-def]
    for host in ("0.0.0.0", "192.168.1.5", "::"):
        with pytest.raises(StorylineError) as err:
            serve(sample_store.path, host=host, port=1, token=None)
        assert err.value.code == "E505"


def test_token_required(sample_store) -> None:  # type: ignore[no-untyped-def]
    app = create_app(sample_store.path, token="s3cret-token")
    with TestClient(app, base_url=BASE, raise_server_exceptions=False, follow_redirects=False) as c:
        r = c.get("/api/health")
        assert r.status_code == 401 and r.json()["error"]["code"] == "E503"
        assert r.headers["content-security-policy"]
        assert c.get("/").status_code == 401
        assert c.get("/static/app/app.js").status_code == 401
        assert c.get("/api/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/health", params={"token": "s3cret-tokeN"}).status_code == 401
        assert c.get("/api/health", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
        # ?token= once: a cookie (HttpOnly, SameSite=Strict, not the token itself), then the address is cleaned
        r = c.get("/search", params={"q": "Raqqa", "token": "s3cret-token"})
        assert r.status_code == 303 and r.headers["location"] == "/search?q=Raqqa"
        cookie = r.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
        assert "s3cret-token" not in cookie
        assert c.get("/search", params={"q": "Raqqa"}).status_code == 200  # the client kept the cookie
        assert c.get("/api/health").status_code == 200
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:
        c.cookies.set("storyline_session", "forged")
        assert c.get("/api/health").status_code == 401


def test_loopback_without_token_is_open_but_checks_host(sample_store) -> None:  # type: ignore[no-untyped-def]
    app = create_app(sample_store.path)
    with TestClient(app, base_url="http://localhost:8000", raise_server_exceptions=False) as c:
        assert c.get("/api/health").status_code == 200
    with TestClient(app, base_url="http://attacker.example", raise_server_exceptions=False) as c:
        r = c.get("/api/health")
        assert r.status_code == 400 and r.json()["error"]["code"] == "E502"


UNSAFE = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def assert_clean(html: str, where: str) -> None:
    for p in PAYLOADS:
        assert p not in html, (where, p)
    assert not UNSAFE.search(html), where
    assert "<svg onload" not in html.lower() and "<img src=x" not in html.lower(), where


def _pages(c: TestClient) -> list[str]:
    ids = [d["id"] for d in c.get("/api/docs", params={"limit": 1000}).json()["items"]]
    ents = [e["id"] for e in c.get("/api/entities", params={"limit": 1000}).json()["items"]]
    places = [p["id"] for p in c.get("/api/places", params={"limit": 1000}).json()["items"]]
    from urllib.parse import quote

    pages = ["/", "/stories", "/entities", "/places", "/map", "/timeline", "/search?q=alert", "/search?q=convoy",
             "/search?q=" + quote(PAYLOADS[0]), "/search?q=" + quote(PAYLOADS[2]), "/docs/" + quote(PAYLOADS[1]),
             "/entities/" + quote(PAYLOADS[0]), "/nope/" + quote(PAYLOADS[2])]
    pages += [f"/docs/{i}" for i in ids] + [f"/entities/{quote(e, safe=':')}" for e in ents]
    pages += [f"/places/{quote(p, safe=':')}" for p in places]
    return pages


def test_hostile_document_is_escaped_everywhere(hostile_client: TestClient) -> None:
    c = hostile_client
    docs = c.get("/api/docs", params={"limit": 1000}).json()["items"]
    hostile = [d for d in docs if d["url"] == JS_URL]
    assert hostile and hostile[0]["title"].startswith(PAYLOADS[0])  # the payloads really are in the store
    for path in _pages(c):
        r = c.get(path)
        assert r.status_code in (200, 404), (path, r.status_code, r.text[:300])
        assert_clean(r.text, path)
    page = c.get(f"/docs/{hostile[0]['id']}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, as text
    assert JS_URL in page and "not linked" in page
    snippet = c.get("/api/search", params={"q": "alert"}).json()
    assert snippet["total"] >= 1
    for h in snippet["items"]:
        assert_clean(h["snippet_html"], "snippet")


def test_hostile_document_in_reports(hostile_client: TestClient) -> None:
    c = hostile_client
    paths = ["/report"] + [f"/stories/{s['id']}" for s in c.get("/api/stories").json()["items"]]
    for path in paths:
        r = c.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert_clean(r.text, path)


def test_json_script_blocks_cannot_be_closed(hostile_client: TestClient) -> None:
    from storyline.report.html import script_json as json_script

    out = str(json_script({"a": "</script><script>alert(1)</script>", "b": "\u2028&"}))
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out
    html = hostile_client.get("/map").text
    block = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    assert block and "<" not in block.group(1)


def test_safe_url() -> None:
    from storyline.app.markup import safe_url

    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_url("http://example.org") == "http://example.org"
    for bad in (JS_URL, "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)", "data:text/html,x",
                "//evil.example", "/relative", "https://x.org/\"onmouseover=1", "vbscript:x", None, ""):
        assert safe_url(bad) is None, bad


# -- tokens (issue #15, case 17) -------------------------------------------------------------
GOOD_TOKEN = "k3Lq9-vT2xW8pZr4mN6s"


def test_short_tokens_are_refused(sample_store) -> None:  # type: ignore[no-untyped-def]
    """A one-character token was accepted (and guessed in a few dozen requests)."""
    for token in ("x", "s3cret", " " * 20 + "abc"):
        with pytest.raises(StorylineError) as err:
            serve(sample_store.path, host="0.0.0.0", port=1, token=token)
        assert err.value.code == "E512" and "16" in str(err.value)
    assert check_token(f"  {GOOD_TOKEN}\n") == GOOD_TOKEN


def test_token_from_file_or_environment_and_a_warning_for_the_command_line(  # type: ignore[no-untyped-def]
    sample_store, tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served: list[str | None] = []
    monkeypatch.setattr("storyline.app.serve", lambda db, host, port, token: served.append(token))
    monkeypatch.delenv("STORYLINE_TOKEN", raising=False)
    db = ["serve", "--db", sample_store.path]
    f = tmp_path / "token"
    f.write_text(GOOD_TOKEN + "\n")
    assert main([*db, "--token-file", str(f)]) == 0 and served[-1] == GOOD_TOKEN
    assert "process list" not in capsys.readouterr().err
    monkeypatch.setenv("STORYLINE_TOKEN", GOOD_TOKEN)
    assert main(db) == 0 and served[-1] == GOOD_TOKEN
    assert "process list" not in capsys.readouterr().err
    assert main([*db, "--token", GOOD_TOKEN]) == 0 and served[-1] == GOOD_TOKEN
    assert "visible to other users" in capsys.readouterr().err  # ps shows the command line
    f.write_text("short\n")
    assert main([*db, "--token-file", str(f)]) == 1 and "E512" in capsys.readouterr().err
    assert main([*db, "--token-file", str(tmp_path / "missing")]) == 1 and "E512" in capsys.readouterr().err
    assert len(served) == 3


def test_redact_tokens() -> None:
    assert redact_tokens("/search?q=x&token=abc&page=2") == "/search?q=x&token=[redacted]&page=2"
    assert redact_tokens("/?%74oken=abc") == "/?%74oken=[redacted]"  # what the middleware reads as token
    assert redact_tokens("/?tokens=abc&x=token=y") == "/?tokens=abc&x=token=y"
    assert redact_tokens("/api/health") == "/api/health"


def test_access_log_never_holds_the_token(  # type: ignore[no-untyped-def]
    sample_store, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real uvicorn server with the log configuration ``serve`` uses: the link that sets the
    cookie (``?token=``) reaches the access log redacted."""
    import logging
    import threading
    import urllib.request

    import uvicorn

    app = create_app(sample_store.path, token=GOOD_TOKEN)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=log_config(), log_level="info")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        port = server.servers[0].sockets[0].getsockname()[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health?token={GOOD_TOKEN}&x=1") as r:
            assert r.status == 200
    finally:
        server.should_exit = True
        thread.join(10)
        for name in ("uvicorn", "uvicorn.access", "uvicorn.error"):  # they wrote to the captured streams
            logging.getLogger(name).handlers.clear()
    out = capsys.readouterr()
    log = out.out + out.err
    assert "/api/health?token=[redacted]&x=1" in log
    assert GOOD_TOKEN not in log
