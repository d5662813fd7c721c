// pusher-js pointed at Belfry: wsHost/wsPort/wssPort replace the cluster's ws-<cluster>.pusher.com.
import Pusher from "pusher-js";

const pusher = new Pusher("chat-key", {
  cluster: "",                    // pusher-js throws without one; unused when wsHost is set
  wsHost: "ws.example.com",
  wsPort: 80,                     // used when forceTLS is false
  wssPort: 443,                   // used when forceTLS is true
  forceTLS: true,
  enabledTransports: ["ws", "wss"], // no sockjs/xhr fallbacks: Belfry speaks WebSocket only
  channelAuthorization: { endpoint: "/broadcasting/auth", transport: "ajax" },
  userAuthentication: { endpoint: "/pusher/user-auth", transport: "ajax" },
});

pusher.subscribe("private-orders").bind("order-shipped", (data) => console.log(data));
