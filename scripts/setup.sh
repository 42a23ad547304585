#!/usr/bin/env bash
# npm run setup: installs what connect-conformance needs. Safe to run again (idempotent).
#  - npm dependencies (npm ci when the lock file changed, nothing otherwise)
#  - the browsers: Debian packages chromium and firefox-esr when missing (as root, or via sudo -n);
#    elsewhere CHROMIUM_PATH / FIREFOX_PATH or Playwright's own installed browsers are used.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }

say "npm dependencies"
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "node_modules is up to date with package-lock.json"
else
  npm ci --no-audit --no-fund
fi

say "browsers"
missing=()
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
if [ -z "${FIREFOX_PATH:-}" ] && ! command -v firefox-esr >/dev/null 2>&1; then missing+=(firefox-esr); fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "chromium and firefox-esr are present (or given by CHROMIUM_PATH / FIREFOX_PATH)"
elif [ -f /etc/debian_version ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo="none"; fi
  if [ "$sudo" = none ]; then
    echo "missing: ${missing[*]}. Install them as root:  apt-get update && apt-get install -y ${missing[*]}"
  else
    echo "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
  fi
else
  echo "missing: ${missing[*]} and this is not Debian/Ubuntu."
  echo "Set CHROMIUM_PATH / FIREFOX_PATH to a Chromium and a Firefox (ESR 128+ with WebDriver BiDi),"
  echo "or use Playwright's browsers (npx playwright install chromium firefox) if your network allows it."
fi

say "optional clients: WebKitGTK (webkit2gtk-driver + xvfb) and curl"
optional=()
[ -x /usr/bin/WebKitWebDriver ] || optional+=(webkit2gtk-driver)
command -v xvfb-run >/dev/null 2>&1 || optional+=(xvfb)
command -v curl >/dev/null 2>&1 || optional+=(curl)
if [ ${#optional[@]} -eq 0 ]; then
  echo "present"
elif [ -f /etc/debian_version ] && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
  s=""; [ "$(id -u)" = 0 ] || s="sudo -n"
  echo "installing: ${optional[*]}"
  # Optional: if this fails the suite still runs, and the report says "not available" for them.
  { [ -n "${missing[*]:-}" ] || $s apt-get update -q; } && DEBIAN_FRONTEND=noninteractive $s apt-get install -y -q "${optional[@]}" || echo "could not install ${optional[*]}: those columns will say 'not available'"
else
  echo "not installed: ${optional[*]} (Debian: apt-get install ${optional[*]}); those columns will say 'not available'"
fi

say "what the suite will use"
npx --no-install tsx scripts/doctor.ts
