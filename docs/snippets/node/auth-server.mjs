// Auth endpoints for pusher-js / Laravel Echo. /pusher/auth: POST socket_id and channel_name,
// answer {"auth": "key:signature"} (plus "channel_data" for a presence channel).
// /pusher/user-auth (pusher.signin()): POST socket_id, answer {"auth", "user_data"}.
import { createHmac } from "node:crypto";
import { createServer } from "node:http";

const key = process.env.PUSHER_APP_KEY ?? "chat-key";
const secret = process.env.PUSHER_APP_SECRET ?? "chat-secret";

// Who is asking: replace with your session or token check. null refuses.
const currentUser = (request) => ({ user_id: "alice", user_info: { name: "Alice" } });
// Your rule for who may join which channel.
const maySubscribe = (user, channel) => /^(private|presence)-/.test(channel);

function authorize(socketId, channel, user) {
  const channelData = channel.startsWith("presence-") ? JSON.stringify(user) : undefined;
  // The string to sign: "socket_id:channel_name", plus ":channel_data" for presence.
  const signed = channelData ? `${socketId}:${channel}:${channelData}` : `${socketId}:${channel}`;
  const auth = `${key}:${createHmac("sha256", secret).update(signed).digest("hex")}`;
  return channelData ? { auth, channel_data: channelData } : { auth };
}

function signIn(socketId, user) {
  const userData = JSON.stringify({ id: user.user_id, user_info: user.user_info });
  const signature = createHmac("sha256", secret).update(`${socketId}::user::${userData}`).digest("hex");
  return { auth: `${key}:${signature}`, user_data: userData };
}

const server = createServer(async (request, response) => {
  const reply = (status, body) => {
    response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
  };
  const path = request.url;
  if (request.method !== "POST" || !["/pusher/auth", "/pusher/user-auth"].includes(path)) {
    return reply(404, { error: "not found" });
  }
  let raw = "";
  for await (const chunk of request) raw += chunk;
  const form = (request.headers["content-type"] ?? "").startsWith("application/json")
    ? JSON.parse(raw || "{}")
    : Object.fromEntries(new URLSearchParams(raw)); // pusher-js posts a form
  const { socket_id: socketId = "", channel_name: channel = "" } = form;
  const user = currentUser(request);
  if (!/^\d+\.\d+$/.test(socketId)) return reply(400, { error: "bad socket_id" });
  if (path === "/pusher/user-auth") {
    if (!user) return reply(403, { error: "forbidden" });
    console.log("signed in", user.user_id, "on", socketId);
    return reply(200, signIn(socketId, user));
  }
  if (!user || !maySubscribe(user, channel)) return reply(403, { error: "forbidden" });
  console.log("authorized", channel, "for", socketId);
  reply(200, authorize(socketId, channel, user));
});

const port = Number(process.env.PORT ?? 8000);
server.listen(port, "127.0.0.1", () => console.log(`auth endpoint on http://127.0.0.1:${port}/pusher/auth`));
