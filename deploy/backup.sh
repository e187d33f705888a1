#!/usr/bin/env bash
# Nightly backup with `zhucun backup`: the database (pg_dump custom format, or SQLite's online
# backup) and the photo store, into a new dated directory with a manifest. Keep at least 200
# days (audit records must survive 6 months). Run from cron or a timer as the zhucun user, with
# the service's environment (/etc/zhucun/zhucun.env).
# Restore (API stopped, empty database): zhucun restore DIR ; zhucun audit verify ; start the API.
set -euo pipefail
: "${ZHUCUN_BACKUP_DIR:=/var/backups/zhucun}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$ZHUCUN_BACKUP_DIR"
cd /srv/zhucun
.venv/bin/zhucun backup "$ZHUCUN_BACKUP_DIR/zhucun-$stamp"
find "$ZHUCUN_BACKUP_DIR" -maxdepth 1 -name 'zhucun-*' -type d -mtime +200 -exec rm -rf {} +
