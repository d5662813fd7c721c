"""Webhook receiver: checks X-Pusher-Signature (hex HMAC-SHA256 of the raw body with the app
secret) before trusting anything in the request, and answers 401 when it does not match."""
import hashlib
import hmac
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = os.environ.get("PUSHER_APP_KEY", "chat-key")
SECRET = os.environ.get("PUSHER_APP_SECRET", "chat-secret").encode()


class WebhookReceiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))  # the raw bytes
        expected = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        signature = self.headers.get("X-Pusher-Signature", "")
        if self.headers.get("X-Pusher-Key") != KEY or not hmac.compare_digest(expected, signature):
            print("rejected: bad signature", flush=True)
            return self.answer(401)
        payload = json.loads(body)
        for event in payload["events"]:  # one event, or up to 100 with batch: true
            print("verified", event["name"], event.get("channel", event.get("socket_id", "")), flush=True)
        self.answer(200)  # any 2xx: Belfry retries other answers (5xx, 429, timeouts)

    def answer(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


port = int(os.environ.get("PORT", "8000"))
print(f"webhook receiver on http://127.0.0.1:{port}/pusher/webhook", flush=True)
ThreadingHTTPServer(("127.0.0.1", port), WebhookReceiver).serve_forever()
