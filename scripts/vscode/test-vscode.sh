#!/usr/bin/env bash
# The VS Code tiers of `npm test`: installs code-server + chromium when missing, builds, packages the .vsix,
# then runs (a) mocha inside the real extension host against the dev build and (b) the browser end-to-end
# test on the INSTALLED .vsix. Each prints "N passed, N failed"; exits non-zero when either fails.
set -uo pipefail
cd "$(dirname "$0")/../.."
bash scripts/vscode/install.sh || exit 1
node esbuild.js || { echo "build failed"; exit 1; }
rc=0
echo "--- (a) integration tests inside the VS Code extension host"
node scripts/vscode/exthost-test.mjs || rc=1
echo "--- (b) browser end-to-end test on the packaged .vsix"
rm -f asapp-exports-linux-x64.vsix
if npm run -s package >/tmp/asapp-vsce.$$.log 2>&1; then
  node scripts/vscode/e2e.mjs asapp-exports-linux-x64.vsix || rc=1
else
  cat /tmp/asapp-vsce.$$.log; echo "vscode-e2e: 0 passed, 1 failed (packaging failed)"; rc=1
fi
rm -f /tmp/asapp-vsce.$$.log
node esbuild.js >/dev/null 2>&1 # packaging leaves a minified build; restore the dev build with source maps
exit $rc
