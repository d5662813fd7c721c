// Who is online: a member list kept from a presence channel (pusher-js 8).
import Pusher from "pusher-js";

const pusher = new Pusher("chat-key", {
  wsHost: "127.0.0.1",
  wsPort: 6001,
  forceTLS: false,
  enabledTransports: ["ws"],
  cluster: "", // required by the type, unused with wsHost
  // Your endpoint, which knows the user from its session and answers { auth, channel_data }.
  channelAuthorization: { endpoint: "/pusher/auth", transport: "ajax" },
});

const channel = pusher.subscribe("presence-room-42");
const list = document.querySelector("#online");

function render() {
  const names = [];
  channel.members.each((member) => names.push(member.info.name));
  list.textContent = `${channel.members.count} online: ${names.sort().join(", ")}`;
}

// The whole roster, once subscribed (and again after a reconnect).
channel.bind("pusher:subscription_succeeded", render);
// Once per user, not per tab: a second tab of the same user sends nothing.
channel.bind("pusher:member_added", render);
// When the user's last connection leaves.
channel.bind("pusher:member_removed", render);
// Refused: your endpoint said no (status 403 from it), or the channel is full
// (LimitReached, status 403) or user_info is too large (InvalidChannelData, status 400).
channel.bind("pusher:subscription_error", (error) => {
  list.textContent = `Cannot join: ${error.type ?? ""} ${error.error ?? error.status}`;
});
