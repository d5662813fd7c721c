#!/usr/bin/env python3
"""Writes Sources/belfry/Resources/openapi.json: the OpenAPI 3.1 document of the admin port's
`/api/v1` (served at GET /api/v1/openapi.json, embedded in the binary by Package.swift).

The App and User manifests are not described twice: their JSON Schemas (schemas/*.schema.json)
are copied into `components/schemas` (each `$defs` entry as `App.<def>` / `User.<def>`, its
`$ref`s rewritten), so the document stands alone and never drifts from the schemas; run
`make schemas` after editing one (tests/e2e/test_management_api.py fails while they differ).

Usage: scripts/openapi.py [--check]
"""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

root = Path(__file__).resolve().parent.parent
out = root / "Sources" / "belfry" / "Resources" / "openapi.json"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def manifest_components(kind: str) -> dict[str, Any]:
    """The JSON Schema of a kind as components: `<Kind>` (the manifest) and `<Kind>.<def>`."""
    schema = json.loads((root / "schemas" / f"{kind.lower()}.schema.json").read_text())

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (f"#/components/schemas/{kind}.{v[len('#/$defs/'):]}"
                        if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/") else rewrite(v))
                    for k, v in node.items()}
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    defs = schema.pop("$defs")
    for key in ("$schema", "$id"):
        schema.pop(key)
    components = {kind: rewrite(schema)}
    components.update({f"{kind}.{name}": rewrite(definition) for name, definition in defs.items()})
    return components


def masked_components() -> dict[str, Any]:
    """What GET answers: the manifest with secrets masked and, for Apps, a read-only `status`."""
    components: dict[str, Any] = {}
    app = manifest_components("App")
    create_spec = copy.deepcopy(app["App.spec"])
    create_spec.pop("required")
    create_spec["description"] += " id and key may be left out: fresh ones are generated."
    components["App.createSpec"] = create_spec
    components["AppCreate"] = {**copy.deepcopy(app["App"]), "title": "Belfry App (to create)"}
    components["AppCreate"]["properties"]["spec"] = ref("App.createSpec")
    for kind in ("App", "User"):
        spec = f"{kind}.spec"
        if kind == "User":
            user_spec = copy.deepcopy(manifest_components("User")["User.spec"])
            user_spec["properties"]["passwordHash"] = {
                "const": "********", "description": "The bcrypt hash, always masked."}
            components["User.maskedSpec"] = user_spec
            spec = "User.maskedSpec"
        properties: dict[str, Any] = {
            "apiVersion": {"const": "belfry.dev/v1"}, "kind": {"const": kind},
            "metadata": ref(f"{kind}.metadata"), "spec": ref(spec),
        }
        if kind == "App":
            properties["status"] = ref("AppStatus")
        components[f"{kind}Object"] = {
            "type": "object",
            "description": f"A {kind} manifest as the source holds it"
            + (", `spec.secret.value` masked as \"********\" (`env` / `file` references shown), plus a read-only"
               " `status` (ignored by writes)." if kind == "App" else ", `spec.passwordHash` masked as \"********\"."),
            "additionalProperties": False,
            "required": ["apiVersion", "kind", "metadata", "spec"] + (["status"] if kind == "App" else []),
            "properties": properties,
        }
    return components


