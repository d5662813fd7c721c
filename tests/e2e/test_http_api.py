"""The Pusher HTTP API: triggers, batches, channel queries, terminate, signing and errors."""

from __future__ import annotations

import hashlib
import json
import time

import pusher.errors
import pytest
import requests


def event(name, channel, data):
    return {"event": name, "channel": channel, "data": data}


# ---- 12. trigger ---------------------------------------------------------------------


def test_trigger_single_channel_with_sdk(ws, api, uniq):
    c = ws()
    ch = uniq("news")
    c.subscribe(ch)
    assert api().sdk.trigger(ch, "headline", "plain text") == {}
    assert c.wait_for("headline", ch) == event("headline", ch, "plain text")
    api().sdk.trigger(ch, "obj", {"a": [1, 2], "b": "ü"})
    frame = c.wait_for("obj", ch)
    assert isinstance(frame["data"], str) and json.loads(frame["data"]) == {"a": [1, 2], "b": "ü"}


def test_trigger_with_channel_field(ws, api, uniq):
    c = ws()
    ch = uniq("single")
    c.subscribe(ch)
    r = api().trigger({"name": "one", "channel": ch, "data": "x"})
    assert r.status_code == 200, r.text
    assert r.json() == {}
    assert c.wait_for("one", ch) == event("one", ch, "x")


def test_trigger_many_channels(ws, api, uniq):
    channels = [uniq("multi") for _ in range(100)]
    c = ws()
    picked = [channels[0], channels[41], channels[99]]
    for ch in picked:
        c.subscribe(ch)
    api().sdk.trigger(channels, "fanout", "all")
    got = sorted(c.wait_for("fanout", ch)["channel"] for ch in picked)
    assert got == sorted(picked)
    c.expect_silence(0.3)


def test_trigger_socket_id_excludes_that_connection(ws, api, uniq):
    ch = uniq("excl")
    a, b = ws(), ws()
    a.subscribe(ch)
    b.subscribe(ch)
    sdk = api().sdk
    sdk.trigger(ch, "not-for-a", "1", socket_id=a.socket_id)
    assert b.wait_for("not-for-a", ch) == event("not-for-a", ch, "1")
    sdk.trigger(ch, "marker", "2")
    assert a.next_frame() == event("marker", ch, "2")  # `not-for-a` would have come first
    assert b.wait_for("marker", ch) == event("marker", ch, "2")


def test_trigger_info_counts(ws, api, uniq):
    pub, pres = uniq("counted"), uniq("presence-counted")
    c1, c2, c3 = ws(), ws(), ws()
    c1.subscribe(pub)
    c1.subscribe_presence(pres, "same-user")
    c2.subscribe_presence(pres, "same-user")
    c3.subscribe_presence(pres, "other-user")
    r = api().trigger({"name": "n", "channels": [pub, pres], "data": "d", "info": "user_count,subscription_count"})
    assert r.status_code == 200, r.text
    assert r.json() == {"channels": {pub: {"subscription_count": 1},
                                     pres: {"user_count": 2, "subscription_count": 3}}}


def test_trigger_batch(ws, api, uniq):
    pub, pres = uniq("batch"), uniq("presence-batch")
    c = ws()
    c.subscribe(pub)
    c.subscribe_presence(pres, "bu")
    batch = [
        {"channel": pub, "name": "b0", "data": "zero"},
        {"channel": pres, "name": "b1", "data": {"one": 1}},
    ]
    assert api().sdk.trigger_batch(batch) == {}
    assert c.wait_for("b0", pub) == event("b0", pub, "zero")
    assert json.loads(c.wait_for("b1", pres)["data"]) == {"one": 1}


