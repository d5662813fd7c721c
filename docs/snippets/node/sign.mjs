// Signs a Pusher HTTP API request (auth_version 1.0) with Node's crypto module only.
import { createHash, createHmac } from "node:crypto";

export const server = {
  scheme: process.env.PUSHER_SCHEME ?? "http",
  host: process.env.PUSHER_HOST ?? "127.0.0.1",
  port: process.env.PUSHER_PORT ?? "6001",
  appId: process.env.PUSHER_APP_ID ?? "1001",
  key: process.env.PUSHER_APP_KEY ?? "chat-key",
  secret: process.env.PUSHER_APP_SECRET ?? "chat-secret",
};

// The URL of a signed request: the query's parameters sorted by name, and
// auth_signature = hex HMAC-SHA256(secret, "METHOD\nPATH\nQUERY").
export function signedUrl(method, path, params = {}, body = "") {
  const all = {
    ...params,
    auth_key: server.key,
    auth_timestamp: String(Math.floor(Date.now() / 1000)), // within 600 s of the server's clock
    auth_version: "1.0",
  };
  if (body) all.body_md5 = createHash("md5").update(body).digest("hex");
  const query = Object.keys(all).sort().map((name) => `${name}=${all[name]}`).join("&");
  const signature = createHmac("sha256", server.secret).update(`${method}\n${path}\n${query}`).digest("hex");
  return `${server.scheme}://${server.host}:${server.port}${path}?${query}&auth_signature=${signature}`;
}