def integer(description: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": 0, "description": description}


SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "RFC 7807 problem details (application/problem+json).",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "const": "about:blank"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "errors": {
                "type": "array", "items": {"type": "string"},
                "description": "422 only: every error of the resulting manifest set, located as `belfry validate`"
                               " prints it (`file:line:column: error: /json/pointer: message`).",
            },
        },
    },
    "Error": {
        "type": "object", "required": ["error"],
        "description": "The admin port's plain JSON error (401 before any route runs, unknown routes).",
        "properties": {"error": {"type": "string"}},
    },
    "AppStatus": {
        "type": "object",
        "description": "Read-only: whether the App is applied on this server, and its live figures when it is.",
        "required": ["applied"],
        "properties": {
            "applied": {"type": "boolean"}, "id": {"type": "string"}, "enabled": {"type": "boolean"},
            **{name: integer(name) for name in [
                "connections", "channels", "newConnections", "messagesReceived", "messagesDelivered", "bytesIn",
                "bytesOut", "httpBytesIn", "httpBytesOut"]},
        },
    },
    "AppList": {
        "type": "object", "required": ["apps"], "additionalProperties": False,
        "properties": {"apps": {"type": "array", "items": ref("AppObject")}},
    },
    "UserList": {
        "type": "object", "required": ["users"], "additionalProperties": False,
        "properties": {"users": {"type": "array", "items": ref("UserObject")}},
    },
    "MergePatch": {
        "type": "object",
        "description": "An RFC 7396 JSON merge patch of the manifest (null removes a field); kind and metadata.name"
                       " cannot change. A `status` member is ignored.",
    },
    "Plan": {
        "type": "object",
        "description": "What applying the change would do (as `belfry reconcile --output json` prints it).",
        "required": ["summary", "hasChanges", "changes"],
        "properties": {
            "summary": {"type": "string"}, "hasChanges": {"type": "boolean"},
            "source": {"type": ["object", "null"]}, "refusal": {"type": ["string", "null"]},
            "changes": {"type": "array", "items": {
                "type": "object", "required": ["action", "kind", "name", "fields"],
                "properties": {
                    "action": {"type": "string"}, "kind": {"enum": ["App", "User"]}, "name": {"type": "string"},
                    "fields": {"type": "array", "items": {
                        "type": "object", "required": ["path", "sensitive"],
                        "properties": {"path": {"type": "string"}, "old": {}, "new": {},
                                       "sensitive": {"type": "boolean"}}}},
                }}},
            "effects": {"type": "array"}, "endedSessions": {"type": "array", "items": {"type": "string"}},
            "counts": {"type": "object"},
        },
    },
    "Pass": {
        "type": "object", "required": ["result"],
        "description": "The reconcile pass that applied the write (`pending` if none finished within 30 s):"
                       " `applied` with the revision it applied. When an interval pass that started meanwhile"
                       " applied the write first, it is that pass. `noChange` means the server already"
                       " matched what was written.",
        "properties": {"result": {"type": "string"}, "revision": {"type": "string"}, "error": {"type": "string"}},
    },
    "WriteResult": {
        "type": "object",
        "description": "The answer of a write. With ?dryRun=true only dryRun, change, files, plan and object: nothing"
                       " is written. Otherwise also commit (null for a directory source) and pass.",
        "required": ["dryRun", "change", "files", "plan"],
        "properties": {
            "dryRun": {"type": "boolean"},
            "change": {"type": "string", "description": "The edit, in words."},
            "files": {"type": "array", "items": {
                "type": "object", "required": ["path", "action"], "additionalProperties": False,
                "properties": {"path": {"type": "string", "description": "Relative to the manifests directory."},
                               "action": {"enum": ["create", "update", "delete"]}}}},
            "plan": ref("Plan"),
            "object": {"description": "The object as written (secrets masked); absent for a delete.",
                       "anyOf": [ref("App.masked"), ref("User.masked")]},
            "commit": {"type": ["string", "null"], "description": "The commit id (git sources); null for a directory."},
            "pass": ref("Pass"),
            "generatedSecret": {"type": "string", "description": "POST /apps without spec.secret: the generated secret,"
                                " shown this once (later: GET /internal/v1/apps/{name}/secret with the admin token)."},
            "warning": {"type": "string", "description": "DELETE of an App in a cluster: what did not reach the other"
                        " nodes (Redis could not forget the app's generated and retiring secrets)."},
        },
    },
    "App.masked": {"type": "object", "required": ["apiVersion", "kind", "metadata", "spec"],
                   "properties": {"kind": {"const": "App"}, "spec": ref("App.spec")}},
    "User.masked": {"type": "object", "required": ["apiVersion", "kind", "metadata", "spec"],
                    "properties": {"kind": {"const": "User"}, "spec": ref("User.maskedSpec")}},
    "RotateRequest": {
        "type": "object", "additionalProperties": False,
        "properties": {"gracePeriodSeconds": {
            "type": "integer", "minimum": 0, "maximum": 2592000, "default": 0,
            "description": "How long the previous secret keeps verifying HTTP API signatures and channel auth."}},
    },
    "RotateResult": {
        "type": "object",
        "description": "A dry run answers dryRun, app, gracePeriodSeconds and source. Otherwise: the new secret (shown"
                       " once), until when the previous one verifies, and the pass; a `value` secret also answers"
                       " the write (files, plan, commit).",
        "properties": {
            "dryRun": {"type": "boolean"}, "app": {"type": "string"},
            "gracePeriodSeconds": {"type": "integer"}, "source": {"enum": ["generated", "value"]},
            "secret": {"type": "string"},
            "previousSecretValidUntil": {"type": ["string", "null"], "format": "date-time"},
            "change": {"type": "string"}, "files": {"type": "array"}, "plan": ref("Plan"),
            "object": ref("App.masked"), "commit": {"type": ["string", "null"]}, "pass": ref("Pass"),
        },
    },
    "ReconcileStatus": {
        "type": "object",
        "required": ["lastResult", "lastAttemptedRevision", "lastAppliedRevision", "consecutiveFailures", "history"],
        "properties": {
            "lastResult": {"type": ["string", "null"]}, "lastAttemptedRevision": {"type": ["string", "null"]},
            "lastAppliedRevision": {"type": ["string", "null"]}, "consecutiveFailures": {"type": "integer"},
            "history": {"type": "array", "items": {
                "type": "object", "required": ["startedAt", "durationMs", "trigger", "result"],
                "properties": {"startedAt": {"type": "string", "format": "date-time"},
                               "durationMs": {"type": "integer"}, "trigger": {"type": "string"},
                               "result": {"type": "string"}}}},
        },
    },
    "LiveStatus": {
        "type": "object", "required": ["asOf", "ready", "apps"],
        "description": "Every figure the status pages keep live.",
        "properties": {"asOf": {"type": "string"}, "ready": {"type": "boolean"},
                       "apps": {"type": "object", "additionalProperties": {"type": "object"}}},
    },
}


