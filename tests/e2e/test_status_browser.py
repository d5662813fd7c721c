"""The status page on the admin port, in a real browser: headless Chromium driven by Selenium
against a real ``belfry serve``.

Signing in (a wrong password is refused with an alert, the session cookie is HttpOnly and
SameSite=Strict), the overview (readiness, sync status, the live revision, reconcile passes, the
apps), an app's page whose connection count follows a real WebSocket client without a reload,
and signing out. Every page is photographed at a phone size (375×812) and a desktop size
(1280×900) into ``tests/e2e/artifacts/``; at the phone size no page may scroll sideways.

Chromium and chromedriver come from the Debian packages ``chromium`` and ``chromium-driver``
(``make test`` installs them). Without them the tests fail; they are never skipped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from conftest import USER_EMAIL, USER_PASSWORD

try:
    from selenium import webdriver
    from selenium.common.exceptions import (NoSuchElementException, StaleElementReferenceException,
                                            TimeoutException, WebDriverException)
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as exc:  # reported by the driver fixture as a failure, never a skip
    SELENIUM_MISSING: str | None = (f"selenium is not installed ({exc}); "
                                    "run `python3 -m pip install -r tests/e2e/requirements.txt`")
else:
    SELENIUM_MISSING = None

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SIZES = ((375, 812), (1280, 900))  # a phone, a desktop
PAGE_TIMEOUT = 10.0
LIVE_TIMEOUT = 20.0  # the app page polls every few seconds
CHART_TIMEOUT = 40.0  # statistics are flushed every 5 s, the charts re-fetched every 5th poll
SESSION_COOKIE = "belfry_session"
SYNC_STATES = {"Synced", "OutOfSync", "Failed", "Unknown"}


# --------------------------------------------------------------------------------------
# Browser
# --------------------------------------------------------------------------------------


@pytest.fixture
def driver() -> Iterable["WebDriver"]:
    """Headless Chromium through chromedriver; fails (never skips) when either is missing."""
    if SELENIUM_MISSING:
        pytest.fail(SELENIUM_MISSING, pytrace=False)
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"not installed: {', '.join(missing)}; install the Debian packages chromium and "
                    "chromium-driver (`make deps` / `make test` does)", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-proxy-server", "--disable-extensions", "--window-size=1280,900"):
        options.add_argument(arg)
    try:
        drv = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    except WebDriverException as exc:
        pytest.fail(f"headless Chromium did not start ({CHROMIUM}, {CHROMEDRIVER}): {exc.msg}", pytrace=False)
    drv.set_page_load_timeout(PAGE_TIMEOUT * 3)
    yield drv
    drv.quit()


def wait(drv: "WebDriver", timeout: float = PAGE_TIMEOUT) -> "WebDriverWait":
    return WebDriverWait(drv, timeout, poll_frequency=0.1,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))


def until(drv: "WebDriver", condition: Callable[["WebDriver"], Any], message: str,
          timeout: float = PAGE_TIMEOUT) -> Any:
    """``WebDriverWait.until`` whose failure says what was awaited and where the browser is."""
    try:
        return wait(drv, timeout).until(condition)
    except TimeoutException:
        raise AssertionError(f"timed out after {timeout}s waiting for {message}; browser at "
                             f"{drv.current_url!r}, page starts:\n{drv.page_source[:3000]}") from None


def left_the_document(element: Any) -> Callable[["WebDriver"], bool]:
    """``EC.staleness_of``, also when Chromium reports the element gone in the middle of the
    navigation as "does not belong to the document" (an unknown error, not a stale reference)."""

    def check(_: "WebDriver") -> bool:
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise

    return check


def path_of(url: str) -> str:
    return urlsplit(url).path


def at_path(path: str) -> Callable[["WebDriver"], bool]:
    """The page at ``path`` has finished loading."""
    return lambda d: (path_of(d.current_url) == path
                      and d.execute_script("return document.readyState") == "complete")


def text_of(drv: "WebDriver", css: str) -> str:
    return drv.find_element(By.CSS_SELECTOR, css).text.strip()


def set_viewport(drv: "WebDriver", width: int, height: int) -> None:
    """Make the viewport (not the outer window) ``width``×``height`` CSS pixels."""
    drv.set_window_size(width, height)
    inner = drv.execute_script("return [window.innerWidth, window.innerHeight]")
    if inner != [width, height]:  # headless windows may still keep some chrome: add it back
        drv.set_window_size(width + (width - inner[0]), height + (height - inner[1]))
    until(drv, lambda d: d.execute_script("return [window.innerWidth, window.innerHeight]") == [width, height],
          f"a {width}×{height} viewport")


def photograph(drv: "WebDriver", name: str) -> list[Path]:
    """Screenshots of the current page at each size; at the phone size it must not scroll sideways."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shots = []
    for width, height in SIZES:
        set_viewport(drv, width, height)
        if width == 375:
            scroll, inner = drv.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]")
            assert scroll <= inner + 1, (f"{name} scrolls sideways at {width} px: scrollWidth {scroll} > "
                                         f"innerWidth {inner}")
        shot = ARTIFACTS / f"status-{name}-{width}.png"
        assert drv.save_screenshot(str(shot)), f"screenshot {shot} failed"
        assert shot.stat().st_size > 1000, f"screenshot {shot} is (nearly) empty"
        shots.append(shot)
    set_viewport(drv, *SIZES[-1])
    return shots


