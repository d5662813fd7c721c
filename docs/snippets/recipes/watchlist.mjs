// Online/offline status of contacts: watchlists (pusher-js 8).
import Pusher from "pusher-js";

const pusher = new Pusher("chat-key", {
  wsHost: "127.0.0.1",
  wsPort: 6001,
  forceTLS: false,
  enabledTransports: ["ws"],
  cluster: "",
  // Your endpoint answers { auth, user_data }; user_data holds the user's id and watchlist.
  userAuthentication: { endpoint: "/pusher/user-auth", transport: "ajax" },
});

const status = new Map(); // user id → "online" | "offline"

function show(event) {
  // event: { name: "online" | "offline", user_ids: [...] }
  for (const id of event.user_ids) status.set(id, event.name);
  for (const [id, state] of status) {
    document.querySelector(`#contact-${id}`)?.classList.toggle("online", state === "online");
  }
}

pusher.user.watchlist.bind("online", show);
pusher.user.watchlist.bind("offline", show);
pusher.signin();
