#!/usr/bin/env bash
# A first pconn call with curl: get a token, place a campaign call, poll until it ends.
#   PCONN_URL=http://127.0.0.1:8080 PCONN_CLIENT_ID=… PCONN_CLIENT_SECRET=… ./first-call.sh
# Optional: PCONN_CAMPAIGN (default sandbox-demo, created by `npm start` on a fresh sandbox
# install) and PCONN_TO (default +12125550100: a sandbox number that answers at once).
# Needs curl and node (only to read JSON; jq works just as well).
set -euo pipefail

url="${PCONN_URL:-http://127.0.0.1:8080}"
campaign="${PCONN_CAMPAIGN:-sandbox-demo}"
to="${PCONN_TO:-+12125550100}"
json() { node -p "JSON.parse(require('fs').readFileSync(0, 'utf8'))$1"; }

# 1. An access token (OAuth 2.0 client credentials, HTTP Basic client auth).
token=$(curl -sS --fail-with-body -u "$PCONN_CLIENT_ID:$PCONN_CLIENT_SECRET" \
  -d grant_type=client_credentials "$url/oauth/token" | json .access_token)

# 2. A personal-connection call: the agent rings first, then the contact (upserted inline).
#    The Idempotency-Key makes a retried POST safe: the same key never creates a second call.
call=$(curl -sS --fail-with-body -X POST "$url/v1/campaigns/$campaign/calls" \
  -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -H "idempotency-key: first-call-$(date +%s%N)" \
  -d "{\"contact\":{\"externalId\":\"example-curl\",\"phoneNumbers\":[{\"phoneType\":\"mobile\",\"number\":\"$to\"}]},\"reason\":\"first call (curl)\"}")
id=$(echo "$call" | json .id)
echo "call $id queued"

# 3. Poll its status until it ends (SSE at /v1/events pushes the same changes live).
last=""
for _ in $(seq 1 600); do
  status=$(curl -sS --fail-with-body "$url/v1/calls/$id" -H "authorization: Bearer $token" | json .status)
  if [ "$status" != "$last" ]; then echo "status: $status"; last="$status"; fi
  case "$status" in completed|failed|canceled|blocked) break ;; esac
  sleep 0.2
done
[ "$last" = completed ]
