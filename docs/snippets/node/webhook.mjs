// Webhook receiver: checks X-Pusher-Signature (hex HMAC-SHA256 of the raw body with the app
// secret) before trusting the request; answers 401 when it does not match.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const key = process.env.PUSHER_APP_KEY ?? "chat-key";
const secret = process.env.PUSHER_APP_SECRET ?? "chat-secret";

function verified(headers, body) {
  const expected = Buffer.from(createHmac("sha256", secret).update(body).digest("hex"));
  const given = Buffer.from(String(headers["x-pusher-signature"] ?? ""));
  return headers["x-pusher-key"] === key && given.length === expected.length && timingSafeEqual(given, expected);
}

const server = createServer(async (request, response) => {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const body = Buffer.concat(chunks); // the raw bytes, as signed
  if (request.method !== "POST" || !verified(request.headers, body)) {
    console.log("rejected: bad signature");
    return response.writeHead(401).end();
  }
  for (const event of JSON.parse(body).events) {
    console.log("verified", event.name, event.channel ?? event.socket_id ?? "");
  }
  response.writeHead(200).end(); // any 2xx; Belfry retries 5xx, 429 and timeouts
});

const port = Number(process.env.PORT ?? 8000);
server.listen(port, "127.0.0.1", () => console.log(`webhook receiver on http://127.0.0.1:${port}/pusher/webhook`));
