#!/usr/bin/env bash
# Installs and starts MCF Console on its embedded SQLite default: npm packages (first run or after a
# lockfile change), database migrations, a production build (when the sources changed), then serves.
#   HOST (default 127.0.0.1) and PORT (default 3000) choose where it listens.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "mcf: installing npm packages (the first time this compiles better-sqlite3, about 2-4 minutes)"
  npm ci --no-audit --no-fund
fi

# From here on, whatever the console writes is owner-only: the database, its -wal/-shm files and the
# secret key hold every stored secret (encrypted) and the key that decrypts them.
umask 077
node scripts/migrate.mjs

if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components lib public prisma next.config.js package-lock.json -newer .next/BUILD_ID -print -quit)" ]; then
  echo "mcf: building the console"
  npx next build
fi

echo "mcf: MCF Console on http://${HOST:-127.0.0.1}:${PORT:-3000}"
# scripts/server.mjs rather than `next start`: it tells the console each request's real TCP peer
exec node scripts/server.mjs
