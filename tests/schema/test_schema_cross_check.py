"""Cross-checks Belfry's JSON Schema verdicts against Python's `jsonschema` (an independent
draft 2020-12 implementation) on the project's own schemas and fixtures.

For every manifest file under examples/config and examples/invalid, `ruamel.yaml` (YAML 1.2,
like Belfry) loads each document and `jsonschema` validates it against schemas/<kind>.schema.json.
Belfry's verdict comes from `belfry validate --format json`. The two must agree on whether each
file breaks the schema. Errors that a schema cannot express (duplicate ids across files, no user,
unresolvable secrets) and YAML-level errors are kept apart.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

ROOT = Path(__file__).resolve().parents[2]
BELFRY = Path(os.environ.get("BELFRY_BIN", ROOT / ".build" / "debug" / "belfry"))
if not BELFRY.is_absolute():
    BELFRY = ROOT / BELFRY
SCHEMAS = {
    kind: json.loads((ROOT / "schemas" / f"{kind.lower()}.schema.json").read_text()) for kind in ("App", "User")
}
# Messages of rules beyond the schemas (cross-object, YAML 1.1 ambiguity checked by the decoder).
NON_SCHEMA = ("duplicate ", "no User manifest", "secret file", "environment variable", "invalid YAML")
YAML11 = "in YAML 1.1; quote it"
SOURCES = [ROOT / "examples" / "config"] + sorted(p for p in (ROOT / "examples" / "invalid").iterdir() if p.is_dir())


def python_verdicts(source: Path) -> dict[str, bool | None]:
    """File → True (schema-valid), False (schema-invalid), None (not YAML 1.2 parseable)."""
    verdicts: dict[str, bool | None] = {}
    for path in sorted(source.rglob("*.y*ml")):
        name = str(path.relative_to(source))
        try:
            documents = [d for d in YAML(typ="safe").load_all(path.read_text()) if d is not None]
        except YAMLError:
            verdicts[name] = None
            continue
        valid = True
        for document in documents:
            schema = SCHEMAS.get(document.get("kind")) if isinstance(document, dict) else None
            if schema is None:
                valid = False
                continue
            validator = jsonschema.Draft202012Validator(schema)
            if any(True for _ in validator.iter_errors(document)):
                valid = False
        verdicts[name] = valid
    return verdicts


def belfry_report(source: Path) -> dict:
    result = subprocess.run(
        [str(BELFRY), "validate", str(source), "--format", "json"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert report["valid"] == (result.returncode == 0)
    return report


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_verdicts_agree_with_python_jsonschema(source: Path):
    report = belfry_report(source)
    schema_errors: dict[str, list[str]] = {}
    yaml_errors: set[str] = set()
    for d in report["diagnostics"]:
        if d["severity"] != "error":
            continue
        if d["message"].startswith("invalid YAML") or d["message"].startswith("duplicate key"):
            yaml_errors.add(d["file"])
        elif d["message"].startswith("unknown kind") or not (d["message"].startswith(NON_SCHEMA) or YAML11 in d["message"]):
            schema_errors.setdefault(d["file"], []).append(f'{d["path"]}: {d["message"]}')
    for file, python_valid in python_verdicts(source).items():
        if python_valid is None:
            assert file in yaml_errors, f"{file}: ruamel.yaml cannot parse it but Belfry reported no YAML error"
            continue
        belfry_valid = file not in schema_errors
        assert belfry_valid == python_valid, (
            f"{source.name}/{file}: jsonschema says {'valid' if python_valid else 'invalid'}, "
            f"Belfry says {'valid' if belfry_valid else 'invalid: ' + '; '.join(schema_errors[file])}"
        )


def test_fixtures_cover_both_verdicts():
    verdicts = [v for s in SOURCES for v in python_verdicts(s).values()]
    assert verdicts.count(True) >= 5 and verdicts.count(False) >= 8
