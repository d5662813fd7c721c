"""Auth endpoints. /pusher/auth: pusher-js (channelAuthorization.endpoint) and Laravel Echo
(authEndpoint) POST socket_id and channel_name here before subscribing to a private- or
presence- channel; the answer, signed with the app secret, goes into pusher:subscribe.
/pusher/user-auth: pusher.signin() (userAuthentication.endpoint) POSTs socket_id; the answer
goes into pusher:signin."""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pusher

client = pusher.Pusher(
    app_id=os.environ.get("PUSHER_APP_ID", "1001"),
    key=os.environ.get("PUSHER_APP_KEY", "chat-key"),
    secret=os.environ.get("PUSHER_APP_SECRET", "chat-secret"),
)


def current_user(request):
    """Who is asking: replace with your session or token check. None refuses."""
    return {"user_id": "alice", "user_info": {"name": "Alice"}}


def may_subscribe(user, channel):
    """Your rule for who may join which channel."""
    return channel.startswith(("private-", "presence-"))


class AuthEndpoint(BaseHTTPRequestHandler):
    def do_POST(self):
        if self.path not in ("/pusher/auth", "/pusher/user-auth"):
            return self.answer(404, {"error": "not found"})
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if self.headers.get("Content-Type", "").startswith("application/json"):
            form = json.loads(raw or "{}")
        else:  # pusher-js sends application/x-www-form-urlencoded
            form = {k: v[0] for k, v in parse_qs(raw).items()}
        socket_id, channel = form.get("socket_id", ""), form.get("channel_name", "")
        user = current_user(self)
        if self.path == "/pusher/user-auth":
            return self.sign_in(socket_id, user)
        if user is None or not may_subscribe(user, channel):
            return self.answer(403, {"error": "forbidden"})
        presence = user if channel.startswith("presence-") else None
        try:
            # {"auth": "key:hmac"}, plus "channel_data" for a presence channel
            body = client.authenticate(channel=channel, socket_id=socket_id, custom_data=presence)
        except ValueError as error:  # a malformed socket_id or channel name
            return self.answer(400, {"error": str(error)})
        print("authorized", channel, "for", socket_id, flush=True)
        self.answer(200, body)

    def sign_in(self, socket_id, user):
        if user is None:
            return self.answer(403, {"error": "forbidden"})
        try:
            # {"auth": "key:hmac", "user_data": "{\"id\": …}"}: the signed-in user's id and info
            body = client.authenticate_user(socket_id, {"id": user["user_id"], "user_info": user["user_info"]})
        except ValueError as error:
            return self.answer(400, {"error": str(error)})
        print("signed in", user["user_id"], "on", socket_id, flush=True)
        self.answer(200, body)

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


port = int(os.environ.get("PORT", "8000"))
print(f"auth endpoint on http://127.0.0.1:{port}/pusher/auth", flush=True)
ThreadingHTTPServer(("127.0.0.1", port), AuthEndpoint).serve_forever()
