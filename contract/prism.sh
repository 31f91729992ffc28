#!/usr/bin/env bash
# Starts and stops Stoplight Prism (pinned in package.json) as a mock of the OpenRouter API for the
# contract tests.
#
#   contract/prism.sh start [SPEC]   install Prism if needed, start it in the background, wait until
#                                    it answers, print its base URL on stdout (the only stdout line)
#   contract/prism.sh stop           stop the Prism that `start` started (by its PID file)
#   contract/prism.sh status         print the base URL and exit 0 if it runs, else exit 1
#
# SPEC is $1, else $OPENROUTER_OPENAPI_SPEC, else ../shared/openapi/openrouter-2026-10-30.openapi.json
# relative to the repository root (where CI puts it), else target/openapi.json (what
# `cargo xtask fetch-spec` writes).
#
# Environment:
#   PRISM_PORT            port on 127.0.0.1 (default 4010)
#   PRISM_START_TIMEOUT   seconds to wait for Prism to answer (default 120; it needs 30-50 s to load
#                         this spec on a busy 2-core machine)
#   PRISM_ARGS            extra arguments for `prism mock`, word-split (e.g. "--dynamic --seed 1")
#   PRISM_STATE_DIR       where the PID file and the log go (default contract/.prism, git-ignored)
#
# Both commands are idempotent: `start` when our Prism already answers with the same port, spec and
# PRISM_ARGS just prints its URL (with other settings it restarts it), and `stop` when nothing runs
# does nothing. One Prism per state directory: to run two (e.g. a static and
# a dynamic one), give each its own PRISM_STATE_DIR and PRISM_PORT.
set -euo pipefail

CONTRACT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$CONTRACT_DIR")"
PORT="${PRISM_PORT:-4010}"
TIMEOUT="${PRISM_START_TIMEOUT:-120}"
STATE_DIR="${PRISM_STATE_DIR:-$CONTRACT_DIR/.prism}"
PID_FILE="$STATE_DIR/prism.pid"
CONF_FILE="$STATE_DIR/prism.conf"
LOG_FILE="$STATE_DIR/prism.log"
BIN="$CONTRACT_DIR/node_modules/.bin/prism"
# npm ci writes this stamp last, so a missing or different stamp means an absent, interrupted or
# outdated install.
STAMP="$CONTRACT_DIR/node_modules/.package-lock.sha256"
BASE_URL="http://127.0.0.1:$PORT"

say() { printf 'prism.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# The PID in the PID file, if that process is alive and is a Prism (a PID can be reused).
running_pid() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid
    pid="$(<"$PID_FILE")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ -r "/proc/$pid/cmdline" ]]; then
        tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'prism' || return 1
    fi
    printf '%s\n' "$pid"
}

# True when something answers HTTP on the port (Prism answers 404 on `/`).
answers() {
    local code
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE_URL/" 2>/dev/null)" || true
    [[ "$code" != "000" && -n "$code" ]]
}

ensure_installed() {
    command -v node >/dev/null || die "node is not installed (Prism needs Node >= 20.19)"
    command -v npm >/dev/null || die "npm is not installed"
    local want have=""
    want="$(sha256sum "$CONTRACT_DIR/package-lock.json" | cut -d' ' -f1)"
    [[ -f "$STAMP" ]] && have="$(<"$STAMP")"
    if [[ ! -x "$BIN" || "$want" != "$have" ]]; then
        say "installing Prism (npm ci in $CONTRACT_DIR)"
        # No install scripts: the only one in the tree is a telemetry ping (@scarf/scarf).
        # Once more from scratch if it fails: an interrupted extraction can leave a tree that
        # makes npm ci fail with ENOENT.
        local attempt
        for attempt in 1 2; do
            if SCARF_ANALYTICS=false npm ci --prefix "$CONTRACT_DIR" --ignore-scripts --no-audit \
                --no-fund --loglevel=error >&2; then
                break
            fi
            [[ "$attempt" == 2 ]] && die "npm ci failed twice"
            say "npm ci failed; removing node_modules and trying again"
            rm -rf "$CONTRACT_DIR/node_modules"
        done
        printf '%s\n' "$want" >"$STAMP"
    fi
}

start() {
    local spec="${1:-${OPENROUTER_OPENAPI_SPEC:-$REPO_DIR/../shared/openapi/openrouter-2026-10-30.openapi.json}}"
    if [[ -z "${1:-}${OPENROUTER_OPENAPI_SPEC:-}" && ! -f "$spec" && -f "$REPO_DIR/target/openapi.json" ]]; then
        spec="$REPO_DIR/target/openapi.json"
    fi
    [[ -f "$spec" ]] || die "no OpenAPI spec at '$spec' (give it as \$1 or OPENROUTER_OPENAPI_SPEC, or run \`cargo xtask fetch-spec\`)"
    spec="$(cd "$(dirname "$spec")" && pwd)/$(basename "$spec")"
    command -v curl >/dev/null || die "curl is not installed"

    # What this start asks for; a running Prism started with anything else is restarted.
    local conf pid
    conf="port=$PORT spec=$spec args=${PRISM_ARGS:-}"
    if pid="$(running_pid)"; then
        if answers && [[ "$(cat "$CONF_FILE" 2>/dev/null)" == "$conf" ]]; then
            say "already running (pid $pid)"
            printf '%s\n' "$BASE_URL"
            return 0
        fi
        say "pid $pid from $PID_FILE was started differently or does not answer; restarting it"
        stop
    fi
    rm -f "$PID_FILE"
    answers && die "port $PORT is already taken by another process (set PRISM_PORT)"

    ensure_installed
    mkdir -p "$STATE_DIR"
    local -a extra=()
    # shellcheck disable=SC2206 # word splitting of PRISM_ARGS is intended
    [[ -n "${PRISM_ARGS:-}" ]] && extra=(${PRISM_ARGS})
    say "starting Prism on $BASE_URL with $spec (log: $LOG_FILE)"
    # The .bin entry is a node script: $! is the node process itself, so the PID file names Prism.
    nohup "$BIN" mock --host 127.0.0.1 --port "$PORT" ${extra[@]+"${extra[@]}"} "$spec" \
        >"$LOG_FILE" 2>&1 </dev/null &
    pid=$!
    printf '%s\n' "$pid" >"$PID_FILE"
    printf '%s\n' "$conf" >"$CONF_FILE"

    local waited=0
    until grep -q 'Prism is listening' "$LOG_FILE" 2>/dev/null && answers; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$PID_FILE"
            say "Prism exited during startup; its log follows"
            cat "$LOG_FILE" >&2
            exit 1
        fi
        if ((waited >= TIMEOUT * 2)); then
            say "Prism did not answer on $BASE_URL within ${TIMEOUT}s; its log follows"
            cat "$LOG_FILE" >&2
            stop
            exit 1
        fi
        sleep 0.5
        waited=$((waited + 1))
    done
    say "ready after ~$((waited / 2))s (pid $pid)"
    printf '%s\n' "$BASE_URL"
}

stop() {
    local pid
    if ! pid="$(running_pid)"; then
        rm -f "$PID_FILE"
        say "not running"
        return 0
    fi
    kill "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "pid $pid ignored SIGTERM; sending SIGKILL"
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$PID_FILE"
    say "stopped (pid $pid)"
}

status() {
    if running_pid >/dev/null && answers; then
        printf '%s\n' "$BASE_URL"
    else
        say "not running"
        return 1
    fi
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) stop ;;
    status) status ;;
    *) die "usage: $0 start [SPEC] | stop | status" ;;
esac
