// Live cursors: the latest pointer position, sent once per tick (pusher-js 8).
import Pusher from "pusher-js";

// clientEventsPerSecond of the app (default 10), less what this connection sends otherwise.
const RATE = 10;

const pusher = new Pusher("chat-key", {
  wsHost: "127.0.0.1",
  wsPort: 6001,
  forceTLS: false,
  enabledTransports: ["ws"],
  cluster: "",
  channelAuthorization: { endpoint: "/pusher/auth", transport: "ajax" },
});
const channel = pusher.subscribe("presence-board-7");

// Sender: pointer events only record the position; a timer sends the latest one, if it moved.
let latest = null;
let lastSent = null;
document.addEventListener("pointermove", (event) => {
  latest = { x: Math.round(event.pageX), y: Math.round(event.pageY) };
});
setInterval(() => {
  if (channel.subscribed && latest !== lastSent) {
    lastSent = latest;
    channel.trigger("client-cursor", latest);
  }
}, 1000 / RATE);

// Receivers: one element per user, in the color the auth endpoint put in user_info.
const cursors = new Map(); // user id → element

channel.bind("client-cursor", (position, metadata) => {
  let element = cursors.get(metadata.user_id);
  if (!element) {
    const member = channel.members.get(metadata.user_id);
    element = document.createElement("div");
    element.className = "cursor";
    element.textContent = member?.info.name ?? metadata.user_id;
    element.style.background = member?.info.color ?? "gray";
    element.style.transition = `transform ${1000 / RATE}ms linear`; // glide between updates
    document.body.append(element);
    cursors.set(metadata.user_id, element);
  }
  element.style.transform = `translate(${position.x}px, ${position.y}px)`;
});
channel.bind("pusher:member_removed", (member) => {
  cursors.get(member.id)?.remove();
  cursors.delete(member.id);
});

// Over the limit the server refuses the event with pusher:error 4301 (the connection stays
// open), or closes the connection with 4301 when the app sets disconnectOnAbuse: pusher-js
// then does not reconnect by itself.
pusher.connection.bind("error", (error) => {
  if (error?.data?.code === 4301) console.warn("client event refused:", error.data.message);
});