def json_body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/problem+json": {"schema": ref("Problem")}}}


UNAUTHORIZED = {"description": "No credentials, or a wrong token",
                "content": {"application/json": {"schema": ref("Error")}}}
ETAG = {"ETag": {"description": "A strong validator of the object as the source holds it (secrets included).",
                 "schema": {"type": "string"}}}
NAME = {"name": "name", "in": "path", "required": True, "description": "metadata.name",
        "schema": {"type": "string"}}
DRY_RUN = {"name": "dryRun", "in": "query", "required": False,
           "description": "true (or 1): validate and answer the plan; nothing is written or applied.",
           "schema": {"type": "boolean", "default": False}}
IF_MATCH = {"name": "If-Match", "in": "header", "required": False,
            "description": "ETags (comma-separated) or *: the write is refused with 412 unless the object is still"
                           " as one of them names it.", "schema": {"type": "string"}}


def write_errors(*extra: tuple[str, str]) -> dict[str, Any]:
    answers = {
        "400": problem("The body is not JSON, or not an object of this kind"),
        "401": UNAUTHORIZED,
        "403": problem("Refused: the source cannot be written (no write access; `detail` says why), or a User rule"),
        "409": problem("Conflict: the object exists, or the source kept changing"),
        "422": problem("The resulting manifest set does not validate (`errors` are located); nothing was written"),
        "503": problem("The source cannot be read"),
    }
    answers.update({code: problem(text) for code, text in extra})
    return answers


def article(kind: str) -> str:
    """"an App", "a User"."""
    return ("an " if kind[0] in "AEIOU" else "a ") + kind


