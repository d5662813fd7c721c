#!/bin/sh
# The admin port (127.0.0.1:9601 by default): readiness, then the live figures with the admin token
# that `belfry serve` generated into data/admin-token.
set -eu
admin=${BELFRY_ADMIN_URL:-http://127.0.0.1:9601}
curl -sS "$admin/readyz"
echo
curl -sS -H "Authorization: Bearer $(cat data/admin-token)" "$admin/api/v1/status" | jq '.apps'
