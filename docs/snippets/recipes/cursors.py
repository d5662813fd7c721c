"""Live cursors with client events: Ann's pointer moves 60 times a second for two seconds; she
sends only the latest position once per tick, RATE ticks a second, so no event is refused. Bob
draws her cursor in her color from the presence roster. With --every-move she sends each move
instead, over clientEventsPerSecond, and the server refuses the excess (4301)."""
import asyncio
import json
import math
import sys
import time

import websockets

from pusher_ws import Client

CHANNEL = "presence-board-7"
RATE = 10  # sends per second: the app's clientEventsPerSecond (default 10), less any other client events
MOVES_PER_SECOND, SECONDS = 60, 2


class CursorSender:
    """move() on every pointer event; run() sends the latest position once per tick if it changed."""

    def __init__(self, client):
        self.client, self.latest, self.last_sent, self.sent = client, None, None, 0

    def move(self, x, y):
        self.latest = {"x": x, "y": y}

    async def run(self, done):
        while True:
            if self.latest != self.last_sent:
                self.last_sent = self.latest
                self.sent += 1
                await self.client.trigger(CHANNEL, "client-cursor", self.latest)
            elif done.is_set():
                return  # the final position has been sent
            await asyncio.sleep(1 / RATE)


def pointer(i):
    """A pointer going round a circle: where Ann's mouse is at move i."""
    angle = 2 * math.pi * i / (MOVES_PER_SECOND * SECONDS)
    return round(400 + 200 * math.cos(angle)), round(300 + 200 * math.sin(angle))


async def main(every_move):
    ann = await Client("ann").connect()
    bob = await Client("bob").connect()
    await ann.subscribe(CHANNEL)
    roster = (await bob.subscribe(CHANNEL))["presence"]["hash"]  # user id → user_info (name, color)

    moves = MOVES_PER_SECOND * SECONDS
    sender, done, sent = CursorSender(ann), asyncio.Event(), 0
    started = time.monotonic()
    ticker = None if every_move else asyncio.create_task(sender.run(done))
    try:
        for i in range(moves):
            x, y = pointer(i)
            if every_move:  # what not to do: one client event per pointer event
                await ann.trigger(CHANNEL, "client-cursor", {"x": x, "y": y})
                sent += 1
            else:
                sender.move(x, y)
            await asyncio.sleep(1 / MOVES_PER_SECOND)
    except websockets.ConnectionClosed:
        pass  # the server closed Ann's connection (disconnectOnAbuse)
    if ticker:
        done.set()
        await ticker
        sent = sender.sent
    seconds = time.monotonic() - started

    answers = await ann.drain()  # what the server said to Ann about her events
    refused = [m["data"] for m in answers if m["event"] == "pusher:error"]
    closed = next(({"code": m["code"], "reason": m["reason"]} for m in answers if m["event"] == "closed"), None)
    cursors = [m for m in await bob.drain() if m["event"] == "client-cursor"]
    last = cursors[-1] if cursors else None
    print(json.dumps({
        "mode": "every-move" if every_move else f"coalesced at {RATE}/s", "moves": moves,
        "seconds": round(seconds, 1), "sent": sent, "refused": len(refused),
        "refusal": refused[0] if refused else None, "closed": closed,
        "bob_received": len(cursors), "senders": sorted({m["user_id"] for m in cursors}),
        "color": roster[last["user_id"]]["color"] if last else None,
        "final_position_shown": bool(last) and (last["data"]["x"], last["data"]["y"]) == pointer(moves - 1),
    }), flush=True)
    await bob.close()
    if not closed:
        await ann.close()


asyncio.run(main("--every-move" in sys.argv))