def collection(kind: str) -> dict[str, Any]:
    plural = f"{kind.lower()}s"
    return {
        "get": {
            "operationId": f"list{kind}s", "tags": [f"{kind}s"], "summary": f"Every {kind} of the source",
            "responses": {"200": json_body(ref(f"{kind}List"), f"The {kind}s, by name"), "401": UNAUTHORIZED,
                          "503": problem("The source cannot be read")},
        },
        "post": {
            "operationId": f"create{kind}", "tags": [f"{kind}s"], "summary": f"Create {article(kind)}",
            "description": f"The body is the manifest object itself (what `{plural}/<name>.yaml` will hold)."
            + (" Without spec.id or spec.key fresh ones are generated (a 7-digit id, a 20-hex-digit key); without"
               " spec.secret a secret is generated, kept by the server (never in the source) and answered once as"
               " generatedSecret." if kind == "App" else ""),
            "parameters": [DRY_RUN],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": ref("AppCreate" if kind == "App" else kind)}}},
            "responses": {
                "201": {**json_body(ref("WriteResult"), "Written and applied"), "headers": ETAG},
                "200": json_body(ref("WriteResult"), "A dry run: the plan; nothing written"),
                **write_errors(),
            },
        },
    }


def item(kind: str) -> dict[str, Any]:
    return {
        "parameters": [NAME],
        "get": {
            "operationId": f"get{kind}", "tags": [f"{kind}s"], "summary": f"One {kind}",
            "responses": {"200": {**json_body(ref(f"{kind}Object"), f"The {kind}"), "headers": ETAG},
                          "401": UNAUTHORIZED, "404": problem(f"No {kind} of this name in the source"),
                          "503": problem("The source cannot be read")},
        },
        "patch": {
            "operationId": f"patch{kind}", "tags": [f"{kind}s"], "summary": f"Change {article(kind)} (JSON merge patch)",
            "parameters": [DRY_RUN, IF_MATCH],
            "requestBody": {"required": True, "content": {
                "application/merge-patch+json": {"schema": ref("MergePatch")},
                "application/json": {"schema": ref("MergePatch")}}},
            "responses": {
                "200": {**json_body(ref("WriteResult"), "Written and applied (or a dry run's plan)"),
                        "headers": ETAG},
                "404": problem(f"No {kind} of this name"),
                "412": problem("If-Match names another version; nothing was written"),
                **write_errors(),
            },
        },
        "delete": {
            "operationId": f"delete{kind}", "tags": [f"{kind}s"], "summary": f"Delete {article(kind)}",
            "description": "Removes the manifest (its file when it holds nothing else)."
            + (" The App's connections are closed (4001) and its generated and retiring secrets forgotten."
               if kind == "App" else " A User cannot delete themselves, nor the last User (403)."),
            "parameters": [DRY_RUN, IF_MATCH],
            "responses": {
                "200": json_body(ref("WriteResult"), "Deleted and applied (or a dry run's plan)"),
                "404": problem(f"No {kind} of this name"),
                "412": problem("If-Match names another version; nothing was written"),
                **write_errors(),
            },
        },
    }


