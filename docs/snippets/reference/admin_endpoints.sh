#!/bin/sh
# The admin port's open endpoints, then /api/v1 with a token.
set -eu
ADMIN=${BELFRY_ADMIN_URL:-http://127.0.0.1:9601}

curl -sS "$ADMIN/healthz"; echo                       # {"status":"ok"}
curl -sS "$ADMIN/readyz"; echo                        # 200 ready, 503 not ready
curl -sS "$ADMIN/readyz?verbose" | jq -c '.checks.capacity'
curl -sS "$ADMIN/metrics" | grep -E '^belfry_(connected|new_connections_total)\{'
# /api/v1: a User's API token (belfry token new), or the admin token from DATA_DIR/admin-token.
curl -sS -H "Authorization: Bearer $BELFRY_API_TOKEN" "$ADMIN/api/v1/reconcile" | jq -c '{lastResult, consecutiveFailures}'
