#!/bin/sh
# A first configuration: one App and one User, written into ./config.
set -eu
mkdir -p config

cat > config/chat.yaml <<'YAML'
apiVersion: belfry.dev/v1
kind: App
metadata:
  name: chat
spec:
  id: "1001"                        # the Pusher app_id: a quoted string
  key: chat-key                     # what clients connect with: ws://HOST:6001/app/chat-key
  secret: { value: chat-secret }    # signs the HTTP API and channel auth; see Credentials
  allowedOrigins: ["*"]             # any origin; list your sites' origins before going live
  clientEvents: true                # client-* events on private and presence channels
YAML

# The status page's sign-in. This hash is the example password "belfry-demo": make your own with
#   python3 -c 'import bcrypt; print(bcrypt.hashpw(b"…", bcrypt.gensalt(12)).decode())'
cat > config/users.yaml <<'YAML'
apiVersion: belfry.dev/v1
kind: User
metadata:
  name: alice
spec:
  email: alice@example.com
  passwordHash: "$2b$12$InrMaDE5au.eiam70MG4CetAzsnPY6D5QCa63w8J7rV8RyX5jCV1C"
YAML
