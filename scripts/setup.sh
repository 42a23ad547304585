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
# certutil: Firefox trusts the run's CA through its profile's NSS database, not an override (an
# overridden certificate makes Firefox drop HSTS: harness/clients/firefox.ts).
if ! command -v certutil >/dev/null 2>&1; then missing+=(libnss3-tools); fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "chromium, firefox-esr and certutil are present (or given by CHROMIUM_PATH / FIREFOX_PATH)"
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

say "optional clients: WebKitGTK, curl, Python requests and httpx, wget"
# Each optional client is installed on its own, so one package that cannot be had does not keep the
# others out. What could not be installed is written to .cc-setup-missing: CI runs without those
# columns (they say "not available"), and requires every client that could be installed.
can_apt=no
if [ -f /etc/debian_version ] && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then can_apt=yes; fi
s=""; [ "$(id -u)" = 0 ] || s="sudo -n"
apt_updated=${missing[*]:+yes}
: > .cc-setup-missing
optional_client() { # client-name check-command packages…
  local client=$1 check=$2; shift 2
  if eval "$check" >/dev/null 2>&1; then echo "  $client: present"; return; fi
  if [ "$can_apt" = yes ]; then
    if [ -z "${apt_updated:-}" ]; then $s apt-get update -q >/dev/null && apt_updated=yes; fi
    if DEBIAN_FRONTEND=noninteractive $s apt-get install -y -q "$@" >/dev/null && eval "$check" >/dev/null 2>&1; then echo "  $client: installed ($*)"; return; fi
  fi
  echo "  $client: not installed (Debian: apt-get install $*); its columns will say 'not available'"
  echo "$client" >> .cc-setup-missing
}
optional_client webkit '[ -x /usr/bin/WebKitWebDriver ] && command -v xvfb-run' webkit2gtk-driver xvfb
optional_client curl 'command -v curl' curl
optional_client python-requests '/usr/bin/python3 -c "import requests"' python3-requests
optional_client python-httpx '/usr/bin/python3 -c "import httpx"' python3-httpx
optional_client wget 'command -v wget' wget

say "what the suite will use"
npx --no-install tsx scripts/doctor.ts
