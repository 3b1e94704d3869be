#!/usr/bin/env bash
# One command from a fresh Debian machine to a working ainas-bot:
#   ./bootstrap.sh demo      set up, then run the demo (sandbox + three offices, end to end)
#   ./bootstrap.sh test      set up, then run ruff, mypy and the whole test suite
#   ./bootstrap.sh setup     set up only
#   ./bootstrap.sh -- ARGS   set up, then run `ainas-bot ARGS`
# Idempotent: a second run reuses the virtualenv and the browsers it found.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
venv="$here/.venv"
say() { printf '[bootstrap] %s\n' "$*" >&2; }

sudo_cmd=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); fi
apt_updated=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || { say "apt-get not found; install these by hand: $*"; return 1; }
    if [ "$apt_updated" -eq 0 ]; then
        "${sudo_cmd[@]}" apt-get update -qq >/dev/null
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- Python ----------------------------------------------------------------------------------
py=${PYTHON:-python3}
if ! "$py" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "installing Python 3.11+ with venv from Debian"
    apt_install python3 python3-venv python3-pip
    py=python3
fi
if [ ! -x "$venv/bin/python" ]; then
    say "creating $venv"
    "$py" -m venv "$venv"
fi
stamp="$venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    say "installing ainas-bot and its test dependencies into $venv"
    "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
    "$venv/bin/python" -m pip install -q -e '.[test]'
    touch "$stamp"
fi

# --- Browsers ----------------------------------------------------------------------------------
# Chromium: Playwright's managed build where its download works, Debian's package where it does not.
# Firefox: AINAS requires Firefox ESR; Playwright drives Debian's firefox-esr over WebDriver BiDi, and
# the client certificate is imported into a profile with NSS tools, as a person would.
missing=()
if "$venv/bin/python" -m playwright install chromium >/dev/null 2>&1; then
    say "chromium: Playwright's managed download"
else
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    # Headless runs take the headless shell, as Playwright's own builds do; headed runs the full browser.
    command -v chromium-headless-shell >/dev/null 2>&1 || missing+=(chromium-headless-shell)
    say "chromium: Playwright's download is not reachable; using Debian's chromium-headless-shell and chromium"
fi
command -v firefox-esr >/dev/null 2>&1 || missing+=(firefox-esr)
command -v pk12util >/dev/null 2>&1 || missing+=(libnss3-tools)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
fc-list 2>/dev/null | grep -qi -e 'noto sans cjk' -e ipagothic || missing+=(fonts-ipafont-gothic)
if [ ${#missing[@]} -gt 0 ]; then
    say "installing from Debian: ${missing[*]}"
    apt_install "${missing[@]}" ca-certificates
fi
say "firefox: Debian's firefox-esr ($(firefox-esr --version 2>/dev/null || echo 'not found'))"

# --- The job -----------------------------------------------------------------------------------
action=${1:-demo}
[ $# -gt 0 ] && shift
case "$action" in
    setup) say "ready: $venv/bin/ainas-bot" ;;
    demo) exec "$venv/bin/ainas-bot" demo "$@" ;;
    test)
        say "ruff"; "$venv/bin/ruff" check .
        say "mypy (strict)"; "$venv/bin/mypy"
        say "pytest"; exec "$venv/bin/python" -m pytest "$@"
        ;;
    --) exec "$venv/bin/ainas-bot" "$@" ;;
    *) say "unknown action '$action' (use demo, test, setup or -- ARGS)"; exit 2 ;;
esac
