#!/usr/bin/env bash
# Installs a real VS Code for the tests: code-server 4.100.3 (= VS Code 1.100.3, runs on Node 20) from npm
# into the git-ignored .vscode-test/code-server, plus the Debian packages it needs (chromium: the browser;
# libkrb5-dev: headers for code-server's kerberos module; ripgrep: stands in for @vscode/ripgrep's GitHub
# download). Idempotent; prints one line saying what to do when it cannot install.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEST=${CODE_SERVER_DIR:-$PWD/.vscode-test/code-server}
CS_VERSION=4.100.3
BIN="$DEST/node_modules/.bin/code-server"

missing=()
for p in chromium libkrb5-dev ripgrep; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} (Debian packages) for the VS Code tests…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "The VS Code tests need: ${missing[*]}. Install with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "^$CS_VERSION "; then exit 0; fi

echo "Installing code-server $CS_VERSION into $DEST (about 2 minutes)…"
rm -rf "$DEST"
mkdir -p "$DEST/tmp"
# @vscode/ripgrep@1.15.11 (pinned by code-server 4.100.3) looks for this cached asset under $TMPDIR before
# trying GitHub, which is not reachable: seed it with Debian's rg.
RGC="$DEST/tmp/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RGC"
tar czf "$RGC/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C /usr/bin rg
echo '{"name":"code-server-host","version":"1.0.0","private":true}' > "$DEST/package.json"
# unsafe_perm: code-server's postinstall refuses to run as root without it (the env variable still works on npm 11);
# yes: node-pty's postinstall runs `npx node-gyp`, which an npmrc with yes=false would cancel.
if ! ( cd "$DEST" && TMPDIR="$DEST/tmp" npm_config_unsafe_perm=true npm_config_yes=true \
       npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION" >"$DEST/install.log" 2>&1 ); then
  echo "code-server $CS_VERSION could not be installed (see $DEST/install.log); the VS Code tests need it." >&2
  exit 1
fi
rm -rf "$DEST/tmp"
XDG_CONFIG_HOME="$DEST/xdg" XDG_DATA_HOME="$DEST/xdg" XDG_CACHE_HOME="$DEST/xdg" "$BIN" --version | head -1