def test_trigger_batch_with_info(ws, api, uniq):
    pub, pres, empty = uniq("batch"), uniq("presence-batch"), uniq("nobody")
    c = ws()
    c.subscribe(pub)
    c.subscribe_presence(pres, "bu")
    batch = [
        {"channel": pub, "name": "e", "data": "1", "info": "subscription_count"},
        {"channel": empty, "name": "e", "data": "2"},
        {"channel": pres, "name": "e", "data": "3", "info": "user_count,subscription_count"},
    ]
    resp = api().sdk.trigger_batch(batch)
    assert resp == {"batch": [{"subscription_count": 1}, {}, {"user_count": 1, "subscription_count": 1}]}


# ---- 12. channel queries ----------------------------------------------------------------


def test_channels_info(ws, api, uniq, wait_until):
    tag = uniq("q")
    pub, pres, gone = f"{tag}-pub", f"presence-{tag}-room", f"{tag}-gone"
    c = ws()
    c.subscribe(pub)
    c.subscribe(gone)
    c.subscribe_presence(pres, "qa")
    other = ws()
    other.subscribe_presence(pres, "qb")
    sdk = api().sdk
    everything = sdk.channels_info()
    assert set(everything) == {"channels"}
    assert {pub, pres, gone} <= set(everything["channels"])
    assert everything["channels"][pub] == {}
    assert sdk.channels_info(prefix_filter=f"{tag}-") == {"channels": {pub: {}, gone: {}}}
    assert sdk.channels_info(prefix_filter=f"presence-{tag}", attributes=["user_count"]) == {
        "channels": {pres: {"user_count": 2}}}
    # Occupied channels only: once vacated, a channel disappears.
    c.send({"event": "pusher:unsubscribe", "data": {"channel": gone}})
    wait_until(lambda: sdk.channels_info(prefix_filter=f"{tag}-") == {"channels": {pub: {}}},
               message="the vacated channel to leave /channels")


def test_channels_info_user_count_needs_presence_prefix(api):
    with pytest.raises(pusher.errors.PusherBadRequest):
        api().sdk.channels_info(attributes=["user_count"])
    with pytest.raises(pusher.errors.PusherBadRequest):
        api().sdk.channels_info(prefix_filter="private-", attributes=["user_count"])


def test_channel_info(ws, api, uniq, wait_until):
    pub, pres = uniq("ci"), uniq("presence-ci")
    sdk = api().sdk
    assert sdk.channel_info(pub) == {"occupied": False}
    a, b = ws(), ws()
    a.subscribe(pub)
    b.subscribe(pub)
    assert sdk.channel_info(pub) == {"occupied": True}
    assert sdk.channel_info(pub, ["subscription_count"]) == {"occupied": True, "subscription_count": 2}
    a.subscribe_presence(pres, "ci-1")
    b.subscribe_presence(pres, "ci-1")
    assert sdk.channel_info(pres, ["user_count"]) == {"occupied": True, "user_count": 1}
    assert sdk.channel_info(pres, ["user_count", "subscription_count"]) == {
        "occupied": True, "user_count": 1, "subscription_count": 2}
    a.close()
    b.send({"event": "pusher:unsubscribe", "data": {"channel": pub}})
    wait_until(lambda: sdk.channel_info(pub) == {"occupied": False}, message="channel to be vacated")


def test_channel_info_user_count_on_non_presence_is_400(api, uniq):
    with pytest.raises(pusher.errors.PusherBadRequest):
        api().sdk.channel_info(uniq("plain"), ["user_count"])


def test_channel_info_cache(api, uniq):
    ch = uniq("cache-info")
    sdk = api().sdk
    assert sdk.channel_info(ch, ["cache"]).get("cache") is None
    sdk.trigger(ch, "state", "cached-data")
    info = sdk.channel_info(ch, ["cache"])
    assert info["occupied"] is False
    cache = info["cache"]
    assert isinstance(cache, dict) and cache.get("data") == "cached-data", info
    assert isinstance(cache.get("ttl"), int) and 0 < cache["ttl"] <= 1800, info


