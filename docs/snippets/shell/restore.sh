#!/bin/sh
# Restore a backup made by backup.sh into the data directory. Stop the server first
# (systemctl stop belfry), start it again afterwards.
set -eu
backup=$1
data=${BELFRY_DATA_DIR:-/var/lib/belfry}
umask 077
mkdir -p "$data"
chmod 0700 "$data"
# A write-ahead log left by the old database must not be replayed into the restored one.
rm -f "$data/belfry.sqlite-wal" "$data/belfry.sqlite-shm"
cp -p "$backup/belfry.sqlite" "$data/belfry.sqlite"
for f in store-id session-key admin-token; do
  if [ -f "$backup/$f" ]; then cp -p "$backup/$f" "$data/"; fi
done
if [ -d "$backup/secrets" ]; then rm -rf "$data/secrets"; cp -pR "$backup/secrets" "$data/"; fi
