#!/usr/bin/env bash
# Nightly backup: a custom-format dump of the database and an rsync of the photos.
# Keep at least 200 days (audit records must survive 6 months). Run from cron or a timer.
set -euo pipefail
: "${ZHUCUN_BACKUP_DIR:=/var/backups/zhucun}"
: "${ZHUCUN_PGDATABASE:=zhucun}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$ZHUCUN_BACKUP_DIR/db" "$ZHUCUN_BACKUP_DIR/media"
pg_dump --format=custom --file="$ZHUCUN_BACKUP_DIR/db/zhucun-$stamp.dump" "$ZHUCUN_PGDATABASE"
rsync -a /srv/zhucun/var/media/ "$ZHUCUN_BACKUP_DIR/media/"
find "$ZHUCUN_BACKUP_DIR/db" -name 'zhucun-*.dump' -mtime +200 -delete
# Restore: pg_restore --clean --dbname=zhucun zhucun-<stamp>.dump ; then `zhucun audit verify`.
