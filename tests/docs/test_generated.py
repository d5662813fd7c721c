"""The site as a whole: generated reference pages are current, every manifest a page shows is valid,
the cross-object rules the configuration reference lists are enforced, and the built site needs
no network (no CDN, no web fonts, the search index included)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from docs_support import BELFRY_BIN, DOCS, REPO_ROOT, run

FENCE = re.compile(r"^(?P<indent>[ \t]*)```yaml[^\n]*\n(?P<body>.*?)^(?P=indent)```", re.S | re.M)
INCLUDE = re.compile(r'^\s*--8<-- "(?P<path>[^"]+)"\s*$', re.M)


def included(path: str) -> Path:
    for base in (DOCS, REPO_ROOT):
        if (base / path).is_file():
            return base / path
    raise AssertionError(f"snippet {path} not found")


def yaml_blocks() -> list[tuple[str, str]]:
    """Every ```yaml block of every page, includes expanded, as (where, text)."""
    blocks = []
    for page in sorted(DOCS.rglob("*.md")):
        if "snippets" in page.parts:
            continue
        text = page.read_text()
        for match in FENCE.finditer(text):
            body = "\n".join(line.removeprefix(match["indent"]) for line in match["body"].splitlines())
            body = INCLUDE.sub(lambda m: included(m["path"]).read_text(), body)
            line = text[:match.start()].count("\n") + 1
            blocks.append((f"{page.relative_to(REPO_ROOT)}:{line}", body))
    return blocks


MANIFESTS = [(where, body) for where, body in yaml_blocks() if "apiVersion: belfry.dev/v1" in body]


def test_the_generated_reference_pages_are_current():
    done = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "docs_reference.py"), "--check",
                           "--belfry", str(BELFRY_BIN)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout


def test_the_pages_show_manifests():
    assert len(MANIFESTS) >= 5, [where for where, _ in MANIFESTS]


@pytest.mark.parametrize("where,body", MANIFESTS, ids=[where for where, _ in MANIFESTS])
def test_every_manifest_a_page_shows_validates(where, body, tmp_path):
    """A block marked `# invalid:` shows a mistake on purpose: validate must refuse it."""
    (tmp_path / "shown.yaml").write_text(body)
    if "kind: User" not in body:  # a configuration needs a User; the page shows only its Apps
        (tmp_path / "users.yaml").write_text((REPO_ROOT / "examples" / "config" / "users.yaml").read_text())
    env = {"PATH": "/usr/bin:/bin", **{name: "shown" for name in re.findall(r"env: (\w+)", body)}}
    done = subprocess.run([str(BELFRY_BIN), "validate", str(tmp_path)], capture_output=True, text=True, timeout=30,
                          env=env)
    if "# invalid:" in body:
        assert done.returncode == 1, f"{where}: shown as invalid but validate accepts it"
    else:
        assert done.returncode == 0, f"{where}: {done.stdout}{done.stderr}"


def test_every_schema_field_has_an_example_in_the_configuration_reference():
    page = (DOCS / "reference" / "configuration.md").read_text()
    rows = [line.split(" | ") for line in page.splitlines() if line.startswith("| `")]
    leaves = [row for row in rows if row[1] not in ("object", "list of object")]
    assert leaves and all(row[4].strip() for row in leaves), [row[0] for row in leaves if not row[4].strip()]


APP = """apiVersion: belfry.dev/v1
kind: App
metadata: {{ name: {name} }}
spec: {{ id: "{id}", key: {key}, secret: {{ value: s }}{extra} }}
"""
USER = """apiVersion: belfry.dev/v1
kind: User
metadata: {{ name: {name} }}
spec:
  email: {email}
  passwordHash: "$2b$12$InrMaDE5au.eiam70MG4CetAzsnPY6D5QCa63w8J7rV8RyX5jCV1C"
  apiTokens: [{tokens}]
"""
DIGEST = "1ba437ecfb762399267bea2125ec1c389559a8bda0deabb583516c93630ed02b"


@pytest.mark.parametrize("documents,error", [
    ([APP.format(name="a", id="1", key="k1", extra=""), APP.format(name="a", id="2", key="k2", extra="")],
     "duplicate App name"),
    ([APP.format(name="a", id="1", key="k1", extra=""), APP.format(name="b", id="1", key="k2", extra="")],
     "duplicate app id"),
    ([APP.format(name="a", id="1", key="k1", extra=""), APP.format(name="b", id="2", key="k1", extra="")],
     "duplicate app key"),
    ([USER.format(name="a", email="x@example.com", tokens=""), USER.format(name="b", email="X@Example.com", tokens="")],
     "duplicate user email"),
    ([USER.format(name="a", email="a@example.com", tokens=f"{{ name: ci, sha256: '{DIGEST}' }}"),
      USER.format(name="b", email="b@example.com", tokens=f"{{ name: ci, sha256: '{DIGEST}' }}")],
     "duplicate API token digest"),
    ([APP.format(name="a", id="1", key="k1",
                 extra=", webhooks: [{ url: 'http://h/x', events: [cache_miss], headers: { Host: x } }]")],
     "cannot be replaced"),
], ids=["app name", "app id", "app key", "email without case", "token digest", "reserved webhook header"])
def test_the_cross_object_rules_the_reference_lists_are_enforced(documents, error, tmp_path):
    (tmp_path / "set.yaml").write_text("---\n".join(documents))
    done = subprocess.run([str(BELFRY_BIN), "validate", str(tmp_path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 1 and error in done.stdout + done.stderr, done.stdout + done.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)], env=None,
        cwd=REPO_ROOT, timeout=300)
    return out


def test_the_site_builds_strict_and_loads_nothing_from_the_network(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 30
    remote = re.compile(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//', re.I)
    offenders = {str(p.relative_to(site)): remote.findall(p.read_text()) for p in pages}
    assert not {p: hits for p, hits in offenders.items() if hits}
    css = "".join(p.read_text() for p in site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "fonts.gstatic" not in css


def test_the_site_is_searchable_offline(site):
    index = list((site / "search").glob("search_index.*"))
    assert index, list((site / "search").iterdir())
    text = index[0].read_text()
    assert "maxPresenceMembers" in text and "pusher:subscribe" in text
