#!/usr/bin/env bash
# One command from a fresh Debian machine to a working ainas-bot:
#   ./bootstrap.sh demo      set up, then run the demo (sandbox + three offices, end to end)
#   ./bootstrap.sh test      set up, then run ruff, mypy and the whole test suite
#   ./bootstrap.sh setup     set up only
#   ./bootstrap.sh lock      write requirements.lock anew: the newest versions pyproject.toml allows
#   ./bootstrap.sh audit     check the locked set for known vulnerabilities (pip-audit)
#   ./bootstrap.sh test-latest   the fast tier against the newest versions pyproject.toml allows (not in CI)
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
# The venv holds exactly the locked set (requirements.lock: every package, runtime and tools, pinned with
# the hashes of its files), installed with --require-hashes: the set that was tested, every time. A changed
# lock or pyproject.toml gives a new venv, so nothing of an older set stays behind.
lock="$here/requirements.lock"
stamp="$venv/.locked-$(cat pyproject.toml "$lock" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    if [ -d "$venv" ]; then
        say "requirements.lock or pyproject.toml changed: making $venv anew"
        rm -rf "$venv"
    fi
    say "creating $venv from requirements.lock (hashes required)"
    "$py" -m venv "$venv"
    # --no-deps: the lock is the whole set, so pip resolves nothing against the index. Resolving let a new release
    # in (pip 23.2's resolver took cachecontrol 0.15.0, not the locked 0.14.4, for pip-audit's
    # `CacheControl[filecache]`, and refused it for want of a hash); `pip check` then proves the set is whole.
    "$venv/bin/python" -m pip install -q --require-hashes --no-deps -r "$lock"
    broken=$("$venv/bin/python" -m pip check) || { printf '%s\n' "$broken" >&2; exit 1; }
    # The project itself, built by the locked setuptools: no build requirement comes from outside the lock.
    # (setuptools warns that a folder named like the package may shadow it: here that folder is the package.)
    PYTHONWARNINGS="ignore:Editable installation" "$venv/bin/python" -m pip install -q --no-deps --no-build-isolation -e .
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
        say "ruff"; "$venv/bin/ruff" check . && "$venv/bin/ruff" format --check .
        say "mypy (strict)"; "$venv/bin/mypy"
        # Every tier: plain `pytest` runs only the fast one (pyproject.toml); arguments after `test` come last
        # and so win, e.g. `./bootstrap.sh test -m "not slow"`.
        say "pytest, every tier"; exec "$venv/bin/python" -m pytest -m "slow or not slow" "$@"
        ;;
    lock)
        # Newest versions the ranges in pyproject.toml allow, for every platform and Python 3.11+, with
        # hashes; the build requirement (setuptools) is locked with them.
        say "writing requirements.lock"
        "$venv/bin/python" -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))' |
            "$venv/bin/uv" pip compile pyproject.toml - --extra test --extra dev --universal --python-version 3.11 \
                --generate-hashes --upgrade --custom-compile-command "./bootstrap.sh lock" -o requirements.lock "$@"
        say "now run ./bootstrap.sh test (the venv is made anew from the new lock) and commit requirements.lock"
        ;;
    audit)
        say "pip-audit: the locked set against PyPI's advisory data"
        exec "$venv/bin/pip-audit" --disable-pip --require-hashes --strict -r "$lock" "$@"
        ;;
    test-latest)
        # Not part of CI (CI must not turn red by itself): the newest releases the ranges allow, in a venv
        # of their own, through the fast tier, to see a dependency's change before users install it.
        latest="$here/.venv-latest"
        rm -rf "$latest"
        say "creating $latest with the newest versions pyproject.toml allows"
        "$py" -m venv "$latest"
        "$latest/bin/python" -m pip install -q --upgrade pip
        PYTHONWARNINGS="ignore:Editable installation" \
            "$latest/bin/python" -m pip install -q --upgrade --upgrade-strategy eager -e '.[test]'
        "$latest/bin/python" -m pip list --format=freeze >"$latest/versions.txt"
        say "versions installed: $latest/versions.txt; differences from requirements.lock:"
        "$latest/bin/python" - "$lock" "$latest/versions.txt" <<'PY' >&2 || true
import re, sys
pins = lambda text: {m[1].lower().replace("_", "-"): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==([^ ;\\]+)", text, re.M)}
locked, now = (pins(open(p, encoding="utf-8").read()) for p in sys.argv[1:])
moved = [f"  {name}: {locked[name]} -> {now[name]}" for name in sorted(set(locked) & set(now)) if locked[name] != now[name]]
print("\n".join(moved) or "  none: the lock holds today's newest versions")
PY
        say "pytest, fast tier (-m 'not slow')"
        exec "$latest/bin/python" -m pytest -m "not slow" "$@"
        ;;
    --) exec "$venv/bin/ainas-bot" "$@" ;;
    *) say "unknown action '$action' (use demo, test, setup, lock, audit, test-latest or -- ARGS)"; exit 2 ;;
esac
