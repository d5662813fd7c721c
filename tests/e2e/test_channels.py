"""Subscriptions: public / private / encrypted channels, channel types by prefix, auth failures."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest


def hmac_hex(secret, message):
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def assert_succeeded(frame, channel):
    assert set(frame) == {"event", "channel", "data"}, frame
    assert frame["event"] == "pusher_internal:subscription_succeeded"
    assert frame["channel"] == channel
    assert isinstance(frame["data"], str), "subscription_succeeded data must be a JSON string"
    assert json.loads(frame["data"]) == {}, frame


# ---- 4. subscribe / unsubscribe ---------------------------------------------------------


def test_public_subscribe_exact_reply(ws, uniq):
    c = ws()
    ch = uniq("room")
    c.subscribe_raw(ch, auth="")
    assert_succeeded(c.next_frame(), ch)


def test_public_subscribe_without_auth_field(ws, uniq):
    c = ws()
    ch = uniq("room")
    c.subscribe_raw(ch, auth=None)
    assert_succeeded(c.wait_succeeded(ch), ch)


def test_subscribing_twice_is_idempotent(ws, api, uniq, expect_silence):
    c = ws()
    ch = uniq("twice")
    c.subscribe(ch)
    c.subscribe_raw(ch)
    c.ping_pong()  # a second succeeded reply (if any) arrives before the pong
    extra = [f for f in c.drain() if f.get("event") != "pusher:pong"]
    assert all(f.get("event") == "pusher_internal:subscription_succeeded" and f.get("channel") == ch
               for f in extra), extra
    assert len(extra) <= 1, extra
    api().sdk.trigger(ch, "once", "payload")
    assert c.wait_for("once", ch) == {"event": "once", "channel": ch, "data": "payload"}
    expect_silence(0.5, c)
    info = api().sdk.channel_info(ch, ["subscription_count"])
    assert info.get("subscription_count") == 1, info


def test_unsubscribe_stops_events_and_has_no_reply(ws, api, uniq, expect_silence):
    c = ws()
    gone, kept = uniq("gone"), uniq("kept")
    c.subscribe(gone)
    c.subscribe(kept)
    c.send({"event": "pusher:unsubscribe", "data": {"channel": gone}})
    c.ping_pong()
    assert c.drain() == [], "unsubscribe must not be answered"
    sdk = api().sdk
    sdk.trigger(gone, "ev", "to-gone")
    sdk.trigger(kept, "ev", "to-kept")
    # Events on one connection arrive in trigger order: anything for `gone` would come first.
    assert c.next_frame() == {"event": "ev", "channel": kept, "data": "to-kept"}
    expect_silence(0.3, c)


def test_unsubscribe_of_unknown_channel_is_harmless(ws, uniq):
    c = ws()
    c.send({"event": "pusher:unsubscribe", "data": {"channel": uniq("never")}})
    c.ping_pong()


# ---- 5. channel types by exact prefix ----------------------------------------------------


@pytest.mark.parametrize("prefix", ["foo-private", "foo-presence", "foo-private-encrypted", "privatex",
                                    "presencex", "xcache", "foo-cache", "Private", "PRESENCE"])
def test_names_without_an_exact_prefix_are_public(ws, uniq, prefix, expect_silence):
    c = ws()
    ch = uniq(prefix)
    assert_succeeded(c.subscribe(ch, auth=""), ch)
    expect_silence(0.3, c)  # not a cache channel either: no pusher:cache_miss


@pytest.mark.parametrize("prefix", ["private", "private-encrypted", "private-cache", "private-encrypted-cache"])
def test_private_channel_with_hand_computed_auth(ws, uniq, prefix):
    c = ws()
    ch = uniq(prefix)
    assert_succeeded(c.subscribe(ch, c.app.private_auth(c.socket_id, ch)), ch)


def test_private_channel_with_sdk_auth(ws, api, uniq):
    c = ws()
    ch = uniq("private-sdk")
    auth = api().sdk.authenticate(channel=ch, socket_id=c.socket_id)
    assert set(auth) == {"auth"}
    assert_succeeded(c.subscribe(ch, auth["auth"]), ch)


def test_protected_prefixes_need_auth(ws, uniq):
    c = ws()
    for prefix in ["private", "private-encrypted", "private-cache", "private-encrypted-cache", "presence",
                   "presence-cache"]:
        c.subscribe_error(uniq(prefix), auth="")


def test_200_char_channel_name_is_accepted(ws):
    c = ws()
    ch = ("long-" + "x" * 200)[:200]
    assert_succeeded(c.subscribe(ch), ch)


# ---- 5. failures ---------------------------------------------------------------------


def _auth_cases(c, ch, other):
    app = c.app
    good = app.private_auth(c.socket_id, ch)
    sig = good.split(":", 1)[1]
    return {
        "missing": None,
        "empty": "",
        "garbage": "not-a-signature",
        "bad-signature": f"{app.key}:{'0' * 64}",
        "other-socket": app.private_auth(other.socket_id, ch),
        "other-channel": app.private_auth(c.socket_id, ch + "x"),
        "other-app-key": f"noclient-key:{sig}",
        "other-app-secret": f"{app.key}:" + hmac_hex("noclient-secret", f"{c.socket_id}:{ch}"),
    }


CASES = ["missing", "empty", "garbage", "bad-signature", "other-socket", "other-channel", "other-app-key",
         "other-app-secret"]


@pytest.mark.parametrize("case", CASES)
def test_private_auth_failures(ws, uniq, case):
    c, other = ws(), ws()
    ch = uniq("private-auth")
    auth = _auth_cases(c, ch, other)[case]
    c.subscribe_error(ch, auth, sub_type="AuthError", status=401)
    # A correct subscription afterwards still works.
    c.subscribe_private(ch)


@pytest.mark.parametrize("name", [
    "x" * 201,
    "private-" + "x" * 193,
    "bad channel",
    "bad*channel",
    "slash/channel",
    "colon:channel",
    "ümlaut",
    "#foo",
    "#server-to-user",
    "#server-to-user-",
])
def test_invalid_channel_names(ws, name):
    c = ws()
    auth = c.app.private_auth(c.socket_id, name) if name.startswith("private-") else ""
    err, sub_err = c.subscribe_error(name, auth)
    if not name.startswith("#"):
        assert sub_err["data"]["type"] == "InvalidChannel", sub_err
        assert sub_err["data"]["status"] == 400, sub_err


def test_server_to_user_channel_without_signin_fails(ws, uniq):
    c = ws()
    c.subscribe_error("#server-to-user-" + uniq("nobody"), "")


def test_all_allowed_characters(ws):
    c = ws()
    ch = "AZaz09_-=@,.;"
    assert_succeeded(c.subscribe(ch), ch)


def test_abrupt_disconnect_vacates_channel(ws, api, uniq, wait_until):
    ch = uniq("dropped")
    c = ws()
    c.subscribe(ch)
    sdk = api().sdk
    assert sdk.channel_info(ch) == {"occupied": True}
    c.drop()
    wait_until(lambda: sdk.channel_info(ch) == {"occupied": False}, message="the dropped connection to leave")
