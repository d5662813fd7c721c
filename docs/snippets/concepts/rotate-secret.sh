#!/bin/sh
# Rotate the secret of the app chat; the old one keeps verifying for 10 more minutes.
set -eu
ADMIN="${BELFRY_ADMIN_URL:-http://127.0.0.1:9601}"
curl -fsS -X POST "$ADMIN/api/v1/apps/chat/rotate-secret" \
  -H "Authorization: Bearer $BELFRY_API_TOKEN" \
  -H 'Content-Type: application/json' \
  -d '{"gracePeriodSeconds":600}' |
  jq '{secret, previousSecretValidUntil, result: .pass.result}'
