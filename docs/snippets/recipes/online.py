"""Who is online, from a presence channel: Ann keeps a member list while Bob opens two tabs and
closes them, then Cid joins. Prints one JSON line per change. Needs auth_server.py (AUTH_URL)."""
import asyncio
import json
import os

import pusher

from pusher_ws import Client

CHANNEL = "presence-room-42"
api = pusher.Pusher(
    app_id=os.environ.get("PUSHER_APP_ID", "1001"), key=os.environ.get("PUSHER_APP_KEY", "chat-key"),
    secret=os.environ.get("PUSHER_APP_SECRET", "chat-secret"), host=os.environ.get("PUSHER_HOST", "127.0.0.1"),
    port=int(os.environ.get("PUSHER_PORT", "6001")), ssl=os.environ.get("PUSHER_SCHEME", "http") == "https")


class MemberList:
    """What a page keeps: user id → user_info, from subscription_succeeded, member_added/removed."""

    def __init__(self, succeeded):
        self.members = dict(succeeded["presence"]["hash"])
        self.show("subscription_succeeded")

    def apply(self, message):
        if message["event"] == "pusher_internal:member_added":
            self.members[message["data"]["user_id"]] = message["data"].get("user_info")
        elif message["event"] == "pusher_internal:member_removed":
            self.members.pop(message["data"]["user_id"], None)
        self.show(message["event"].split(":")[1], message["data"]["user_id"])

    def show(self, event, user_id=None):
        online = sorted(info["name"] for info in self.members.values())
        print(json.dumps({"event": event, "user_id": user_id, "online": online}), flush=True)


def users_endpoint():
    """GET /apps/{id}/channels/{channel}/users, as a server sees the channel."""
    ids = sorted(user["id"] for user in api.users_info(CHANNEL)["users"])
    print(json.dumps({"event": "GET users", "users": ids}), flush=True)


async def main():
    ann = await Client("ann").connect()
    roster = MemberList(await ann.subscribe(CHANNEL))
    membership = ("pusher_internal:member_added", "pusher_internal:member_removed")

    bob_tab1 = await Client("bob").connect()
    await bob_tab1.subscribe(CHANNEL)
    roster.apply(await ann.next(*membership))  # member_added bob
    users_endpoint()

    bob_tab2 = await Client("bob").connect()  # a second tab of the same user: no member_added
    second = await bob_tab2.subscribe(CHANNEL)
    print(json.dumps({"event": "bob's second tab", "count": second["presence"]["count"]}), flush=True)
    await bob_tab1.close()  # not his last connection: no member_removed
    await bob_tab2.close()  # his last one: member_removed bob
    roster.apply(await ann.next(*membership))

    cid = await Client("cid").connect()
    await cid.subscribe(CHANNEL)
    roster.apply(await ann.next(*membership))  # member_added cid: nothing came for bob in between
    users_endpoint()
    for client in (ann, cid):
        await client.close()


asyncio.run(main())
