"""The status page's doors, over plain HTTP (the browser walk-through is test_status_browser.py):
nothing but health is served without a session or a token, login is CSRF-protected, throttled
and sets a strict cookie, logout is final (even across a restart), a User removed or re-hashed by
a commit is signed out at the next request, and what a commit says is shown escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from conftest import USER_EMAIL, USER_PASSWORD, wait_until
from test_git_source import Repo, pass_for
from test_reconcile import Served

# The example configuration's user (examples/config/users.yaml).
EXAMPLE_EMAIL = "alice@example.com"
EXAMPLE_PASSWORD = "belfry-demo"


class Browser:
    """A cookie-keeping client of the admin port that signs in the way the login form does."""

    def __init__(self, admin_port: int):
        self.base = f"http://127.0.0.1:{admin_port}"
        self.http = requests.Session()

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(self.base + path, allow_redirects=False, timeout=10, **kw)

    def post(self, path: str, data: dict, **kw) -> requests.Response:
        return self.http.post(self.base + path, data=data, allow_redirects=False, timeout=10, **kw)

    def form_token(self, path: str = "/login") -> str:
        page = self.get(path)
        assert page.status_code == 200, page.text
        match = re.search(r'name="csrf" value="([^"]*)"', page.text)
        assert match, page.text
        return match.group(1)

    def login(self, email: str, password: str, next_path: str = "/") -> requests.Response:
        token = self.form_token()
        return self.post("/login", {"csrf": token, "email": email, "password": password, "next": next_path})

    def logout(self) -> requests.Response:
        return self.post("/logout", {"csrf": self.form_token("/")})


@pytest.fixture
def own(server_factory):
    return server_factory()


PAGES = ["/", "/apps/main", "/apps/main/charts", "/apps/nope"]
API = [("GET", "/api/v1/status"), ("GET", "/api/v1/apps"), ("GET", "/api/v1/stats"),
       ("GET", "/api/v1/reconcile"), ("POST", "/api/v1/reconcile")]
INTERNAL = [("GET", "/internal/v1/state"), ("POST", "/internal/v1/apply"),
            ("GET", "/internal/v1/apps/main/secret")]


def test_every_admin_route_but_health_is_refused_without_a_session_or_token(own):
    base = f"http://127.0.0.1:{own.admin_port}"
    for path in ["/healthz", "/readyz", "/login", "/assets/status.css", "/assets/status.js", "/metrics"]:
        assert requests.get(base + path, timeout=5).status_code == 200, path
    for path in PAGES:
        answer = requests.get(base + path, allow_redirects=False, timeout=5)
        assert answer.status_code == 303, path
        assert answer.headers["Location"].startswith("/login"), path
    assert requests.get(base + "/apps/main?range=day", allow_redirects=False, timeout=5).headers["Location"] == \
        "/login?next=/apps/main%3Frange%3Dday"
    for method, path in API + INTERNAL + [("POST", "/logout")]:
        answer = requests.request(method, base + path, allow_redirects=False, timeout=5)
        assert answer.status_code in (401, 303), (method, path, answer.status_code)
        if path.startswith(("/api/", "/internal/")):
            assert answer.status_code == 401 and "error" in answer.json(), (method, path)
    # A forged cookie is no session.
    forged = requests.get(base + "/api/v1/apps", cookies={"belfry_session": "v1.YWxpY2U.AAAA"}, timeout=5)
    assert forged.status_code == 401
    # The internal API takes only the admin token, never a session.
    browser = Browser(own.admin_port)
    assert browser.login(USER_EMAIL, USER_PASSWORD).status_code == 303
    assert browser.get("/internal/v1/state").status_code == 401
    assert browser.get("/api/v1/apps").status_code == 200
    assert browser.get("/apps/main").status_code == 200


def test_login_sets_a_strict_cookie_and_logout_is_final_even_across_a_restart(own):
    browser = Browser(own.admin_port)
    wrong = browser.login(USER_EMAIL, "not-the-password")
    assert wrong.status_code == 401 and 'id="login-error"' in wrong.text
    assert "belfry_session" not in browser.http.cookies

    signed_in = browser.login(USER_EMAIL, USER_PASSWORD, next_path="/apps/main")
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/apps/main"
    cookie = next(c for c in signed_in.raw.headers.getlist("Set-Cookie") if c.startswith("belfry_session="))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path", "max-age", "samesite"} <= flags and "secure" not in flags  # plain HTTP here
    assert "SameSite=Strict" in cookie and "Path=/" in cookie
    stolen = browser.http.cookies["belfry_session"]

    page = browser.get("/")
    assert page.status_code == 200 and 'id="live-revision"' in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"

    # Logout needs the page's form token.
    assert browser.post("/logout", {"csrf": "wrong"}).status_code == 403
    out = browser.logout()
    assert out.status_code == 303 and out.headers["Location"] == "/login"
    assert browser.get("/").status_code == 303
    replay = requests.get(f"{browser.base}/", cookies={"belfry_session": stolen}, allow_redirects=False, timeout=5)
    assert replay.status_code == 303

    own.stop()
    own.start()
    replay = requests.get(f"http://127.0.0.1:{own.admin_port}/api/v1/status", cookies={"belfry_session": stolen},
                          timeout=5)
    assert replay.status_code == 401


def test_login_needs_its_form_token_and_refuses_other_sites_and_open_redirects(own):
    browser = Browser(own.admin_port)
    browser.form_token()
    no_token = browser.post("/login", {"email": USER_EMAIL, "password": USER_PASSWORD})
    assert no_token.status_code == 403 and "belfry_session" not in browser.http.cookies
    token = browser.form_token()
    cross = browser.post("/login", {"csrf": token, "email": USER_EMAIL, "password": USER_PASSWORD},
                         headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    away = browser.login(USER_EMAIL, USER_PASSWORD, next_path="//evil.example/x")
    assert away.status_code == 303 and away.headers["Location"] == "/"


def test_failed_logins_are_throttled_and_logged_without_the_password(own):
    browser = Browser(own.admin_port)
    mark = own.log_size()
    for _ in range(5):
        assert browser.login(USER_EMAIL, "guess-123").status_code == 401
    # Five failures block for 1 s (whole seconds, so perhaps less): two more, each once the
    # block before it is over, make the block 4 s, long enough for the checks below.
    for _ in range(2):
        wait_until(lambda: browser.login(USER_EMAIL, "guess-123").status_code == 401, timeout=10, interval=0.2,
                   message="the block to be over")
    blocked = browser.login(USER_EMAIL, USER_PASSWORD)
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.text
    # Another email from the same address is blocked too: the address has failed 5 times.
    assert browser.login("bob@example.com", "x").status_code == 429
    log = own.log_tail(mark)
    assert "status page login failed" in log and USER_EMAIL in log
    assert "guess-123" not in log and USER_PASSWORD not in log
    assert "too many failures" in log


def test_a_user_removed_or_rehashed_by_a_commit_is_signed_out(tmp_path: Path):
    repo = Repo(tmp_path)
    served = Served(tmp_path, f"file://{repo.remote}")
    try:
        browser = Browser(served.admin_port)
        assert browser.login(EXAMPLE_EMAIL, EXAMPLE_PASSWORD).status_code == 303
        assert browser.get("/").status_code == 200

        # What a commit says reaches the page escaped.
        repo.edit("chat.yaml", "clientEvents: true", "clientEvents: false")
        head = repo.commit("<script>alert(1)</script> & friends")
        wait_until(lambda: (pass_for(served, head) or {}).get("result") == "applied", timeout=15,
                   message="the commit is applied")
        page = browser.get("/")
        assert page.status_code == 200
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends" in page.text
        assert "<script>alert(1)" not in page.text

        # A new password hash in git ends the session.
        old_hash = re.search(r'passwordHash: "([^"]+)"', (repo.work / "users.yaml").read_text()).group(1)
        new_hash = "$2b$04$QKVkcsFtFD1khBjQlmQ8RePfSFx06YUdsDP/dDlFqgEJ3G08xmz7y"
        repo.edit("users.yaml", old_hash, new_hash)
        head = repo.commit("rotate alice's password", author="Bob <bob@example.com>")
        wait_until(lambda: (pass_for(served, head) or {}).get("result") == "applied", timeout=15,
                   message="the new hash is applied")
        assert browser.get("/").status_code == 303
        assert browser.login(EXAMPLE_EMAIL, EXAMPLE_PASSWORD).status_code == 401
        assert browser.login(EXAMPLE_EMAIL, USER_PASSWORD).status_code == 303  # the new hash's password
        assert browser.get("/").status_code == 200

        # Removing the User (by someone else: users cannot delete themselves, and one must remain)
        # ends it too.
        users = (repo.work / "users.yaml").read_text()
        (repo.work / "bob.yaml").write_text(users.replace("name: alice", "name: bob").replace(EXAMPLE_EMAIL,
                                                                                            "bob@example.com"))
        head = repo.commit("add bob", author="Bob <bob@example.com>")
        wait_until(lambda: (pass_for(served, head) or {}).get("result") == "applied", timeout=15,
                   message="bob is applied")
        assert browser.get("/").status_code == 200
        (repo.work / "users.yaml").unlink()
        head = repo.commit("remove alice", author="Bob <bob@example.com>")
        removal = wait_until(lambda: pass_for(served, head), timeout=15, message="the removal's pass")
        assert removal["result"] == "applied", removal
        assert browser.get("/").status_code == 303
        assert browser.get("/api/v1/status").status_code == 401
    finally:
        served.stop()


def test_the_live_feed_counts_a_new_connection(own, ws):
    browser = Browser(own.admin_port)
    assert browser.login(USER_EMAIL, USER_PASSWORD).status_code == 303
    before = browser.get("/api/v1/status").json()["apps"]["main"]["connections"]
    client = ws("main", srv=own)
    assert wait_until(lambda: browser.get("/api/v1/status").json()["apps"]["main"]["connections"] == before + 1,
                      message="the connection in /api/v1/status")
    page = browser.get("/apps/main")
    assert f'id="connections-now" class="big" data-live="connections">{before + 1}<' in page.text
    client.close()
