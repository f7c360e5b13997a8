#!/usr/bin/env bash
# The one test command (`npm test`): static checks, unit tests, the S3 suite on the in-process server and
# on a real Ceph RADOS Gateway, then the tests inside a real VS Code. Each tier prints "N passed, N failed".
# Brings what npm cannot (GnuPG, Ceph, code-server, Chromium) via scripts/ensure-tools.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
export TS_NODE_TRANSPILE_ONLY=1
failed=()
run() { # run NAME CMD…: one tier; remember failures, keep going so every tier reports
  local name=$1; shift
  echo; echo "=== $name ==="
  local t0=$SECONDS
  if "$@"; then echo "=== $name: ok ($((SECONDS - t0)) s)"; else echo "=== $name: FAILED ($((SECONDS - t0)) s)"; failed+=("$name"); fi
}
mocha() { npx mocha --require tsx/cjs --reporter test/support/reporter.js --timeout 20000 "$@"; }

bash scripts/ensure-tools.sh || exit 1

run lint npx eslint .
run typecheck npx tsc --noEmit -p .
run build node esbuild.js
run unit env TEST_TIER=unit npx mocha --require tsx/cjs --reporter test/support/reporter.js --timeout 20000 'test/unit/**/*.test.ts'
if compgen -G 'test/s3/*.test.ts' >/dev/null; then
  run "s3 (fauxqs)" env TEST_TIER=s3-fauxqs S3_TIER=fauxqs npx mocha --require tsx/cjs --reporter test/support/reporter.js --timeout 30000 'test/s3/**/*.test.ts'
  if [ -x scripts/rgw/with-rgw.sh ]; then
    run "s3 (ceph rgw)" env TEST_TIER=s3-rgw scripts/rgw/with-rgw.sh npx mocha --require tsx/cjs --reporter test/support/reporter.js --timeout 60000 'test/s3/**/*.test.ts'
  fi
fi
if [ -x scripts/vscode/test-vscode.sh ]; then
  run "vscode" scripts/vscode/test-vscode.sh
fi

echo
if [ ${#failed[@]} -gt 0 ]; then echo "FAILED tiers: ${failed[*]}"; exit 1; fi
echo "All tiers passed."
