#!/usr/bin/env python3
"""Turn Soketi or Laravel Reverb app definitions into Belfry App manifests (YAML on stdout).

    python3 to_manifest.py soketi-config soketi.json    # soketi start --config=soketi.json
    python3 to_manifest.py soketi-env                   # SOKETI_DEFAULT_APP_* of the environment
    python3 to_manifest.py reverb-apps reverb-apps.json # config('reverb.apps.apps') as JSON

Secrets are not written into the manifests: each app gets `secret: { env: BELFRY_APP_<NAME>_SECRET }`
and the matching `export` line goes to stderr (pass --inline-secrets to write `{ value: … }`).
Settings Belfry has no field for are listed on stderr, never silently dropped.
Python standard library only.
"""

from __future__ import annotations

import json
import os
import re
import sys

# Soketi accepts each app field in three spellings (camelCase, PascalCase, snake_case).
SOKETI_ALIASES = {
    "id": ["id", "AppId"],
    "key": ["key", "AppKey"],
    "secret": ["secret", "AppSecret"],
    "maxConnections": ["maxConnections", "MaxConnections", "max_connections"],
    "enableClientMessages": ["enableClientMessages", "EnableClientMessages", "enable_client_messages"],
    "enabled": ["enabled", "Enabled"],
    "maxBackendEventsPerSecond": ["maxBackendEventsPerSecond", "MaxBackendEventsPerSecond", "max_backend_events_per_sec"],
    "maxClientEventsPerSecond": ["maxClientEventsPerSecond", "MaxClientEventsPerSecond", "max_client_events_per_sec"],
    "maxReadRequestsPerSecond": ["maxReadRequestsPerSecond", "MaxReadRequestsPerSecond", "max_read_req_per_sec"],
    "webhooks": ["webhooks", "Webhooks"],
    "maxPresenceMembersPerChannel": ["maxPresenceMembersPerChannel", "MaxPresenceMembersPerChannel",
                                     "max_presence_members_per_channel"],
    "maxPresenceMemberSizeInKb": ["maxPresenceMemberSizeInKb", "MaxPresenceMemberSizeInKb",
                                  "max_presence_member_size_in_kb"],
    "maxChannelNameLength": ["maxChannelNameLength", "MaxChannelNameLength", "max_channel_name_length"],
    "maxEventChannelsAtOnce": ["maxEventChannelsAtOnce", "MaxEventChannelsAtOnce", "max_event_channels_at_once"],
    "maxEventNameLength": ["maxEventNameLength", "MaxEventNameLength", "max_event_name_length"],
    "maxEventPayloadInKb": ["maxEventPayloadInKb", "MaxEventPayloadInKb", "max_event_payload_in_kb"],
    "maxEventBatchSize": ["maxEventBatchSize", "MaxEventBatchSize", "max_event_batch_size"],
    "enableUserAuthentication": ["enableUserAuthentication", "EnableUserAuthentication",
                                 "enable_user_authentication"],
}

# SOKETI_DEFAULT_APP_* variables (the array driver's first app) and the field each sets.
SOKETI_ENV = {
    "ID": "id", "KEY": "key", "SECRET": "secret", "MAX_CONNS": "maxConnections",
    "ENABLE_CLIENT_MESSAGES": "enableClientMessages", "ENABLED": "enabled",
    "MAX_BACKEND_EVENTS_PER_SEC": "maxBackendEventsPerSecond",
    "MAX_CLIENT_EVENTS_PER_SEC": "maxClientEventsPerSecond",
    "MAX_READ_REQ_PER_SEC": "maxReadRequestsPerSecond", "WEBHOOKS": "webhooks",
    "USER_AUTHENTICATION": "enableUserAuthentication",
}

# Fixed in Belfry (the values hosted Pusher uses), not settable per app.
FIXED = {
    "maxChannelNameLength": "channel names are 1-200 characters",
    "maxEventChannelsAtOnce": "an HTTP API event goes to at most 100 channels",
    "maxEventNameLength": "event names are at most 200 characters",
    "maxEventBatchSize": "a batch_events request holds at most 10 events",
}

# The largest value the schema accepts for each limit (schemas/app.schema.json).
MAXIMA = {"maxConnections": 1000000, "backendEventsPerSecond": 1000000, "clientEventsPerSecond": 1000,
          "apiRequestsPerSecond": 1000000, "maxPresenceMembers": 10000, "maxPresenceInfoBytes": 65536,
          "maxMessageBytes": 1048576}

