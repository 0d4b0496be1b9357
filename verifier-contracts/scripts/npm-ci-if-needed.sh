#!/usr/bin/env bash
# Installs the pinned solc and anvil (package-lock.json) into node_modules with `npm ci`, but only
# when node_modules is missing or was installed from another package.json/package-lock.json.
# Run by the Maven build (exec-maven-plugin) before the tests; safe to run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "verifier-contracts: '$tool' is not on PATH. Node.js >= 20 with npm is needed to install" >&2
    echo "  the pinned solc and anvil (see README, Prerequisites), or skip the EVM tests with -DskipEvmTests." >&2
    exit 1
  fi
done
stamp=node_modules/.zkml-lock.sha256
# The stamp is a hash of the two files that decide what npm ci installs.
want=$(node -e 'const c=require("crypto"),f=require("fs");const h=c.createHash("sha256");for(const p of ["package.json","package-lock.json"])h.update(f.readFileSync(p));console.log(h.digest("hex"))')
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "verifier-contracts: node_modules is up to date with package-lock.json"
  exit 0
fi
echo "verifier-contracts: npm ci (node $(node --version), npm $(npm --version 2>/dev/null))"
# --ignore-scripts: anvil's binary comes from its platform package (@foundry-rs/anvil-<os>-<arch>);
# its postinstall would only download the same binary again when that package is missing.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
