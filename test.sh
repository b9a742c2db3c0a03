#!/usr/bin/env bash
# Runs every test of ChainGateway: builds once, then each test project. Installs the system packages
# the tests need when they are missing: Node.js for the independent HPKE implementation (hpke-js) that
# Core.Tests cross-checks ours against.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "test.sh: installing nodejs and npm (Debian packages)"
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -d tests/interop/hpke-js/node_modules/@hpke/core ]; then
  (cd tests/interop/hpke-js && npm ci --no-audit --no-fund --loglevel=error)
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet build ChainGateway.sln -c Release -nologo -clp:ErrorsOnly
echo "== dotnet format --verify-no-changes"
dotnet format ChainGateway.sln --verify-no-changes --no-restore

results=$(mktemp -d)
status=0
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  rc=0
  dotnet test "$project" -c Release --no-build -nologo \
      --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
      --logger "console;verbosity=normal" >"$results/$name.log" 2>&1 || rc=$?
  grep -E '^\s*(Failed|Skipped) |error|Total tests|Passed!|Failed!|^\s*(Summary|demo|crash|figures):' "$results/$name.log" || true
  if [ "$rc" != "0" ]; then
    echo "!! $name failed (exit $rc); its full log:"; tail -n 200 "$results/$name.log"; status=1
  fi
done

# One closing line over all projects, counted from the TRX files.
python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
p = f = s = 0
for trx in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(trx).getroot().find(".//{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    s += int(c.get("notExecuted", 0))
print(f"tests: {p} passed, {f} failed, {s} skipped")
PY
exit $status
