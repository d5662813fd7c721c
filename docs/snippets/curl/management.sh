#!/bin/sh
# Provision an app through the management API (admin port) with a User's API token
# (belfry token new), publish to it with the credentials it answers, rotate its secret, delete it.
set -eu
API="${BELFRY_ADMIN_URL:-http://127.0.0.1:9601}/api/v1"
AUTH="Authorization: Bearer $BELFRY_API_TOKEN"
JSON='Content-Type: application/json'
app='{"apiVersion":"belfry.dev/v1","kind":"App","metadata":{"name":"shop"},
      "spec":{"allowedOrigins":["https://shop.example.com"]}}'

# 1. Dry run: the plan, nothing written.
curl -fsS -X POST "$API/apps?dryRun=true" -H "$AUTH" -H "$JSON" -d "$app" | jq -r .plan.summary
# Plan: 1 to add, 0 to change, 0 to delete. Source: …+change "create App shop" by alice

# 2. Create it: no id, key or secret given, so the server generates them; the secret is kept by
#    the server (never written to the source) and answered only here.
answer=$(curl -fsS -X POST "$API/apps" -H "$AUTH" -H "$JSON" -d "$app")
echo "created: $(echo "$answer" | jq -r .pass.result)" # created: applied
PUSHER_APP_ID=$(echo "$answer" | jq -r .object.spec.id)
PUSHER_APP_KEY=$(echo "$answer" | jq -r .object.spec.key)
PUSHER_APP_SECRET=$(echo "$answer" | jq -r .generatedSecret)
export PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET

# 3. Read it back: the manifest and its live status (a secret given as a value shows as "********").
curl -fsS "$API/apps/shop" -H "$AUTH" | jq -c '{id: .spec.id, key: .spec.key, applied: .status.applied}'
# {"id":"4821734","key":"…","applied":true}

# 4. Publish to it with those credentials.
echo "trigger: $(sh "$(dirname "$0")/trigger.sh")" # trigger: {}

# 5. Rotate the secret; the old one keeps verifying for 10 minutes.
curl -fsS -X POST "$API/apps/shop/rotate-secret" -H "$AUTH" -H "$JSON" -d '{"gracePeriodSeconds":600}' |
  jq -c '{rotated: .pass.result, until: .previousSecretValidUntil}'

# 6. Delete it: its connections are closed with 4001, its file and generated secret are gone.
echo "deleted: $(curl -fsS -X DELETE "$API/apps/shop" -H "$AUTH" | jq -r .pass.result)" # deleted: applied