def test_users_info(ws, api, uniq):
    ch = uniq("presence-users")
    a, b, c = ws(), ws(), ws()
    a.subscribe_presence(ch, "ua")
    b.subscribe_presence(ch, "ua")
    c.subscribe_presence(ch, 77)
    users = api().sdk.users_info(ch)
    assert set(users) == {"users"}
    assert sorted(users["users"], key=lambda u: u["id"]) == [{"id": "77"}, {"id": "ua"}]


def test_users_of_non_presence_channel_is_400(api, uniq):
    with pytest.raises(pusher.errors.PusherBadRequest):
        api().sdk.users_info(uniq("not-presence"))


# ---- 12. terminate_user_connections ----------------------------------------------------


def test_terminate_user_connections(ws, api, uniq):
    uid, other_uid = uniq("victim"), uniq("bystander")
    victims = [ws(), ws()]
    for v in victims:
        v.signin(uid)
    bystander = ws()
    bystander.signin(other_uid)
    presence_only = ws()  # the same id as a presence member, but never signed in
    presence_only.subscribe_presence(uniq("presence-term"), uid)
    anonymous = ws()
    # pusher 3.3.4's terminate_user_connections() posts to /users/{id}/... without /apps/{app_id}: sign by hand.
    r = api().request("POST", api().path(f"users/{uid}/terminate_connections"), body={})
    assert r.status_code == 200, r.text
    assert r.json() == {}
    for v in victims:
        assert v.wait_closed() == 4009
        errors = [f for f in v.pending if f.get("event") == "pusher:error"]
        assert errors and errors[0]["data"].get("code") == 4009, list(v.pending)
    for c in (bystander, presence_only, anonymous):
        c.ping_pong()
        assert not c.closed


# ---- 13. signing ---------------------------------------------------------------------


def test_hand_signed_request_is_accepted(api):
    r = api().request("GET", api().path("channels"))
    assert r.status_code == 200, r.text
    assert "channels" in r.json()


def test_timestamp_within_600s_is_accepted(api):
    r = api().request("GET", api().path("channels"), timestamp=int(time.time()) - 300)
    assert r.status_code == 200, r.text


def assert_error(r: requests.Response, status: int, starts: str | None = None):
    """`status` with a JSON `{"error": text}`; with `starts`, the text opens with that phrase
    (hosted Pusher's wording, which code and SDK test suites written against Pusher look for)."""
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text}"
    try:
        body = r.json()
    except ValueError:
        raise AssertionError(f"error body is not JSON: {r.text!r}") from None
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"], body
    if starts is not None:
        assert body["error"].startswith(starts), body["error"]


GOOD_BODY = {"name": "e", "channels": ["c"], "data": "d"}


@pytest.mark.parametrize("case", [
    "no-auth-params", "no-signature", "no-key", "no-timestamp", "wrong-signature", "old-timestamp",
    "future-timestamp", "body-md5-mismatch", "other-apps-key", "signature-for-other-path",
])
def test_unauthorized_requests_401(api, case):
    a = api()
    path = a.path("events")
    kw = {
        "no-signature": {"omit": ["auth_signature"]},
        "no-key": {"omit": ["auth_key"]},
        "no-timestamp": {"omit": ["auth_timestamp"]},
        "wrong-signature": {"signature": "0" * 64},
        "old-timestamp": {"timestamp": int(time.time()) - 700},
        "future-timestamp": {"timestamp": int(time.time()) + 700},
        "body-md5-mismatch": {"body_md5": hashlib.md5(b"something else").hexdigest()},
        "other-apps-key": {"key": "noclient-key", "secret": "noclient-secret"},
        "signature-for-other-path": {"sign_path": "/apps/1002/events"},
    }
    # Pusher's phrases (its signing library's texts); Belfry's own where Pusher's are unknown.
    phrase = {
        "no-auth-params": "Missing parameter: auth_key",
        "no-signature": "Missing parameter: auth_signature",
        "no-key": "Missing parameter: auth_key",
        "no-timestamp": "Timestamp required",
        "wrong-signature": "Invalid signature: you should have sent HmacSHA256Hex(",
        "old-timestamp": "Timestamp expired: Given timestamp (",
        "future-timestamp": "Timestamp expired: Given timestamp (",
        "body-md5-mismatch": "body_md5 does not match the request body",
        "other-apps-key": "Unknown auth_key",
        "signature-for-other-path": "Invalid signature: you should have sent HmacSHA256Hex(",
    }[case]
    if case == "no-auth-params":
        r = a.session.post(f"{a.srv.http_url}{path}", data=json.dumps(GOOD_BODY),
                           headers={"Content-Type": "application/json"}, timeout=10)
    else:
        r = a.trigger(GOOD_BODY, **kw[case])
    assert_error(r, 401, phrase)


