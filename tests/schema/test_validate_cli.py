"""`belfry validate` and `belfry serve` as a pull-request check and an operator see them:
exit codes, output formats, and serve refusing what validate refuses."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BELFRY = Path(os.environ.get("BELFRY_BIN", ROOT / ".build" / "debug" / "belfry"))
if not BELFRY.is_absolute():
    BELFRY = ROOT / BELFRY
INVALID = ROOT / "examples" / "invalid"


def belfry(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(BELFRY), *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def test_valid_config_exits_0_with_a_summary():
    result = belfry("validate", "examples/config")
    assert result.returncode == 0
    assert result.stdout == "valid: 3 apps, 1 user in 3 files\n"


def test_invalid_config_exits_1_with_located_lines():
    result = belfry("validate", ".", cwd=INVALID / "limit-out-of-range")
    assert result.returncode == 1
    assert result.stdout == (INVALID / "limit-out-of-range" / "expected.txt").read_text()


def test_usage_errors_exit_2():
    assert belfry("validate").returncode == 2
    assert belfry("validate", "examples/config", "--format", "xml").returncode == 2
    assert belfry("validate", "examples/config", "--author", "a@b.c").returncode == 2
    missing = belfry("validate", "does/not/exist")
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_github_annotations_name_files_from_the_repository_root():
    # This repository's own examples: GitHub resolves annotation paths from the repository root.
    result = belfry("validate", ".", "--format", "github", cwd=INVALID / "unknown-field")
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "::error file=examples/invalid/unknown-field/app.yaml,line=10,col=3,title=belfry validate::"
        '/spec/colour: unknown field "colour"'
    )


def test_github_annotations_in_a_config_repo_with_a_subdirectory(tmp_path: Path):
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["cp", "-r", str(INVALID / "unknown-field"), str(repo / "config")], check=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    first = belfry("validate", "config", "--format", "github", cwd=repo).stdout.splitlines()[0]
    assert first.startswith("::error file=config/app.yaml,line=10,col=3,"), first
    # Outside any repository, or with an explicit root.
    plain = tmp_path / "plain"
    subprocess.run(["cp", "-r", str(INVALID / "unknown-field"), str(plain)], check=True)
    assert belfry("validate", str(plain), "--format", "github").stdout.startswith("::error file=app.yaml,")
    rooted = belfry("validate", str(plain), "--format", "github", "--annotations-root", str(tmp_path))
    assert rooted.stdout.startswith("::error file=plain/app.yaml,"), rooted.stdout


def test_base_revision_from_git(tmp_path: Path):
    repo = tmp_path / "repo"
    subprocess.run(["cp", "-r", str(ROOT / "examples" / "config"), str(repo)], check=True)
    git = ["git", "-C", str(repo), "-c", "user.email=alice@example.com", "-c", "user.name=Alice"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    (repo / "users.yaml").unlink()
    (repo / "bob.yaml").write_text(
        (ROOT / "examples" / "config" / "users.yaml").read_text().replace("alice", "bob")
    )
    result = belfry("validate", str(repo), "--author", "alice@example.com", "--base", "HEAD")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "users cannot delete themselves" in result.stdout
    assert belfry("validate", str(repo), "--author", "bob@example.com", "--base", "HEAD").returncode == 0


def test_serve_refuses_an_invalid_config_with_the_same_messages(tmp_path: Path):
    case = INVALID / "duplicate-app-id"
    result = belfry("serve", "--source", str(case), "--port", "0", "--data-dir", str(tmp_path))
    assert result.returncode == 1
    expected_error = (case / "expected.txt").read_text().splitlines()[0]
    assert expected_error in result.stderr


def test_origins_validate_beside_host_patterns_and_a_path_is_explained(tmp_path: Path):
    app = (ROOT / "examples" / "config" / "chat.yaml").read_text()
    users = (ROOT / "examples" / "config" / "users.yaml").read_text()
    (tmp_path / "users.yaml").write_text(users)
    origins = '["https://shop.example.com", "http://localhost:8080", "example.com", "*.example.com"]'
    (tmp_path / "chat.yaml").write_text(app.replace('allowedOrigins: ["*"]', f"allowedOrigins: {origins}"))
    result = belfry("validate", str(tmp_path))
    assert result.returncode == 0, result.stdout
    assert result.stdout == "valid: 1 app, 1 user in 2 files\n"

    (tmp_path / "chat.yaml").write_text(app.replace('allowedOrigins: ["*"]', 'allowedOrigins: ["https://shop.example.com/"]'))
    result = belfry("validate", str(tmp_path))
    assert result.returncode == 1
    assert '/spec/allowedOrigins/0: "https://shop.example.com/" must be an origin, scheme://host[:port] without a path' \
        in result.stdout
