"""Server-side presence from webhooks: keeps who is in each presence channel from member_added /
member_removed, after checking Belfry's signature. Run: PORT=8001 python3 presence_webhook.py"""
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

import pusher

client = pusher.Pusher(
    app_id=os.environ.get("PUSHER_APP_ID", "1001"),
    key=os.environ.get("PUSHER_APP_KEY", "chat-key"),
    secret=os.environ.get("PUSHER_APP_SECRET", "chat-secret"),
)
online = {}  # channel → set of user ids: in your app, a table


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        webhook = client.validate_webhook(
            key=self.headers.get("X-Pusher-Key"), signature=self.headers.get("X-Pusher-Signature"), body=body)
        if webhook is None:  # not signed with this app's secret
            self.send_response(401)
            self.end_headers()
            return
        for event in webhook["events"]:
            members = online.setdefault(event["channel"], set())
            if event["name"] == "member_added":
                members.add(event["user_id"])
            elif event["name"] == "member_removed":
                members.discard(event["user_id"])
            print(json.dumps({"name": event["name"], "channel": event["channel"], "user_id": event["user_id"],
                              "online": sorted(members)}), flush=True)
        self.send_response(200)  # a 2xx tells Belfry this request is delivered
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8001"))), Handler).serve_forever()
