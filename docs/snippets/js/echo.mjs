// resources/js/echo.js (Laravel): Echo on pusher-js against Belfry.
import Echo from "laravel-echo";
import Pusher from "pusher-js";

window.Pusher = Pusher;

window.Echo = new Echo({
  broadcaster: "pusher",
  key: import.meta.env.VITE_PUSHER_APP_KEY,           // the App's spec.key
  cluster: import.meta.env.VITE_PUSHER_APP_CLUSTER ?? "mt1", // required, unused with wsHost
  wsHost: import.meta.env.VITE_PUSHER_HOST,           // your Belfry host
  wsPort: import.meta.env.VITE_PUSHER_PORT ?? 80,
  wssPort: import.meta.env.VITE_PUSHER_PORT ?? 443,
  forceTLS: (import.meta.env.VITE_PUSHER_SCHEME ?? "https") === "https",
  enabledTransports: ["ws", "wss"],
  disableStats: true,
  authEndpoint: "/broadcasting/auth",                  // Laravel's route: signs private- and presence-
});

// Private channel "private-orders.42": routes/channels.php decides who may subscribe.
window.Echo.private("orders.42")
  .listen("OrderShipped", (event) => console.log("shipped", event.order.id))
  .error((error) => console.error("refused", error)); // fires on pusher:subscription_error

// Presence channel "presence-chat.1".
window.Echo.join("chat.1")
  .here((users) => console.log("here", users))
  .joining((user) => console.log("joined", user.name))
  .leaving((user) => console.log("left", user.name));
