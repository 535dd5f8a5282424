#!/usr/bin/env bash
# Runs every test of MCF Console from any state, a clean clone included: installs what the tests need
# (Debian packages when running as root, npm packages), then typecheck, lint, migration drift check,
# unit + integration tests (Vitest: real SQLite, real Dovecot, local token-endpoint stand-in) and
# end-to-end tests (Playwright in Debian's Chromium against `next build` + scripts/server.mjs).
# The last line is the summary "N passed, N failed" over all runners; the exit code is 0 only when
# nothing failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
mkdir -p .tmp
rm -f .tmp/vitest.json .tmp/playwright.json

passed=0
failed=0
timings=()

run_step() {
  local name=$1
  shift
  local started=$SECONDS
  echo "::: ${name}"
  "$@"
  local rc=$?
  timings+=("$(printf '%-12s %4ss  %s' "$name" "$((SECONDS - started))" "$([ $rc -eq 0 ] && echo ok || echo "FAILED ($rc)")")")
  return $rc
}

# A check that is not a test runner counts as one test.
check() {
  if run_step "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

install_system_packages() {
  local missing=()
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
  [ -x /usr/sbin/dovecot ] && [ -e /usr/lib/dovecot/imap ] || missing+=(dovecot-imapd)
  [ -e /usr/lib/dovecot/pop3 ] || missing+=(dovecot-pop3d)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    return 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_npm_packages() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  else
    npx prisma generate >/dev/null
  fi
}

check "apt" install_system_packages
if ! run_step "npm" install_npm_packages; then
  failed=$((failed + 1))
  printf '%s\n' "${timings[@]}"
  echo "${passed} passed, ${failed} failed"
  exit 1
fi
passed=$((passed + 1))

check "typecheck" npx tsc --noEmit
check "lint" npm run -s lint
check "migrations" node scripts/prisma-wasm.mjs check

# Counts from a runner's JSON report; a runner that crashed before writing one counts as one failure.
count() {
  node -e '
    const fs = require("fs");
    const [kind, file] = process.argv.slice(1);
    if (!fs.existsSync(file)) { console.log("0 1"); process.exit(0); }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    if (kind === "vitest") {
      const failed = r.numFailedTests + (r.numFailedTestSuites || 0);
      console.log(`${r.numPassedTests} ${failed || (r.success ? 0 : 1)}`);
    }
    else console.log(`${(r.stats.expected || 0) + (r.stats.flaky || 0)} ${(r.stats.unexpected || 0) + (r.errors || []).length}`);
  ' "$1" "$2"
}

run_step "vitest" npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json
read -r p f < <(count vitest .tmp/vitest.json)
passed=$((passed + p)); failed=$((failed + f))

if run_step "build" npx next build; then
  passed=$((passed + 1))
  run_step "e2e" npx playwright test
  read -r p f < <(count playwright .tmp/playwright.json)
  passed=$((passed + p)); failed=$((failed + f))
else
  failed=$((failed + 2)) # the build, and the e2e suite that could not run
fi

echo
echo "Timings:"
printf '  %s\n' "${timings[@]}"
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
