# Signing for the Pusher HTTP API in POSIX shell, with openssl: source it (. ./sign.sh).
: "${PUSHER_SCHEME:=http}" "${PUSHER_HOST:=127.0.0.1}" "${PUSHER_PORT:=6001}"
: "${PUSHER_APP_ID:=1001}" "${PUSHER_APP_KEY:=chat-key}" "${PUSHER_APP_SECRET:=chat-secret}"

# pusher_url METHOD PATH BODY [NAME=VALUE ...]: the signed URL of a request.
# The query's parameters sorted by name; auth_signature = hex HMAC-SHA256 of
# "METHOD\nPATH\nQUERY" with the app secret; body_md5 when there is a body.
pusher_url() {
  method=$1 path=$2 body=$3
  shift 3
  set -- "$@" "auth_key=$PUSHER_APP_KEY" "auth_timestamp=$(date +%s)" "auth_version=1.0"
  if [ -n "$body" ]; then
    set -- "$@" "body_md5=$(printf '%s' "$body" | openssl dgst -md5 | sed 's/^.* //')"
  fi
  query=$(printf '%s\n' "$@" | LC_ALL=C sort | paste -sd '&' -)
  signature=$(printf '%s\n%s\n%s' "$method" "$path" "$query" |
    openssl dgst -sha256 -hmac "$PUSHER_APP_SECRET" | sed 's/^.* //')
  printf '%s://%s:%s%s?%s&auth_signature=%s' \
    "$PUSHER_SCHEME" "$PUSHER_HOST" "$PUSHER_PORT" "$path" "$query" "$signature"
}
