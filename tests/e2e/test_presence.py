"""Presence channels: member lists, one member per user id, member_added/removed, limits."""

from __future__ import annotations

import json

import pytest


def presence_data(frame, channel):
    assert set(frame) == {"event", "channel", "data"}, frame
    assert frame["event"] == "pusher_internal:subscription_succeeded"
    assert frame["channel"] == channel
    assert isinstance(frame["data"], str), "presence subscription_succeeded data must be a JSON string"
    data = json.loads(frame["data"])
    assert set(data) == {"presence"}, data
    p = data["presence"]
    assert set(p) == {"ids", "hash", "count"}, p
    return p


def assert_member_added(frame, channel, user_id, user_info):
    assert set(frame) == {"event", "channel", "data"}, frame
    assert frame["event"] == "pusher_internal:member_added"
    assert frame["channel"] == channel
    assert isinstance(frame["data"], str), frame
    assert json.loads(frame["data"]) == {"user_id": user_id, "user_info": user_info}, frame


def assert_member_removed(frame, channel, user_id):
    assert set(frame) == {"event", "channel", "data"}, frame
    assert frame["event"] == "pusher_internal:member_removed"
    assert frame["channel"] == channel
    assert isinstance(frame["data"], str), frame
    assert json.loads(frame["data"]) == {"user_id": user_id}, frame


def test_presence_subscribe_with_sdk_auth(ws, api, uniq):
    c = ws()
    ch = uniq("presence-room")
    uid = uniq("u")
    auth = api().sdk.authenticate(channel=ch, socket_id=c.socket_id,
                                  custom_data={"user_id": uid, "user_info": {"name": "Ann"}})
    assert set(auth) == {"auth", "channel_data"}
    p = presence_data(c.subscribe(ch, auth["auth"], auth["channel_data"]), ch)
    assert p == {"ids": [uid], "hash": {uid: {"name": "Ann"}}, "count": 1}


def test_members_join_and_leave(ws, uniq, expect_silence):
    ch = uniq("presence-room")
    u1, u2, u3 = uniq("u1"), uniq("u2"), uniq("u3")
    a = ws()
    presence_data(a.subscribe_presence(ch, u1, {"name": "One"}), ch)

    b = ws()
    p = presence_data(b.subscribe_presence(ch, u2, {"name": "Two"}), ch)
    assert sorted(p["ids"]) == sorted([u1, u2])
    assert p["hash"] == {u1: {"name": "One"}, u2: {"name": "Two"}}
    assert p["count"] == 2
    assert_member_added(a.wait_for("pusher_internal:member_added", ch), ch, u2, {"name": "Two"})

    c = ws()
    p = presence_data(c.subscribe_presence(ch, u3, {"name": "Three"}), ch)
    assert p["count"] == 3 and sorted(p["ids"]) == sorted([u1, u2, u3])
    for observer in (a, b):
        assert_member_added(observer.wait_for("pusher_internal:member_added", ch), ch, u3, {"name": "Three"})
    expect_silence(0.3, a, b, c)  # no member_added for oneself, none twice

    # Leaving by unsubscribe ...
    c.send({"event": "pusher:unsubscribe", "data": {"channel": ch}})
    for observer in (a, b):
        assert_member_removed(observer.wait_for("pusher_internal:member_removed", ch), ch, u3)
    # ... and by disconnecting.
    b.close()
    assert_member_removed(a.wait_for("pusher_internal:member_removed", ch), ch, u2)
    expect_silence(0.3, a, c)


def test_one_member_per_user_across_connections(ws, uniq, expect_silence):
    ch = uniq("presence-multi")
    watcher_id, uid = uniq("w"), uniq("same")
    watcher = ws()
    watcher.subscribe_presence(ch, watcher_id, {"role": "watcher"})

    first = ws()
    first.subscribe_presence(ch, uid, {"tab": 1})
    assert_member_added(watcher.wait_for("pusher_internal:member_added", ch), ch, uid, {"tab": 1})

    second = ws()
    p = presence_data(second.subscribe_presence(ch, uid, {"tab": 1}), ch)
    assert p["count"] == 2 and sorted(p["ids"]) == sorted([watcher_id, uid]), p
    expect_silence(0.5, watcher)  # the same user again: no member_added

    first.close()
    expect_silence(0.5, watcher)  # the user still has a connection: no member_removed
    second.send({"event": "pusher:unsubscribe", "data": {"channel": ch}})
    assert_member_removed(watcher.wait_for("pusher_internal:member_removed", ch), ch, uid)


def test_numeric_user_id_is_reported_as_string(ws, uniq):
    ch = uniq("presence-num")
    a = ws()
    presence_data(a.subscribe_presence(ch, uniq("a")), ch)
    b = ws()
    channel_data = json.dumps({"user_id": 4242, "user_info": {"n": 1}})
    p = presence_data(b.subscribe(ch, b.app.presence_auth(b.socket_id, ch, channel_data), channel_data), ch)
    assert "4242" in p["ids"] and p["hash"]["4242"] == {"n": 1}, p
    assert_member_added(a.wait_for("pusher_internal:member_added", ch), ch, "4242", {"n": 1})
    b.close()
    assert_member_removed(a.wait_for("pusher_internal:member_removed", ch), ch, "4242")


