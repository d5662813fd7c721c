// Node.js server SDK (npm install pusher): host, port and useTLS replace cluster.
import Pusher from "pusher";

const pusher = new Pusher({
  appId: process.env.PUSHER_APP_ID,
  key: process.env.PUSHER_APP_KEY,
  secret: process.env.PUSHER_APP_SECRET,
  host: process.env.PUSHER_HOST,              // was: cluster: "eu"
  port: process.env.PUSHER_PORT,              // 443 behind a TLS proxy
  useTLS: process.env.PUSHER_SCHEME === "https",
});

await pusher.trigger("orders", "order-shipped", { id: 42, status: "shipped" });
