"""The app server's side of the recipes: the two endpoints pusher-js calls before Belfry lets a
browser into a presence channel (POST /pusher/auth) or signs it in as a user with a watchlist
(POST /pusher/user-auth). Run: PORT=8000 python3 auth_server.py"""
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

# Stand-ins for your user database: what others see of a user, and whose status each user follows.
PROFILES = {
    "ann": {"name": "Ann", "color": "#e6194b"},
    "bob": {"name": "Bob", "color": "#3cb44b"},
    "cid": {"name": "Cid", "color": "#4363d8"},
}
CONTACTS = {"ann": ["bob", "cid"], "bob": ["ann"], "cid": ["ann"]}


def current_user(form):
    """Stand-in for your session lookup. This demo trusts a `user` form field: a real endpoint
    takes the user from its session cookie, never from what the browser says."""
    user = form.get("user", [""])[0]
    return user if user in PROFILES else None


def channel_auth(socket_id, channel, user):
    """The answer to POST /pusher/auth: a signature, plus channel_data on presence channels."""
    if channel.startswith("presence-"):
        member = {"user_id": user, "user_info": PROFILES[user]}
        return client.authenticate(channel=channel, socket_id=socket_id, custom_data=member)
    return client.authenticate(channel=channel, socket_id=socket_id)


def user_auth(socket_id, user):
    """The answer to POST /pusher/user-auth: signed user_data with the user's watchlist."""
    user_data = {"id": user, "user_info": PROFILES[user], "watchlist": CONTACTS.get(user, [])}
    return client.authenticate_user(socket_id, user_data)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        # pusher-js posts a form: socket_id, and channel_name for channel authorization.
        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
        socket_id = form.get("socket_id", [""])[0]
        user = current_user(form)
        if user is None:
            return self.answer(403, {"error": "not signed in"})
        if self.path == "/pusher/auth":
            channel = form.get("channel_name", [""])[0]
            if not channel.startswith(("presence-", "private-")):
                return self.answer(400, {"error": "not a private or presence channel"})
            return self.answer(200, channel_auth(socket_id, channel, user))
        if self.path == "/pusher/user-auth":
            return self.answer(200, user_auth(socket_id, user))
        self.answer(404, {"error": "not found"})

    def answer(self, status, body):
        text = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8000"))
    print(json.dumps({"listening": port}), flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