# --------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------


def admin_url(srv: Any, path: str = "/") -> str:
    return f"http://127.0.0.1:{srv.admin_port}{path}"


def assert_login_form(drv: "WebDriver") -> None:
    form = drv.find_element(By.CSS_SELECTOR, "form#login-form")
    assert (form.get_attribute("method") or "").lower() == "post", form.get_attribute("outerHTML")[:500]
    assert path_of(form.get_attribute("action") or "") == "/login", form.get_attribute("outerHTML")[:500]
    email = form.find_element(By.CSS_SELECTOR, "input#email")
    password = form.find_element(By.CSS_SELECTOR, "input#password")
    assert email.get_attribute("name") == "email"
    assert password.get_attribute("name") == "password"
    assert password.get_attribute("type") == "password"
    csrf = form.find_element(By.CSS_SELECTOR, "input[name='csrf']")
    assert csrf.get_attribute("type") == "hidden" and csrf.get_attribute("value"), csrf.get_attribute("outerHTML")
    form.find_element(By.CSS_SELECTOR, "button#login-submit")


def sign_in(drv: "WebDriver", email: str, password: str) -> None:
    until(drv, EC.presence_of_element_located((By.CSS_SELECTOR, "form#login-form")), "the login form")
    field_e = drv.find_element(By.CSS_SELECTOR, "input#email")
    field_p = drv.find_element(By.CSS_SELECTOR, "input#password")
    field_e.clear()
    field_e.send_keys(email)
    field_p.clear()
    field_p.send_keys(password)
    old = drv.find_element(By.TAG_NAME, "html")
    drv.find_element(By.CSS_SELECTOR, "button#login-submit").click()
    until(drv, left_the_document(old), "the page after submitting the login form")
    until(drv, lambda d: d.execute_script("return document.readyState") == "complete", "the page to load")


def sign_out(drv: "WebDriver") -> None:
    form = drv.find_element(By.CSS_SELECTOR, "form#logout-form")
    button = form.find_element(By.CSS_SELECTOR, "button#logout")
    assert (form.get_attribute("method") or "").lower() == "post", form.get_attribute("outerHTML")[:500]
    assert path_of(form.get_attribute("action") or "") == "/logout", form.get_attribute("outerHTML")[:500]
    button.click()
    until(drv, at_path("/login"), "the login page after signing out")


def connections_now(drv: "WebDriver") -> int | None:
    text = text_of(drv, "#connections-now")
    return int(text) if re.fullmatch(r"\d+", text) else None


def csrf_of(html: str) -> str:
    for tag in re.findall(r"<input\b[^>]*>", html):
        if re.search(r"""name=["']?csrf\b""", tag):
            value = re.search(r"""value=["']([^"']*)["']""", tag)
            assert value, f"csrf input has no value: {tag}"
            return value.group(1)
    raise AssertionError(f"no csrf input in the login page:\n{html[:2000]}")


def http_session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    return s


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------


