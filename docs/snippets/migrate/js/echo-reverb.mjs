// resources/js/echo.js as `php artisan install:broadcasting` writes it for Reverb: unchanged.
// Echo's "reverb" broadcaster is its pusher connector with cluster "", so it talks to Belfry
// as soon as VITE_REVERB_HOST, VITE_REVERB_PORT and VITE_REVERB_SCHEME point there.
import Echo from "laravel-echo";
import Pusher from "pusher-js";

window.Pusher = Pusher;

window.Echo = new Echo({
  broadcaster: "reverb",
  key: import.meta.env.VITE_REVERB_APP_KEY,
  wsHost: import.meta.env.VITE_REVERB_HOST,
  wsPort: import.meta.env.VITE_REVERB_PORT ?? 80,
  wssPort: import.meta.env.VITE_REVERB_PORT ?? 443,
  forceTLS: (import.meta.env.VITE_REVERB_SCHEME ?? "https") === "https",
  enabledTransports: ["ws", "wss"],
});
