"""A webhook endpoint that checks Belfry's signature before it trusts an event (stdlib only)."""
import hashlib
import hmac
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

APP_KEY = os.environ.get("PUSHER_APP_KEY", "chat-key")
APP_SECRET = os.environ.get("PUSHER_APP_SECRET", "chat-secret").encode()


class Webhook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = hmac.new(APP_SECRET, body, hashlib.sha256).hexdigest()
        signature = self.headers.get("X-Pusher-Signature", "")
        if self.headers.get("X-Pusher-Key") != APP_KEY or not hmac.compare_digest(signature, expected):
            self.send_response(401)  # a 4xx other than 408/425/429 is not retried
            self.end_headers()
            return
        payload = json.loads(body)
        for event in payload["events"]:
            print(payload["time_ms"], json.dumps(event, sort_keys=True), flush=True)
        self.send_response(200)  # any 2xx: delivered, removed from the outbox
        self.end_headers()

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8000"))), Webhook).serve_forever()