def test_signed_out_pages_redirect_to_login_and_a_wrong_password_is_refused(server_factory, driver):
    srv = server_factory()
    # Over plain HTTP: the status codes a browser hides.
    http = http_session()
    # `/` may leave out next=/: it is where a sign-in goes anyway.
    for path, nexts in (("/", ([], ["/"])), ("/apps/main", (["/apps/main"],))):
        r = http.get(admin_url(srv, path), allow_redirects=False, timeout=10)
        assert r.status_code == 303, f"GET {path} signed out: {r.status_code}, expected 303\n{r.text[:500]}"
        target = urlsplit(r.headers.get("Location", ""))
        assert target.path == "/login", f"GET {path} redirects to {r.headers.get('Location')!r}"
        assert parse_qs(target.query).get("next", []) in nexts, \
            f"GET {path} redirects to {r.headers.get('Location')!r}, expected next={nexts[-1][0]}"
    page = http.get(admin_url(srv, "/login"), timeout=10)
    assert page.status_code == 200, page.status_code
    bad = http.post(admin_url(srv, "/login"), allow_redirects=False, timeout=10,
                    headers={"Origin": admin_url(srv, "").rstrip("/")},  # as a browser sends it
                    data={"email": USER_EMAIL, "password": "not-the-password", "csrf": csrf_of(page.text)})
    assert bad.status_code == 401, f"wrong password: {bad.status_code}, expected 401\n{bad.text[:500]}"
    assert "belfry_session" not in bad.cookies, bad.headers

    # In the browser: / lands on the login form, a wrong password shows an alert.
    driver.get(admin_url(srv, "/"))
    until(driver, at_path("/login"), "the redirect from / to /login")
    assert_login_form(driver)
    photograph(driver, "login")
    sign_in(driver, USER_EMAIL, "not-the-password")
    error = until(driver, EC.visibility_of_element_located((By.CSS_SELECTOR, "#login-error")),
                  "#login-error after a wrong password")
    assert error.get_attribute("role") == "alert", error.get_attribute("outerHTML")
    assert error.text.strip(), "the login error is empty"
    assert path_of(driver.current_url) == "/login", driver.current_url
    assert_login_form(driver)  # the form is shown again, with a fresh csrf token
    assert not [c for c in driver.get_cookies() if c["name"] == SESSION_COOKIE], driver.get_cookies()
    photograph(driver, "login-error")


