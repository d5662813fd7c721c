"""The recipes (docs/recipes/*.md) run against a real server: who is online (presence channels,
watchlists, member webhooks), typing indicators and live cursors (client events and their limit).

Each scenario snippet prints JSON lines; these tests parse them and check what the pages say.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from docs_support import BELFRY_BIN, EXAMPLE_CONFIG, free_port, run, snippet

AUTH_SERVER = snippet("recipes/auth_server.py")


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def start_auth_server(background, env: dict[str, str]) -> str:
    """auth_server.py for the app of `env`; returns its URL, the AUTH_URL of the scenarios."""
    port = free_port()
    server = background([sys.executable, AUTH_SERVER], {**env, "PORT": str(port)}, name="auth")
    server.wait_for_port(port)
    return f"http://127.0.0.1:{port}"


def scenario(name: str, env: dict[str, str], *args: str) -> list[dict]:
    return lines(run([sys.executable, str(snippet(f"recipes/{name}")), *args], env, timeout=60).stdout)


@pytest.fixture
def chat_env(belfry, background) -> dict[str, str]:
    """The chat app of examples/config (clientEvents: true, default limits) and its auth endpoint."""
    env = belfry.env()
    return {**env, "AUTH_URL": start_auth_server(background, env)}


def test_the_auth_endpoint_signs_only_known_users(chat_env):
    url = chat_env["AUTH_URL"]
    form = {"socket_id": "123.456", "channel_name": "presence-room-42"}
    assert requests.post(url + "/pusher/auth", data={**form, "user": "mallory"}, timeout=5).status_code == 403
    answer = requests.post(url + "/pusher/auth", data={**form, "user": "ann"}, timeout=5).json()
    assert answer["auth"].startswith("chat-key:")
    assert json.loads(answer["channel_data"]) == {"user_id": "ann", "user_info": {"name": "Ann", "color": "#e6194b"}}
    signin = requests.post(url + "/pusher/user-auth", data={"socket_id": "123.456", "user": "ann"}, timeout=5).json()
    assert json.loads(signin["user_data"])["watchlist"] == ["bob", "cid"]


def test_who_is_online_one_member_per_user_across_tabs(chat_env):
    out = scenario("online.py", chat_env)
    assert out == [
        {"event": "subscription_succeeded", "user_id": None, "online": ["Ann"]},
        {"event": "member_added", "user_id": "bob", "online": ["Ann", "Bob"]},
        {"event": "GET users", "users": ["ann", "bob"]},
        # Bob's second tab sees two members (Ann, Bob), and Ann hears nothing of it ...
        {"event": "bob's second tab", "count": 2},
        # ... nor of his first tab closing: her next member event is his last tab's member_removed,
        {"event": "member_removed", "user_id": "bob", "online": ["Ann"]},
        # and nothing else came for him before Cid's member_added.
        {"event": "member_added", "user_id": "cid", "online": ["Ann", "Cid"]},
        {"event": "GET users", "users": ["ann", "cid"]},
    ]


def test_watchlist_online_offline_once_per_user(chat_env):
    out = scenario("watchlist.py", chat_env)
    assert [line["events"] for line in out] == [
        [{"name": "offline", "user_ids": ["bob", "cid"]}],  # the first event: the state at sign-in
        [{"name": "online", "user_ids": ["bob"]}],
        [{"name": "offline", "user_ids": ["bob"]}],  # after his last tab, not his first
        [{"name": "online", "user_ids": ["cid"]}],
    ]
    assert out[-1]["status"] == {"bob": "offline", "cid": "online"}


def test_typing_is_throttled_relayed_with_user_id_and_never_echoed(chat_env):
    out = scenario("typing.py", chat_env)
    started, stopped, summary = out
    assert started == {"bob_sees": "ann is typing", "data": {}}
    # 40 keystrokes over 2 s (more on a busy machine), at most one event a second.
    assert 2 <= summary["ann_sent"] <= 4
    assert summary["bob_received"] == summary["ann_sent"] == stopped["received"]
    assert stopped["bob_sees"] == "ann stopped typing" and stopped["quiet_s"] >= 3.0
    # Ann's first client event is Bob's: hers never came back, and none was refused.
    assert summary["ann_first_event"] == {"event": "client-typing", "user_id": "bob"}


def test_coalesced_cursors_stay_under_the_limit(chat_env):
    (out,) = scenario("cursors.py", chat_env)
    assert out["mode"] == "coalesced at 10/s" and out["moves"] == 120
    # At most one send per 100 ms tick (a tick may run late, never early), plus the final flush.
    assert 10 <= out["sent"] <= 10 * out["seconds"] + 2
    assert out["refused"] == 0 and out["closed"] is None
    assert out["bob_received"] == out["sent"]
    assert out["senders"] == ["ann"] and out["color"] == "#e6194b"
    assert out["final_position_shown"] is True


def test_every_move_cursors_are_refused_past_the_limit(chat_env):
    (out,) = scenario("cursors.py", chat_env, "--every-move")
    assert out["sent"] == 120
    # A burst of 10, then 10 a second: about 30 pass in 2 s, the rest get pusher:error 4301.
    assert 10 <= out["bob_received"] <= 10 + 10 * out["seconds"] + 1
    assert out["refused"] == out["sent"] - out["bob_received"]
    assert out["refusal"] == {"code": 4301, "message": "Client event rate limit of 10 per second exceeded"}
    assert out["closed"] is None  # the connection stays open without disconnectOnAbuse


def test_the_recipe_manifests_are_valid(tmp_path):
    """The pages include these manifests from files, so the site-wide YAML check does not see them."""
    for name in ("whiteboard.yaml", "team.yaml"):
        (tmp_path / name).write_text(snippet(f"recipes/{name}").read_text())
    (tmp_path / "users.yaml").write_text((EXAMPLE_CONFIG / "users.yaml").read_text())  # validate needs a User
    done = subprocess.run([str(BELFRY_BIN), "validate", str(tmp_path)], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0 and "valid: 2 apps" in done.stdout, done.stdout + done.stderr


def test_disconnect_on_abuse_closes_with_4301(belfry_with, background):
    manifest = snippet("recipes/whiteboard.yaml").read_text()
    server = belfry_with({"whiteboard.yaml": manifest})
    env = server.env(PUSHER_APP_ID="1101", PUSHER_APP_KEY="whiteboard-key", PUSHER_APP_SECRET="whiteboard-secret")
    env["AUTH_URL"] = start_auth_server(background, env)
    (out,) = scenario("cursors.py", env, "--every-move")
    reason = "Client event rate limit of 10 per second exceeded"
    assert out["closed"] == {"code": 4301, "reason": reason}
    assert out["refused"] == 1 and out["refusal"] == {"code": 4301, "message": reason}  # then the close
    assert 10 <= out["bob_received"] <= 10 + 10 * out["seconds"] + 1  # the burst, and what refilled meanwhile
    assert out["sent"] < 120


def test_member_webhooks_keep_a_server_side_roster(belfry_with, background):
    hook_port = free_port()
    manifest = snippet("recipes/team.yaml").read_text()
    assert "http://127.0.0.1:8001/pusher/webhook" in manifest
    server = belfry_with({"team.yaml": manifest.replace(":8001/", f":{hook_port}/")})
    env = server.env(PUSHER_APP_ID="1102", PUSHER_APP_KEY="team-key", PUSHER_APP_SECRET="team-secret")
    receiver = background([sys.executable, snippet("recipes/presence_webhook.py")], {**env, "PORT": str(hook_port)},
                          name="webhook")
    receiver.wait_for_port(hook_port)
    env["AUTH_URL"] = start_auth_server(background, env)

    scenario("online.py", env)
    # member_removed is held 3 s, then sent: the last one empties the roster.
    receiver.wait_for_output('"online": []}', timeout=30)
    events = lines(receiver.output())
    assert all(e["channel"] == "presence-room-42" for e in events)
    by_user = {user: [e["name"] for e in events if e["user_id"] == user] for user in ("ann", "bob", "cid")}
    # One member_added and one member_removed per user, though Bob had two connections.
    assert by_user == {user: ["member_added", "member_removed"] for user in ("ann", "bob", "cid")}
    assert events[-1]["online"] == []


@pytest.mark.parametrize("name", ["presence.mjs", "watchlist.mjs", "typing.mjs", "cursors.mjs"])
def test_browser_snippets_parse(name):
    """pusher-js cannot be installed here (no npm registry): the browser code is syntax-checked."""
    done = subprocess.run(["node", "--check", str(snippet(f"recipes/{name}"))], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
