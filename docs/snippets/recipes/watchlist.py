"""Online/offline status of contacts, from watchlists: Ann signs in watching Bob and Cid, Bob
comes online in two tabs and leaves, then Cid comes online. Needs auth_server.py (AUTH_URL)."""
import asyncio
import json

from pusher_ws import Client


async def main():
    status = {}

    def apply(message):
        for group in message["data"]["events"]:  # {"name": "online"|"offline", "user_ids": [...]}
            for user_id in group["user_ids"]:
                status[user_id] = group["name"]
        print(json.dumps({"events": message["data"]["events"], "status": dict(sorted(status.items()))}), flush=True)

    ann = await Client("ann").connect()
    await ann.signin()  # user_data.watchlist is ["bob", "cid"]: the first event says who is online now
    apply(await ann.next("pusher_internal:watchlist_events"))

    bob_tab1 = await Client("bob").connect()
    await bob_tab1.signin()
    apply(await ann.next("pusher_internal:watchlist_events"))  # online: bob
    bob_tab2 = await Client("bob").connect()
    await bob_tab2.signin()  # already online: nothing is sent, and closing tab 1 keeps him online
    await bob_tab1.close()
    await bob_tab2.close()  # his last signed-in connection: offline
    apply(await ann.next("pusher_internal:watchlist_events"))

    cid = await Client("cid").connect()
    await cid.signin()
    apply(await ann.next("pusher_internal:watchlist_events"))  # online: cid, nothing for bob in between
    for client in (ann, cid):
        await client.close()


asyncio.run(main())
