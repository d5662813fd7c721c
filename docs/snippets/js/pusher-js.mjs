// Browser (or bundler) client with pusher-js 8 against a self-hosted Belfry.
import Pusher from "pusher-js";

const pusher = new Pusher("chat-key", {
  wsHost: "ws.example.com",      // your Belfry host (127.0.0.1 with `make run`)
  wsPort: 6001,                  // ws:// port: Belfry's --port, or 80 behind a proxy
  wssPort: 443,                  // wss:// port: your TLS proxy
  forceTLS: false,               // true: always wss:// (e.g. on an https:// page)
  enabledTransports: ["ws", "wss"], // no HTTP fallbacks: Belfry speaks WebSocket only
  cluster: "mt1",                // required by pusher-js 8; unused when wsHost is set
  disableStats: true,            // no stats requests to Pusher's servers
  channelAuthorization: {        // private- and presence- channels
    endpoint: "/pusher/auth",    // your auth endpoint (see the server examples)
    transport: "ajax",
    headers: { "X-CSRF-Token": "…" },
  },
  userAuthentication: {          // pusher.signin(): the user's id and info
    endpoint: "/pusher/user-auth",
    transport: "ajax",
  },
});

// Public channel.
pusher.subscribe("news").bind("greeting", (data) => console.log("greeting", data));

// Private channel: the endpoint signs the subscription; client events need clientEvents: true.
const orders = pusher.subscribe("private-orders");
orders.bind("order-paid", (data) => console.log("paid", data.order));
orders.bind("pusher:subscription_error", (error) => console.error("refused", error.status));
orders.bind("pusher:subscription_succeeded", () => orders.trigger("client-typing", { typing: true }));

// Presence channel: the endpoint also answers channel_data (user_id, user_info).
const room = pusher.subscribe("presence-room");
room.bind("pusher:subscription_succeeded", (members) => {
  members.each((member) => console.log("here", member.id, member.info.name));
});
room.bind("pusher:member_added", (member) => console.log("joined", member.id));
room.bind("pusher:member_removed", (member) => console.log("left", member.id));

// Sign the user in: events sent to this user through the HTTP API (send_to_user,
// "#server-to-user-<id>") reach every connection the user signed in on.
pusher.signin();
pusher.user.bind("notice", (data) => console.log("for me", data));
