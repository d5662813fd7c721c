// Webhook receiver, standard library only: PORT=8000 go run webhook.go
// Checks X-Pusher-Signature (hex HMAC-SHA256 of the raw body with the app secret) first.
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"
)

func env(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

var (
	key    = env("PUSHER_APP_KEY", "chat-key")
	secret = env("PUSHER_APP_SECRET", "chat-secret")
)

func verified(r *http.Request, body []byte) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	expected := hex.EncodeToString(mac.Sum(nil))
	return r.Header.Get("X-Pusher-Key") == key &&
		hmac.Equal([]byte(expected), []byte(r.Header.Get("X-Pusher-Signature")))
}

func receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20)) // the raw body, exactly as signed
	if err != nil || r.Method != http.MethodPost || !verified(r, body) {
		log.Print("rejected: bad signature")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var payload struct {
		TimeMS int64 `json:"time_ms"`
		Events []struct {
			Name     string `json:"name"`
			Channel  string `json:"channel"`
			SocketID string `json:"socket_id"`
			UserID   string `json:"user_id"`
		} `json:"events"`
	}
	if err := json.Unmarshal(body, &payload); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	for _, event := range payload.Events {
		about := event.Channel
		if about == "" {
			about = event.SocketID
		}
		log.Printf("verified %s %s", event.Name, about)
	}
	w.WriteHeader(http.StatusOK) // any 2xx; Belfry retries 5xx, 429 and timeouts
}

func main() {
	http.HandleFunc("/pusher/webhook", receive)
	address := "127.0.0.1:" + env("PORT", "8000")
	log.Printf("webhook receiver on http://%s/pusher/webhook", address)
	log.Fatal(http.ListenAndServe(address, nil))
}