def test_invalid_signature_says_what_to_sign_as_pusher_does(api):
    a = api()
    r = a.trigger(GOOD_BODY, signature="0" * 64)
    message = r.json()["error"]
    # Pusher: Invalid signature: you should have sent HmacSHA256Hex("POST\n/apps/<id>/events\nauth_key=…",
    # your_secret_key), but you sent "…"
    assert message.startswith('Invalid signature: you should have sent HmacSHA256Hex("POST\\n/apps/1001/events\\n'
                              'auth_key=main-key&auth_timestamp='), message
    assert message.endswith(f', your_secret_key), but you sent "{"0" * 64}"'), message
    with pytest.raises(pusher.errors.PusherBadAuth, match=r"Invalid signature: you should have sent HmacSHA256Hex"):
        pusher.Pusher(app_id="1001", key="main-key", secret="wrong-secret", host="127.0.0.1",
                      port=a.srv.port, ssl=False, timeout=10).trigger("c", "e", "d")


def test_disabled_app_is_403(api):
    r = api("disabled").trigger(GOOD_BODY)
    assert_error(r, 403, "Application disabled")
    with pytest.raises(pusher.errors.PusherForbidden):
        api("disabled").sdk.trigger("c", "e", "d")


def test_unknown_app_is_404(api, apps):
    from dataclasses import replace

    ghost = replace(apps["main"], id="9999")
    assert_error(api(ghost).trigger(GOOD_BODY), 404)


def test_unknown_path_is_404(api):
    assert_error(api().request("GET", api().path("nope")), 404)
    assert_error(api().request("POST", api().path("events/extra"), body=GOOD_BODY), 404)


# ---- 13. validation errors ---------------------------------------------------------------


@pytest.mark.parametrize("body", [
    "{not json",
    {"channels": ["c"], "data": "d"},
    {"name": "e", "channels": ["c"]},
    {"name": "e", "data": "d"},
    {"name": "e", "channels": [f"c{i}" for i in range(101)], "data": "d"},
    {"name": "e", "channels": ["bad channel"], "data": "d"},
    {"name": "e", "channel": "x" * 201, "data": "d"},
    {"name": "e", "channels": ["c"], "data": "d", "socket_id": "abc"},
    {"name": "e", "channels": ["c"], "data": "d", "socket_id": "1.2.3"},
], ids=["invalid-json", "no-name", "no-data", "no-channels", "101-channels", "bad-channel-name",
        "long-channel-name", "bad-socket-id", "bad-socket-id-2"])
def test_trigger_validation_400(api, body):
    assert_error(api().trigger(body), 400)


def test_batch_over_10_events_is_400(api):
    batch = [{"channel": "c", "name": "e", "data": str(i)} for i in range(11)]
    assert_error(api().request("POST", api().path("batch_events"), body={"batch": batch}), 400,
                 "Batch too large (11 > 10)")
    # The official SDK raises with the body as it came, so code that searches it for Pusher's phrase finds it.
    with pytest.raises(pusher.errors.PusherBadRequest, match=r"Batch too large \(11 > 10\)"):
        api().sdk.trigger_batch(batch)