WEBHOOK_EVENTS = {"channel_occupied", "channel_vacated", "member_added", "member_removed",
                  "client_event", "cache_miss", "subscription_count"}


def warn(message: str) -> None:
    print(f"# {message}", file=sys.stderr)


def number(value) -> int | None:
    """Soketi's numbers may be strings; -1 (or any negative) means unlimited, as Belfry's null."""
    value = int(float(value))
    return None if value < 0 else value


def boolean(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def manifest_name(app_id: str) -> str:
    """metadata.name (a DNS label) from the app id: "shop" stays, "123456" becomes "app-123456"."""
    name = re.sub(r"[^a-z0-9-]+", "-", str(app_id).lower()).strip("-")
    if name.isdigit():
        name = f"app-{name}"
    return name[:63].strip("-") or "app"


def pick(app: dict, field: str):
    """The value of a Soketi field under any of its spellings (the last one given wins, as in Soketi)."""
    found = None
    for alias in SOKETI_ALIASES[field]:
        if app.get(alias) not in (None, ""):
            found = app[alias]
    return found


def webhooks(raw, name: str) -> list[dict]:
    if isinstance(raw, str):
        raw = json.loads(raw) if raw.strip() else []
    out = []
    for hook in raw or []:
        if not hook.get("url"):
            warn(f"{name}: a webhook without url (lambda_function {hook.get('lambda_function')!r}) has no "
                 "Belfry equivalent; put an HTTP endpoint in front of the function")
            continue
        events = [e for e in hook.get("event_types", []) if e in WEBHOOK_EVENTS]
        for dropped in set(hook.get("event_types", [])) - WEBHOOK_EVENTS:
            warn(f"{name}: webhook event {dropped!r} is not a Pusher webhook event; left out")
        if not events:
            continue
        entry = {"url": hook["url"], "events": events}
        flt = hook.get("filter") or {}
        belfry_filter = {}
        if flt.get("channel_name_starts_with"):
            belfry_filter["channelPrefix"] = flt["channel_name_starts_with"]
        if flt.get("channel_name_ends_with"):
            belfry_filter["channelSuffix"] = flt["channel_name_ends_with"]
        if belfry_filter:
            entry["filter"] = belfry_filter
        if hook.get("headers"):
            entry["headers"] = dict(hook["headers"])
        out.append(entry)
    return out


def from_soketi(app: dict) -> dict:
    app_id = str(pick(app, "id") or "app-id")
    name = manifest_name(app_id)
    spec: dict = {"id": app_id, "key": str(pick(app, "key") or "app-key"),
                  "secret": str(pick(app, "secret") or "app-secret")}
    if pick(app, "enabled") is not None:
        spec["enabled"] = boolean(pick(app, "enabled"))
    if pick(app, "enableClientMessages") is not None:
        spec["clientEvents"] = boolean(pick(app, "enableClientMessages"))
    if pick(app, "enableUserAuthentication") is not None:
        spec["userAuthentication"] = boolean(pick(app, "enableUserAuthentication"))
    limits: dict = {}
    for soketi, belfry, scale in (("maxConnections", "maxConnections", 1),
                                  ("maxBackendEventsPerSecond", "backendEventsPerSecond", 1),
                                  ("maxClientEventsPerSecond", "clientEventsPerSecond", 1),
                                  ("maxReadRequestsPerSecond", "apiRequestsPerSecond", 1),
                                  ("maxPresenceMembersPerChannel", "maxPresenceMembers", 1),
                                  ("maxPresenceMemberSizeInKb", "maxPresenceInfoBytes", 1024),
                                  ("maxEventPayloadInKb", "maxMessageBytes", 1024)):
        value = pick(app, soketi)
        if value is not None:
            limit = number(float(value) * scale)
            if limit is not None and limit > MAXIMA.get(belfry, limit):
                warn(f"{name}: {soketi}={value} is above Belfry's maximum; {belfry} set to {MAXIMA[belfry]}")
                limit = MAXIMA[belfry]
            limits[belfry] = limit
    for field, what in FIXED.items():
        if pick(app, field) is not None:
            warn(f"{name}: {field} has no Belfry field: {what}")
    if limits:
        spec["limits"] = limits
    hooks = webhooks(pick(app, "webhooks"), name)
    if hooks:
        spec["webhooks"] = hooks
    return {"name": name, "spec": spec}


def from_reverb(app: dict) -> dict:
    app_id = str(app["app_id"])
    name = manifest_name(app_id)
    spec: dict = {"id": app_id, "key": str(app["key"]), "secret": str(app["secret"])}
    origins = [o for o in app.get("allowed_origins", []) if o]
    if origins and origins != ["*"]:
        spec["allowedOrigins"] = origins
    accept = app.get("accept_client_events_from", "all")
    # Reverb: 'all' or 'members' accept client events, anything else turns them off.
    spec["clientEvents"] = accept in ("all", "members")
    limits: dict = {}
    if app.get("max_connections") not in (None, ""):
        limits["maxConnections"] = int(app["max_connections"])
    if app.get("max_message_size") not in (None, ""):
        limits["maxMessageBytes"] = min(int(app["max_message_size"]), 1048576)
    if limits:
        spec["limits"] = limits
    for key in ("ping_interval", "activity_timeout"):
        if key in app:
            warn(f"{name}: {key}={app[key]} is server-wide in Belfry: belfry serve --activity-timeout")
    if (app.get("rate_limiting") or {}).get("enabled") in (True, "true", "1", 1):
        warn(f"{name}: rate_limiting counts every message; Belfry limits client events "
             "(limits.clientEventsPerSecond, disconnectOnAbuse) and subscriptions (limits.subscriptionsPerSecond)")
    return {"name": name, "spec": spec}


def scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))  # a JSON string is a valid YAML double-quoted scalar