def document() -> dict[str, Any]:
    schemas = {**manifest_components("App"), **manifest_components("User"), **masked_components(), **SCHEMAS}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Belfry management API",
            "version": "1",
            "description": "The admin port's /api/v1: Apps and Users as their manifest objects, written to the"
                           " configuration source (validated as `belfry validate` does, then applied by a reconcile"
                           " pass), plus the reconciler's and the server's status. Every write takes ?dryRun=true."
                           " Errors of the management routes are RFC 7807 application/problem+json.",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": "http://127.0.0.1:9601", "description": "The admin port (--admin-port)"}],
        "security": [{"bearer": []}, {"session": []}],
        "tags": [{"name": "Apps"}, {"name": "Users"}, {"name": "Server"}],
        "paths": {
            "/api/v1/apps": collection("App"),
            "/api/v1/apps/{name}": item("App"),
            "/api/v1/apps/{name}/rotate-secret": {
                "parameters": [NAME],
                "post": {
                    "operationId": "rotateAppSecret", "tags": ["Apps"], "summary": "Rotate an App's secret",
                    "description": "A `value` secret is rewritten in the manifest; a generated one is replaced in the"
                                   " server's database. Until the grace period ends the previous secret keeps"
                                   " verifying. Connections stay open. `env` / `file` secrets: 409 (rotate at the"
                                   " source).",
                    "parameters": [DRY_RUN, IF_MATCH],
                    "requestBody": {"required": False, "content": {"application/json": {"schema": ref("RotateRequest")}}},
                    "responses": {
                        "200": json_body(ref("RotateResult"), "Rotated (or a dry run)"),
                        "404": problem("No App of this name"),
                        "412": problem("If-Match names another version; nothing was written"),
                        **write_errors(("409", "The secret comes from env or file, or the App is not applied yet"),
                                       ("503", "The source cannot be read, or (in a cluster) Redis cannot take the"
                                               " rotation; nothing was changed")),
                    },
                },
            },
            "/api/v1/users": collection("User"),
            "/api/v1/users/{name}": item("User"),
            "/api/v1/status": {"get": {
                "operationId": "liveStatus", "tags": ["Server"], "summary": "The status page's live figures",
                "responses": {"200": json_body(ref("LiveStatus"), "Live figures"), "401": UNAUTHORIZED}}},
            "/api/v1/stats": {"get": {
                "operationId": "stats", "tags": ["Server"], "summary": "Statistics (`belfry stats` over HTTP)",
                "parameters": [
                    {"name": "app", "in": "query", "schema": {"type": "string"},
                     "description": "One App (404 if unknown); all Apps and their total without it."},
                    {"name": "from", "in": "query", "schema": {"type": "string", "default": "-24h"},
                     "description": "ISO 8601 or relative (-24h, -7d)."},
                    {"name": "to", "in": "query", "schema": {"type": "string", "default": "now"}},
                    {"name": "by", "in": "query", "schema": {"enum": ["minute", "hour", "day"], "default": "hour"}},
                    {"name": "profile", "in": "query", "schema": {"type": "boolean", "default": False}},
                    {"name": "format", "in": "query", "schema": {"enum": ["json", "csv"], "default": "json"}},
                ],
                "responses": {
                    "200": {"description": "The statistics", "content": {
                        "application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}}},
                    "400": {"description": "Bad from/to/by", "content": {"application/json": {"schema": ref("Error")}}},
                    "401": UNAUTHORIZED,
                    "404": {"description": "Unknown app", "content": {"application/json": {"schema": ref("Error")}}},
                }}},
            "/api/v1/reconcile": {
                "get": {"operationId": "reconcileStatus", "tags": ["Server"], "summary": "The reconciler's last passes",
                        "responses": {"200": json_body(ref("ReconcileStatus"), "Status and history"),
                                      "401": UNAUTHORIZED}},
                "post": {"operationId": "reconcileNow", "tags": ["Server"], "summary": "Trigger a reconcile pass",
                         "responses": {"202": json_body({"type": "object", "required": ["triggered"], "properties": {
                             "triggered": {"const": True}}}, "Triggered"), "401": UNAUTHORIZED}},
            },
            "/api/v1/openapi.json": {"get": {
                "operationId": "openapi", "tags": ["Server"], "summary": "This document",
                "responses": {"200": json_body({"type": "object"}, "OpenAPI 3.1"), "401": UNAUTHORIZED}}},
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "The admin token (DATA_DIR/admin-token) or a User's API token"
                                          " (`belfry token new`, its sha256 under spec.apiTokens)."},
                "session": {"type": "apiKey", "in": "cookie", "name": "belfry_session",
                            "description": "A status page session (sign in at /login)."},
            },
            "schemas": schemas,
        },
    }


def render() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    text = render()
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if out.exists() and out.read_text() == text else f"{out.relative_to(root)} is stale: make schemas")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"wrote {out.relative_to(root)}")
