#!/bin/sh
# Back up Belfry's data directory while the server runs. Keep the backups as private as the
# data directory itself: the database holds app secrets in clear.
set -eu
data=${BELFRY_DATA_DIR:-/var/lib/belfry}
dest=${BACKUP_DIR:-/var/backups/belfry}/$(date -u +%Y%m%dT%H%M%SZ)
umask 077
mkdir -p "$dest"

# SQLite's online backup API: a consistent copy even while the server writes (WAL mode).
# Copying belfry.sqlite with cp while it runs can miss what is still in belfry.sqlite-wal.
sqlite3 -cmd '.timeout 5000' "$data/belfry.sqlite" ".backup '$dest/belfry.sqlite'"
test "$(sqlite3 "$dest/belfry.sqlite" 'PRAGMA integrity_check')" = ok

# The files beside it: which database this is, the status page's signing key, the admin token,
# and secrets kept for { file } references.
for f in store-id session-key admin-token; do
  if [ -f "$data/$f" ]; then cp -p "$data/$f" "$dest/"; fi
done
if [ -d "$data/secrets" ]; then cp -pR "$data/secrets" "$dest/"; fi
echo "$dest"
