// Auth endpoints for pusher-js / Laravel Echo, standard library only: PORT=8000 go run auth.go
// /pusher/auth signs private and presence subscriptions; /pusher/user-auth signs pusher.signin().
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"regexp"
	"strings"
)

func env(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

var (
	key      = env("PUSHER_APP_KEY", "chat-key")
	secret   = env("PUSHER_APP_SECRET", "chat-secret")
	socketID = regexp.MustCompile(`^\d+\.\d+$`)
)

type member struct {
	UserID   string            `json:"user_id"`
	UserInfo map[string]string `json:"user_info,omitempty"`
}

// currentUser says who is asking: replace with your session or token check. nil refuses.
func currentUser(r *http.Request) *member {
	return &member{UserID: "alice", UserInfo: map[string]string{"name": "Alice"}}
}

func sign(text string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(text))
	return key + ":" + hex.EncodeToString(mac.Sum(nil))
}

func reply(w http.ResponseWriter, status int, body map[string]string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func authorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		reply(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var form struct {
		SocketID string `json:"socket_id"`
		Channel  string `json:"channel_name"`
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		json.NewDecoder(r.Body).Decode(&form)
	} else { // pusher-js posts a form
		form.SocketID, form.Channel = r.PostFormValue("socket_id"), r.PostFormValue("channel_name")
	}
	user := currentUser(r)
	if !socketID.MatchString(form.SocketID) {
		reply(w, http.StatusBadRequest, map[string]string{"error": "bad socket_id"})
		return
	}
	if r.URL.Path == "/pusher/user-auth" && user != nil {
		data, _ := json.Marshal(map[string]interface{}{"id": user.UserID, "user_info": user.UserInfo})
		userData := string(data)
		log.Printf("signed in %s on %s", user.UserID, form.SocketID)
		reply(w, http.StatusOK, map[string]string{
			"auth":      sign(form.SocketID + "::user::" + userData),
			"user_data": userData,
		})
		return
	}
	presence := strings.HasPrefix(form.Channel, "presence-")
	if user == nil || !(presence || strings.HasPrefix(form.Channel, "private-")) {
		reply(w, http.StatusForbidden, map[string]string{"error": "forbidden"})
		return
	}
	log.Printf("authorized %s for %s", form.Channel, form.SocketID)
	if presence {
		data, _ := json.Marshal(user)
		channelData := string(data)
		reply(w, http.StatusOK, map[string]string{
			"auth":         sign(form.SocketID + ":" + form.Channel + ":" + channelData),
			"channel_data": channelData,
		})
		return
	}
	reply(w, http.StatusOK, map[string]string{"auth": sign(form.SocketID + ":" + form.Channel)})
}

func main() {
	http.HandleFunc("/pusher/auth", authorize)
	http.HandleFunc("/pusher/user-auth", authorize)
	address := "127.0.0.1:" + env("PORT", "8000")
	log.Printf("auth endpoint on http://%s/pusher/auth", address)
	log.Fatal(http.ListenAndServe(address, nil))
}