def test_batch_invalid_json_is_400(api):
    assert_error(api().request("POST", api().path("batch_events"), body="{nope"), 400)


def test_channels_user_count_without_presence_prefix_is_400(api):
    a = api()
    assert_error(a.request("GET", a.path("channels"), query={"info": "user_count"}), 400)
    assert_error(a.request("GET", a.path("channels"), query={"info": "user_count", "filter_by_prefix": "cache-"}),
                 400)


def test_users_of_non_presence_channel_400_body(api):
    a = api()
    assert_error(a.request("GET", a.path("channels/plain-channel/users")), 400)


def test_data_size_limit_413(ws, api, uniq):
    ch = uniq("sized")
    c = ws()
    c.subscribe(ch)
    a = api()
    too_large = "Request Entity Too Large: The data content of this event exceeds the allowed maximum (10240 bytes)"
    assert_error(a.trigger({"name": "big", "channel": ch, "data": "x" * 10241}), 413,
                 too_large + "; the event has 10241 bytes")
    big = [{"channel": ch, "name": "big", "data": "x" * 11264}]
    assert_error(a.request("POST", a.path("batch_events"), body={"batch": big}), 413,
                 too_large + "; batch[0] has 11264 bytes")
    r = a.trigger({"name": "max", "channel": ch, "data": "y" * 10240})
    assert r.status_code == 200, r.text
    assert c.wait_for("max", ch)["data"] == "y" * 10240
    c.expect_silence(0.2)  # the rejected one was not delivered


def test_backend_rate_limit_429(api, uniq):
    a = api("backend")  # backendEventsPerSecond: 2
    responses = [a.trigger({"name": "e", "channel": uniq("r"), "data": "d"}) for _ in range(6)]
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 429}, statuses
    assert 2 <= statuses.count(200) <= 4, statuses  # a burst may straddle one window boundary
    limited = [r for r in responses if r.status_code == 429]
    assert limited, statuses
    assert_error(limited[0], 429)
    time.sleep(1.1)  # pacing: let the rate window pass
    r = a.trigger({"name": "e", "channel": uniq("r"), "data": "d"})
    assert r.status_code == 200, r.text


def test_health_endpoints(server):
    assert requests.get(f"{server.http_url}/healthz", timeout=5).status_code == 200
    assert requests.get(f"{server.http_url}/readyz", timeout=5).status_code == 200


def test_percent_encoded_query_values(ws, api, uniq):
    ch = uniq("presence-enc")
    c = ws()
    c.subscribe_presence(ch, "enc")
    a = api()
    # Signed over the decoded value "user_count,subscription_count", sent as user_count%2Csubscription_count.
    r = a.request("GET", a.path(f"channels/{ch}"), query={"info": "user_count%2Csubscription_count"},
                  sign_query={"info": "user_count,subscription_count"})
    assert r.status_code == 200, r.text
    assert r.json() == {"occupied": True, "user_count": 1, "subscription_count": 1}


def test_batch_socket_id_excludes_that_connection(ws, api, uniq):
    ch = uniq("batch-excl")
    a, b = ws(), ws()
    a.subscribe(ch)
    b.subscribe(ch)
    api().sdk.trigger_batch([{"channel": ch, "name": "skip-a", "data": "1", "socket_id": a.socket_id},
                             {"channel": ch, "name": "all", "data": "2"}])
    assert b.wait_for("skip-a", ch) == event("skip-a", ch, "1")
    assert a.next_frame() == event("all", ch, "2")


def test_batch_with_an_invalid_event_is_rejected_whole(ws, api, uniq):
    ch = uniq("batch-atomic")
    c = ws()
    c.subscribe(ch)
    batch = [{"channel": ch, "name": "ok", "data": "1"}, {"channel": "bad channel", "name": "x", "data": "2"}]
    assert_error(api().request("POST", api().path("batch_events"), body={"batch": batch}), 400)
    c.expect_silence(0.3)
