// Publish an event, then ask about the channel: Node 18+ (fetch), no package needed.
import { server, signedUrl } from "./sign.mjs";

const path = `/apps/${server.appId}/events`;
// data is a string: the JSON your subscribers parse.
const body = JSON.stringify({ name: "greeting", channel: "news", data: JSON.stringify({ text: "hello from Node" }) });
const published = await fetch(signedUrl("POST", path, {}, body), {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body,
});
console.log("trigger:", published.status, await published.text()); // 200 {}

const channel = `/apps/${server.appId}/channels/news`;
const info = await fetch(signedUrl("GET", channel, { info: "subscription_count" }));
console.log("news:", info.status, await info.text()); // 200 {"occupied":true,"subscription_count":1}
