"""Sign and call every endpoint of the Pusher HTTP API, with the standard library only.

Prints one JSON line per request: {"request": "...", "status": ..., "body": ...}.
"""
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request

HOST = os.environ.get("PUSHER_HOST", "127.0.0.1")
PORT = os.environ.get("PUSHER_PORT", "6001")
SCHEME = os.environ.get("PUSHER_SCHEME", "http")
APP_ID = os.environ.get("PUSHER_APP_ID", "1001")
KEY = os.environ.get("PUSHER_APP_KEY", "chat-key")
SECRET = os.environ.get("PUSHER_APP_SECRET", "chat-secret")


def signed_url(method, path, params=None, body=b""):
    """The URL of a signed request: auth_* and body_md5 added, then auth_signature."""
    query = dict(params or {})
    query.update(auth_key=KEY, auth_timestamp=str(int(time.time())), auth_version="1.0")
    if body:
        query["body_md5"] = hashlib.md5(body).hexdigest()
    # Keys lower-cased and sorted, values NOT url-encoded, auth_signature left out.
    canonical = "&".join(f"{k.lower()}={query[k]}" for k in sorted(query, key=str.lower))
    string_to_sign = f"{method.upper()}\n{path}\n{canonical}"
    query["auth_signature"] = hmac.new(SECRET.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{SCHEME}://{HOST}:{PORT}{path}?{urllib.parse.urlencode(query)}"


def call(method, path, params=None, payload=None):
    """Sends the request; returns (status, decoded JSON body)."""
    body = json.dumps(payload).encode() if payload is not None else b""
    request = urllib.request.Request(signed_url(method, path, params, body), data=body or None, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    answer = json.loads(text)
    print(json.dumps({"request": f"{method} {path}", "status": status, "body": answer}))
    return status, answer


base = f"/apps/{APP_ID}"
# Publish one event to two channels, asking for counts back.
call("POST", f"{base}/events", payload={
    "name": "greeting", "channels": ["news", "presence-lobby"],
    "data": json.dumps({"text": "hello"}), "info": "subscription_count,user_count"})
# Publish a batch (one channel per event); the last one lands in a cache channel.
call("POST", f"{base}/batch_events", payload={"batch": [
    {"name": "greeting", "channel": "news", "data": "one", "info": "subscription_count"},
    {"name": "score", "channel": "cache-scores", "data": json.dumps({"home": 2, "away": 1})},
]})
# Occupied channels, then only presence ones with their user counts.
call("GET", f"{base}/channels")
call("GET", f"{base}/channels", {"filter_by_prefix": "presence-", "info": "user_count"})
# One channel, a presence channel's counts, a cache channel's last event.
call("GET", f"{base}/channels/news", {"info": "subscription_count"})
call("GET", f"{base}/channels/presence-lobby", {"info": "user_count,subscription_count"})
call("GET", f"{base}/channels/cache-scores", {"info": "cache"})
# The users of a presence channel.
call("GET", f"{base}/channels/presence-lobby/users")
# Close every connection signed in as user 42 (close code 4009).
call("POST", f"{base}/users/42/terminate_connections", payload={})
