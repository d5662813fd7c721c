// Publish an event, then ask about the channel, with Go's standard library only: go run trigger.go
package main

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

func env(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

var (
	base   = env("PUSHER_SCHEME", "http") + "://" + env("PUSHER_HOST", "127.0.0.1") + ":" + env("PUSHER_PORT", "6001")
	appID  = env("PUSHER_APP_ID", "1001")
	key    = env("PUSHER_APP_KEY", "chat-key")
	secret = env("PUSHER_APP_SECRET", "chat-secret")
)

// request sends a signed Pusher HTTP API request: the query's parameters sorted by name,
// auth_signature = hex HMAC-SHA256(secret, "METHOD\nPATH\nQUERY").
func request(method, path string, params map[string]string, body []byte) (int, string) {
	params["auth_key"] = key
	params["auth_timestamp"] = strconv.FormatInt(time.Now().Unix(), 10)
	params["auth_version"] = "1.0"
	if len(body) > 0 {
		sum := md5.Sum(body)
		params["body_md5"] = hex.EncodeToString(sum[:])
	}
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	pairs := make([]string, len(names))
	for i, name := range names {
		pairs[i] = name + "=" + params[name]
	}
	query := strings.Join(pairs, "&")
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(method + "\n" + path + "\n" + query))
	url := base + path + "?" + query + "&auth_signature=" + hex.EncodeToString(mac.Sum(nil))

	req, err := http.NewRequest(method, url, strings.NewReader(string(body)))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(answer)
}

func main() {
	data, _ := json.Marshal(map[string]string{"text": "hello from Go"})
	body, _ := json.Marshal(map[string]string{"name": "greeting", "channel": "news", "data": string(data)})
	status, answer := request("POST", "/apps/"+appID+"/events", map[string]string{}, body)
	fmt.Println("trigger:", status, answer) // 200 {}

	status, answer = request("GET", "/apps/"+appID+"/channels/news", map[string]string{"info": "subscription_count"}, nil)
	fmt.Println("news:", status, answer) // 200 {"occupied":true,"subscription_count":1}
}