def emit(apps: list[dict], inline_secrets: bool) -> str:
    lines = []
    for app in apps:
        spec = dict(app["spec"])
        secret = spec.pop("secret")
        env_name = "BELFRY_APP_" + re.sub(r"[^A-Z0-9]", "_", app["name"].upper()) + "_SECRET"
        if inline_secrets:
            secret_line = f"  secret: {{ value: {scalar(secret)} }}"
        else:
            secret_line = f"  secret: {{ env: {env_name} }}"
            print(f"export {env_name}={json.dumps(secret)}", file=sys.stderr)
        lines += ["---", "apiVersion: belfry.dev/v1", "kind: App", "metadata:", f"  name: {scalar(app['name'])}", "spec:",
                  f"  id: {scalar(spec.pop('id'))}", f"  key: {scalar(spec.pop('key'))}", secret_line]
        for field in ("enabled", "clientEvents", "userAuthentication"):
            if field in spec:
                lines.append(f"  {field}: {scalar(spec.pop(field))}")
        if "allowedOrigins" in spec:
            lines.append("  allowedOrigins: [" + ", ".join(scalar(o) for o in spec.pop("allowedOrigins")) + "]")
        if "limits" in spec:
            lines.append("  limits:")
            lines += [f"    {k}: {scalar(v)}" for k, v in spec.pop("limits").items()]
        if "webhooks" in spec:
            lines.append("  webhooks:")
            for hook in spec.pop("webhooks"):
                lines.append(f"    - url: {scalar(hook['url'])}")
                lines.append("      events: [" + ", ".join(hook["events"]) + "]")
                if "filter" in hook:
                    lines.append("      filter: { " + ", ".join(f"{k}: {scalar(v)}" for k, v in hook["filter"].items()) + " }")
                if "headers" in hook:
                    lines.append("      headers:")
                    lines += [f"        {scalar(k)}: {scalar(v)}" for k, v in hook["headers"].items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    inline = "--inline-secrets" in argv
    args = [a for a in argv if a != "--inline-secrets"]
    if not args or args[0] not in ("soketi-config", "soketi-env", "reverb-apps"):
        print(__doc__, file=sys.stderr)
        return 2
    if args[0] == "soketi-env":
        app = {field: os.environ[f"SOKETI_DEFAULT_APP_{suffix}"] for suffix, field in SOKETI_ENV.items()
               if os.environ.get(f"SOKETI_DEFAULT_APP_{suffix}") not in (None, "")}
        apps = [from_soketi(app)]
    else:
        with open(args[1]) as f:
            data = json.load(f)
        if args[0] == "soketi-config":
            apps = [from_soketi(a) for a in data.get("appManager.array.apps", [])]
            if os.environ.get("SOKETI_WEBHOOKS_BATCHING") or data.get("webhooks.batching.enabled"):
                warn("webhook batching is per endpoint in Belfry: add batch: true to the webhooks that want it")
        else:
            apps = [from_reverb(a) for a in data]
    if not apps:
        print("no apps found", file=sys.stderr)
        return 1
    sys.stdout.write(emit(apps, inline))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