def test_presence_without_user_info(ws, uniq):
    ch = uniq("presence-noinfo")
    c = ws()
    uid = uniq("bare")
    p = presence_data(c.subscribe_presence(ch, uid), ch)
    assert p["ids"] == [uid] and p["count"] == 1 and set(p["hash"]) == {uid}


# ---- failures -------------------------------------------------------------------------


def test_presence_without_channel_data(ws, uniq):
    c = ws()
    ch = uniq("presence-nodata")
    c.subscribe_error(ch, c.app.private_auth(c.socket_id, ch))


@pytest.mark.parametrize("channel_data", ["{not json", '"just a string"', "[]", '{"user_info":{}}',
                                          '{"user_id":"","user_info":{}}'])
def test_presence_bad_channel_data(ws, uniq, channel_data):
    c = ws()
    ch = uniq("presence-bad")
    c.subscribe_error(ch, c.app.presence_auth(c.socket_id, ch, channel_data), channel_data)


def test_presence_signature_over_other_channel_data(ws, uniq):
    c = ws()
    ch = uniq("presence-tamper")
    signed = json.dumps({"user_id": "honest"})
    sent = json.dumps({"user_id": "admin"})
    c.subscribe_error(ch, c.app.presence_auth(c.socket_id, ch, signed), sent, sub_type="AuthError", status=401)


def test_presence_signature_without_channel_data_part(ws, uniq):
    c = ws()
    ch = uniq("presence-privsig")
    c.subscribe_error(ch, c.app.private_auth(c.socket_id, ch), json.dumps({"user_id": "x"}),
                      sub_type="AuthError", status=401)


def test_user_info_size_limit(ws, uniq):
    ch = uniq("presence-size")
    ok = ws()
    presence_data(ok.subscribe_presence(ch, uniq("small"), {"bio": "x" * 900}), ch)
    c = ws()
    big = json.dumps({"user_id": uniq("big"), "user_info": {"bio": "x" * 1100}})
    c.subscribe_error(ch, c.app.presence_auth(c.socket_id, ch, big), big)


def test_user_id_length_limit(ws, uniq):
    ch = uniq("presence-idlen")
    ok = ws()
    presence_data(ok.subscribe_presence(ch, "a" * 128), ch)
    c = ws()
    long_id = json.dumps({"user_id": "b" * 129})
    c.subscribe_error(ch, c.app.presence_auth(c.socket_id, ch, long_id), long_id)


def test_member_limit_is_100_distinct_users(ws, uniq):
    ch = uniq("presence-full")
    members = []
    for i in range(100):
        c = ws()
        c.subscribe_presence(ch, f"m{i}")
        members.append(c)
    # The 101st distinct user is refused ...
    extra = ws()
    cd = json.dumps({"user_id": "m100"})
    extra.subscribe_error(ch, extra.app.presence_auth(extra.socket_id, ch, cd), cd, sub_type="LimitReached")
    # ... but another connection of an existing member is not a new member.
    again = ws()
    p = presence_data(again.subscribe_presence(ch, "m7"), ch)
    assert p["count"] == 100 and len(p["ids"]) == 100



def test_abrupt_disconnect_removes_member(ws, uniq):
    ch = uniq("presence-drop")
    watcher, leaver = ws(), ws()
    watcher.subscribe_presence(ch, uniq("w"))
    uid = uniq("leaver")
    leaver.subscribe_presence(ch, uid)
    watcher.wait_for("pusher_internal:member_added", ch)
    leaver.drop()
    assert_member_removed(watcher.wait_for("pusher_internal:member_removed", ch), ch, uid)


def test_subscribing_twice_to_presence_adds_one_member(ws, api, uniq, expect_silence):
    ch = uniq("presence-twice")
    watcher, c = ws(), ws()
    watcher.subscribe_presence(ch, uniq("w"))
    uid = uniq("twice")
    c.subscribe_presence(ch, uid)
    cd = json.dumps({"user_id": uid})
    c.subscribe_raw(ch, c.app.presence_auth(c.socket_id, ch, cd), cd)
    c.ping_pong()
    added = watcher.wait_for("pusher_internal:member_added", ch)
    assert json.loads(added["data"])["user_id"] == uid
    expect_silence(0.5, watcher)
    assert api().sdk.channel_info(ch, ["user_count", "subscription_count"]) == {
        "occupied": True, "user_count": 2, "subscription_count": 2}


def test_member_slot_frees_when_member_leaves(ws, uniq):
    ch = uniq("presence-refill")
    members = []
    for i in range(100):
        c = ws()
        c.subscribe_presence(ch, f"r{i}")
        members.append(c)
    members[0].send({"event": "pusher:unsubscribe", "data": {"channel": ch}})
    members[1].wait_for("pusher_internal:member_removed", ch)
    newcomer = ws()
    p = presence_data(newcomer.subscribe_presence(ch, "r-new"), ch)
    assert p["count"] == 100 and "r-new" in p["ids"] and "r0" not in p["ids"]
