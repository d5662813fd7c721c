"""Typing indicators with client events: Ann types for two seconds (a key every 50 ms) and sends
client-typing at most once a second; Bob shows "Ann is typing" and clears it 3 s after the last
one. Then Bob types once, which is the first client event Ann receives: hers never come back."""
import asyncio
import json
import time

from pusher_ws import Client

CHANNEL = "presence-chat-7"
SEND_EVERY = 1.0  # seconds between two client-typing events of one sender
STOPPED_AFTER = 3.0  # seconds without client-typing before a receiver hides the indicator


class TypingSender:
    """Call keystroke() on every input event; it sends at most one client-typing per SEND_EVERY."""

    def __init__(self, client):
        self.client = client
        self.last_sent = float("-inf")
        self.sent = 0

    async def keystroke(self):
        now = time.monotonic()
        if now - self.last_sent >= SEND_EVERY:
            self.last_sent = now
            self.sent += 1
            await self.client.trigger(CHANNEL, "client-typing", {})


async def show_typing(bob):
    """Bob's side: who is typing comes from user_id, which Belfry adds on presence channels."""
    received, last_at = 0, None
    while True:
        try:
            message = await bob.next("client-typing", timeout=STOPPED_AFTER if last_at else 10)
        except TimeoutError:
            print(json.dumps({"bob_sees": "ann stopped typing", "quiet_s": round(time.monotonic() - last_at, 1),
                              "received": received}), flush=True)
            return received
        received += 1
        if last_at is None:
            print(json.dumps({"bob_sees": f"{message['user_id']} is typing", "data": message["data"]}), flush=True)
        last_at = time.monotonic()  # each client-typing restarts the STOPPED_AFTER timer


async def main():
    ann = await Client("ann").connect()
    bob = await Client("bob").connect()
    await ann.subscribe(CHANNEL)
    await bob.subscribe(CHANNEL)

    watcher = asyncio.create_task(show_typing(bob))
    sender = TypingSender(ann)
    for _ in range(40):  # 40 keystrokes, 50 ms apart: two seconds of typing
        await sender.keystroke()
        await asyncio.sleep(0.05)
    received = await watcher

    await TypingSender(bob).keystroke()
    first = await ann.next("client-typing", "pusher:error")  # Bob's: Ann never got her own, nor an error
    print(json.dumps({"ann_sent": sender.sent, "bob_received": received,
                      "ann_first_event": {"event": first["event"], "user_id": first.get("user_id")}}), flush=True)
    for client in (ann, bob):
        await client.close()


asyncio.run(main())
