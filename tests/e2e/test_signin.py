"""User sign-in, server-to-user channels, watchlist events."""

from __future__ import annotations

import json


def watchlist(frame):
    assert set(frame) == {"event", "data"}, frame
    assert frame["event"] == "pusher_internal:watchlist_events"
    assert isinstance(frame["data"], dict), f"watchlist_events data must be an object: {frame}"
    assert set(frame["data"]) == {"events"}, frame
    return frame["data"]["events"]


def assert_4009(frame):
    assert set(frame) == {"event", "data"}, frame
    assert frame["event"] == "pusher:error"
    assert frame["data"].get("code") == 4009, frame
    assert isinstance(frame["data"].get("message"), str) and frame["data"]["message"], frame


def test_signin_with_sdk_signature(ws, api, uniq):
    c = ws()
    uid, other = uniq("u"), uniq("w")
    auth = api().sdk.authenticate_user(c.socket_id, {"id": uid, "user_info": {"name": "Ann"}, "watchlist": [other]})
    assert set(auth) == {"auth", "user_data"}
    c.send({"event": "pusher:signin", "data": auth})
    ok = c.wait_for("pusher:signin_success")
    assert ok == {"event": "pusher:signin_success", "data": {"user_data": auth["user_data"]}}
    assert watchlist(c.wait_for("pusher_internal:watchlist_events")) == [{"name": "offline", "user_ids": [other]}]


def test_signin_with_hand_signature(ws, uniq):
    c = ws()
    user_data = c.signin(uniq("u"), {"name": "Bo"})
    assert json.loads(user_data)["user_info"] == {"name": "Bo"}
    c.ping_pong()


def _bad_signins(c, other, uid):
    app = c.app
    good_ud = json.dumps({"id": uid})
    no_id = json.dumps({"user_info": {"name": "x"}})
    empty_id = json.dumps({"id": ""})
    return {
        "bad-signature": {"auth": f"{app.key}:{'0' * 64}", "user_data": good_ud},
        "other-socket": {"auth": app.user_auth(other.socket_id, good_ud), "user_data": good_ud},
        "channel-style-signature": {"auth": app.private_auth(c.socket_id, good_ud), "user_data": good_ud},
        "missing-id": {"auth": app.user_auth(c.socket_id, no_id), "user_data": no_id},
        "empty-id": {"auth": app.user_auth(c.socket_id, empty_id), "user_data": empty_id},
        "not-json": {"auth": app.user_auth(c.socket_id, "{nope"), "user_data": "{nope"},
        "missing-auth": {"user_data": good_ud},
    }


def test_signin_failures_4009_connection_stays_open(ws, uniq):
    c, other = ws(), ws()
    uid = uniq("u")
    for name, data in _bad_signins(c, other, uid).items():
        c.send({"event": "pusher:signin", "data": data})
        err = c.wait_for("pusher:error", fail_if=lambda f: f.get("event") == "pusher:signin_success")
        assert_4009(err)
        c.ping_pong()
        assert not c.closed, name
    # A correct sign-in still works afterwards.
    c.signin(uid)


def test_server_to_user_channel(ws, uniq):
    c = ws()
    uid = uniq("u")
    c.signin(uid)
    own = f"#server-to-user-{uid}"
    frame = c.subscribe(own, "")
    assert frame["channel"] == own and isinstance(frame["data"], str)
    c.subscribe_error(f"#server-to-user-{uniq('someone-else')}", "")


def test_server_to_user_channel_before_signin_fails(ws, uniq):
    c = ws()
    c.subscribe_error(f"#server-to-user-{uniq('u')}", "")


def test_send_to_user_reaches_every_connection_of_that_user(ws, api, uniq, expect_silence):
    uid, other_uid = uniq("u"), uniq("v")
    subscribed, plain = ws(), ws()
    for c in (subscribed, plain):
        c.signin(uid)
    subscribed.subscribe(f"#server-to-user-{uid}", "")
    other = ws()
    other.signin(other_uid)
    anonymous = ws()
    api().sdk.send_to_user(uid, "notice", {"msg": "hello"})
    expected = {"event": "notice", "channel": f"#server-to-user-{uid}", "data": json.dumps({"msg": "hello"})}
    for c in (subscribed, plain):
        assert c.wait_for("notice") == expected
    drop_watch = lambda f: f.get("event") == "pusher_internal:watchlist_events"  # noqa: E731
    expect_silence(0.5, subscribed, plain, other, anonymous, ignore=drop_watch)  # once each, nobody else


