// Typing indicators with client events on a presence channel (pusher-js 8).
import Pusher from "pusher-js";

const SEND_EVERY_MS = 1000; // at most one client-typing a second per sender
const STOPPED_AFTER_MS = 3000; // hide a name 3 s after its last client-typing

const pusher = new Pusher("chat-key", {
  wsHost: "127.0.0.1",
  wsPort: 6001,
  forceTLS: false,
  enabledTransports: ["ws"],
  cluster: "",
  channelAuthorization: { endpoint: "/pusher/auth", transport: "ajax" },
});
const channel = pusher.subscribe("presence-chat-7");

// Sender: throttle the input events down to one client event per SEND_EVERY_MS.
let lastSent = -Infinity;
document.querySelector("#message").addEventListener("input", () => {
  const now = performance.now();
  if (channel.subscribed && now - lastSent >= SEND_EVERY_MS) {
    lastSent = now;
    channel.trigger("client-typing", {}); // never echoed back to this connection
  }
});

// Receivers: who is typing comes from metadata.user_id, which the server sets on
// presence channels (a sender cannot pretend to be someone else).
const timers = new Map(); // user id → timeout that clears the indicator
const indicator = document.querySelector("#typing");

function render() {
  const names = [...timers.keys()].map((id) => channel.members.get(id)?.info.name ?? id);
  indicator.textContent = names.length ? `${names.join(", ")} typing…` : "";
}

function stopped(id) {
  clearTimeout(timers.get(id));
  timers.delete(id);
  render();
}

channel.bind("client-typing", (data, metadata) => {
  const id = metadata.user_id;
  clearTimeout(timers.get(id));
  timers.set(id, setTimeout(() => stopped(id), STOPPED_AFTER_MS));
  render();
});
channel.bind("pusher:member_removed", (member) => stopped(member.id));
