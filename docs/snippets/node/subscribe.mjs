// A Pusher client in Node without packages: the WebSocket global of Node 22+, or of Node 20/21
// with --experimental-websocket. Subscribes to "news" and, through the auth endpoint, to
// "private-orders", and prints every event.
const scheme = process.env.PUSHER_SCHEME === "https" ? "wss" : "ws";
const host = process.env.PUSHER_HOST ?? "127.0.0.1";
const port = process.env.PUSHER_PORT ?? "6001";
const key = process.env.PUSHER_APP_KEY ?? "chat-key";
const authUrl = process.env.AUTH_URL ?? "http://127.0.0.1:8000/pusher/auth";

const socket = new WebSocket(`${scheme}://${host}:${port}/app/${key}?protocol=7&client=node&version=1.0`);
const send = (event, data) => socket.send(JSON.stringify({ event, data }));

async function authorize(socketId, channel) {
  const response = await fetch(authUrl, {
    method: "POST",
    body: new URLSearchParams({ socket_id: socketId, channel_name: channel }), // a form, as pusher-js posts
  });
  if (!response.ok) throw new Error(`auth endpoint answered ${response.status}`);
  return response.json(); // { auth, channel_data? }
}

socket.addEventListener("message", async ({ data }) => {
  const message = JSON.parse(data);
  switch (message.event) {
    case "pusher:connection_established": {
      const { socket_id: socketId } = JSON.parse(message.data);
      console.log("connected", socketId);
      send("pusher:subscribe", { channel: "news" });
      send("pusher:subscribe", { channel: "private-orders", ...(await authorize(socketId, "private-orders")) });
      break;
    }
    case "pusher:ping":
      send("pusher:pong", {});
      break;
    default:
      console.log(message.event, message.channel ?? "-", message.data ?? "");
  }
});
socket.addEventListener("close", ({ code, reason }) => console.log("closed", code, reason));