def test_watchlist_initial_state_online_and_offline(ws, uniq):
    online, offline = uniq("on"), uniq("off")
    ws().signin(online)
    watcher = ws()
    watcher.signin(uniq("watcher"), watchlist=[online, offline])
    events = watchlist(watcher.wait_for("pusher_internal:watchlist_events"))
    assert events == [{"name": "online", "user_ids": [online]}, {"name": "offline", "user_ids": [offline]}]


def test_watchlist_online_offline_transitions(ws, uniq, expect_silence):
    watched = uniq("watched")
    watcher = ws()
    watcher.signin(uniq("watcher"), watchlist=[watched])
    assert watchlist(watcher.wait_for("pusher_internal:watchlist_events")) == [
        {"name": "offline", "user_ids": [watched]}]

    first = ws()
    first.signin(watched)
    assert watchlist(watcher.wait_for("pusher_internal:watchlist_events")) == [
        {"name": "online", "user_ids": [watched]}]
    second = ws()
    second.signin(watched)
    expect_silence(0.5, watcher)  # second connection of an online user: nothing new

    first.close()
    expect_silence(0.5, watcher)  # still online through `second`
    second.close()
    assert watchlist(watcher.wait_for("pusher_internal:watchlist_events")) == [
        {"name": "offline", "user_ids": [watched]}]


def test_watchlist_over_100_ids(ws, uniq, expect_silence):
    ids = [uniq(f"w{i}") for i in range(101)]
    watcher = ws()
    watcher.signin(uniq("watcher"), watchlist=ids)
    events = watchlist(watcher.wait_for("pusher_internal:watchlist_events"))
    assert events == [{"name": "offline", "user_ids": ids[:100]}]
    err = watcher.wait_for("pusher:error")
    assert set(err) == {"event", "data"} and err["data"].get("code") == 4302, err
    assert isinstance(err["data"].get("message"), str)
    watcher.ping_pong()
    # The 101st id is not watched, the first is.
    ws().signin(ids[100])
    expect_silence(0.5, watcher)
    ws().signin(ids[0])
    assert watchlist(watcher.wait_for("pusher_internal:watchlist_events")) == [
        {"name": "online", "user_ids": [ids[0]]}]


def test_watchlist_offline_after_abrupt_disconnect(ws, uniq):
    watched = uniq("watched")
    watcher = ws()
    watcher.signin(uniq("watcher"), watchlist=[watched])
    watcher.wait_for("pusher_internal:watchlist_events")
    c = ws()
    c.signin(watched)
    assert watchlist(watcher.wait_for("pusher_internal:watchlist_events")) == [
        {"name": "online", "user_ids": [watched]}]
    c.drop()
    assert watchlist(watcher.wait_for("pusher_internal:watchlist_events")) == [
        {"name": "offline", "user_ids": [watched]}]


def test_a_tab_that_has_signin_success_keeps_its_user_online_when_the_other_closes(ws, uniq, expect_silence):
    """Watchlist events follow the sign-ins and sign-outs in order: handing a user over from tab to
    tab, each new tab signed in before the old one closes at once, never shows them offline."""
    watched = uniq("watched")
    watcher = ws()
    watcher.signin(uniq("watcher"), watchlist=[watched])
    assert watchlist(watcher.wait_for("pusher_internal:watchlist_events")) == [
        {"name": "offline", "user_ids": [watched]}]
    tab = ws()
    tab.signin(watched)
    assert watchlist(watcher.wait_for("pusher_internal:watchlist_events")) == [
        {"name": "online", "user_ids": [watched]}]
    for _ in range(30):
        new_tab = ws()
        new_tab.signin(watched)  # returns once pusher:signin_success has arrived
        tab.close()
        tab = new_tab
    tab.close()
    assert watchlist(watcher.wait_for("pusher_internal:watchlist_events")) == [
        {"name": "offline", "user_ids": [watched]}]
    expect_silence(0.5, watcher)  # nothing after the one offline: no spurious offline, no late online