def test_sign_in_overview_app_page_follows_live_connections_and_sign_out(server_factory, driver, ws):
    srv = server_factory()
    driver.get(admin_url(srv, "/"))
    until(driver, at_path("/login"), "the redirect from / to /login")
    sign_in(driver, USER_EMAIL, USER_PASSWORD)
    until(driver, at_path("/"), "the overview after signing in")

    # The session cookie: HttpOnly, SameSite=Strict.
    cookies = {c["name"]: c for c in driver.get_cookies()}
    assert SESSION_COOKIE in cookies, f"no {SESSION_COOKIE} cookie after signing in: {driver.get_cookies()}"
    session = cookies[SESSION_COOKIE]
    assert session.get("httpOnly") is True, session
    assert session.get("sameSite") == "Strict", session
    assert not driver.execute_script("return document.cookie").count(SESSION_COOKIE), "cookie readable by script"

    # The overview.
    assert text_of(driver, "#ready") == "Ready", text_of(driver, "#ready")
    assert text_of(driver, "#sync-status") in SYNC_STATES, text_of(driver, "#sync-status")
    # The directory source's revision: dir:PATH@sha256:HEX, or its short label PATH@HEX12.
    revision = text_of(driver, "#live-revision")
    assert re.fullmatch(rf"(dir:)?{re.escape(str(srv.config_dir))}@(sha256:)?[0-9a-f]{{12,64}}", revision), \
        f"#live-revision is {revision!r}, expected the revision of {srv.config_dir}"
    driver.find_element(By.CSS_SELECTOR, "table#passes")
    app_rows = driver.find_elements(By.CSS_SELECTOR, "table#apps tr[data-app]")
    names = {r.get_attribute("data-app") for r in app_rows}
    assert "main" in names, f"apps table lists {sorted(names)}"
    row = driver.find_element(By.CSS_SELECTOR, "table#apps tr[data-app='main']")
    cell = row.find_element(By.CSS_SELECTOR, "[data-live='connections']")
    assert re.fullmatch(r"\d+", cell.text.strip()), f"main's connections cell: {cell.text!r}"
    sign_out_form = driver.find_elements(By.CSS_SELECTOR, "form#logout-form button#logout")
    assert sign_out_form, "the overview has no logout button"
    photograph(driver, "overview")

    # The app page, opened from the apps table.
    row.find_element(By.CSS_SELECTOR, "a[href='/apps/main']").click()
    until(driver, at_path("/apps/main"), "the app page of main")
    assert "main" in text_of(driver, "h1"), text_of(driver, "h1")
    before = until(driver, lambda d: (n := connections_now(d)) is not None and (n,), "#connections-now")[0]
    for rng in ("hour", "day", "month"):
        links = driver.find_elements(By.CSS_SELECTOR, f"a[href='?range={rng}']")
        assert links, f"no link with href ?range={rng}"
    csv_link = driver.find_element(By.CSS_SELECTOR, "a#export-csv").get_attribute("href")
    json_link = driver.find_element(By.CSS_SELECTOR, "a#export-json").get_attribute("href")

    # A WebSocket client connects: the count follows without a reload.
    driver.execute_script("window.__belfryNotReloaded = true;")
    client = ws("main", srv=srv)
    until(driver, lambda d: connections_now(d) == before + 1,
          f"#connections-now to show {before + 1} after a client connected", timeout=LIVE_TIMEOUT)
    assert driver.execute_script("return window.__belfryNotReloaded === true"), "the app page was reloaded"

    # A fresh server has no statistics yet, so no chart: once the connection is flushed to the
    # database (every 5 s) the script swaps the charts in (every 5th poll), still without a reload.
    charts = until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "svg.chart[role='img']"),
                   "svg.chart[role=img] on the app page", timeout=CHART_TIMEOUT)
    assert driver.execute_script("return window.__belfryNotReloaded === true"), "the app page was reloaded"
    titles = [c.find_element(By.CSS_SELECTOR, "title").get_attribute("textContent").strip()
              for c in charts if c.find_elements(By.CSS_SELECTOR, "title")]
    assert any(titles), f"no chart has a <title>: {[c.get_attribute('outerHTML')[:300] for c in charts]}"
    photograph(driver, "app")

    client.close()
    until(driver, lambda d: connections_now(d) == before,
          f"#connections-now to show {before} after the client left", timeout=LIVE_TIMEOUT)
    assert driver.execute_script("return window.__belfryNotReloaded === true"), "the app page was reloaded"

    # The exports answer the signed-in browser's session.
    http = http_session()
    http.cookies.set(SESSION_COOKIE, session["value"])
    r = http.get(csv_link, timeout=10)
    assert r.status_code == 200 and r.text.strip(), f"CSV export {csv_link}: {r.status_code} {r.text[:300]}"
    r = http.get(json_link, timeout=10)
    assert r.status_code == 200, f"JSON export {json_link}: {r.status_code} {r.text[:300]}"
    json.loads(r.text)

    # A range link keeps the page and its chart.
    driver.find_element(By.CSS_SELECTOR, "a[href='?range=day']").click()
    until(driver, lambda d: parse_qs(urlsplit(d.current_url).query).get("range") == ["day"]
          and d.execute_script("return document.readyState") == "complete", "the app page for a day")
    assert driver.find_elements(By.CSS_SELECTOR, "svg.chart[role='img']"), "no chart for ?range=day"

    # Signing out lands on the login page, and / asks to sign in again.
    sign_out(driver)
    assert_login_form(driver)
    photograph(driver, "logged-out")
    driver.get(admin_url(srv, "/"))
    until(driver, at_path("/login"), "the redirect from / to /login after signing out")
    # The old session is dead on the server too, not only deleted from the browser.
    stale = http.get(admin_url(srv, "/"), allow_redirects=False, timeout=10)
    assert stale.status_code == 303, f"GET / with the signed-out session: {stale.status_code}"


def test_sign_in_returns_to_the_page_asked_for(server_factory, driver):
    srv = server_factory()
    driver.get(admin_url(srv, "/apps/main"))
    until(driver, at_path("/login"), "the redirect from /apps/main to /login")
    sign_in(driver, USER_EMAIL, USER_PASSWORD)
    until(driver, at_path("/apps/main"), "the app page after signing in")
    assert "main" in text_of(driver, "h1"), text_of(driver, "h1")
