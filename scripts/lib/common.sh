# Helpers shared by scripts/test, e2e/run, conformance/*/run and bench/*: source, don't run.

# Prints a step heading.
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# Stops with a message saying what is missing and how to get it.
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# The dasan binary the scripts drive (built by scripts/test before use).
dasan_bin() {
    local target="${CARGO_TARGET_DIR:-$DASAN_ROOT/target}"
    echo "${DASAN_BIN:-$target/debug/dasan}"
}

# start_dasan DATABASE_URL [serve args...]: starts `dasan serve` on a free port and sets
# DASAN_URL (http://localhost:PORT) and DASAN_PID. Pages are opened on `localhost`, which
# browsers treat as a secure context (passkeys need it).
start_dasan() {
    local db_url="$1"; shift
    local bin; bin="$(dasan_bin)"
    [[ -x "$bin" ]] || die "no dasan binary at $bin: build it with cargo build --bin dasan"
    DASAN_LOG="$(mktemp)"
    # A throw-away key store (audit checkpoint key) beside the throw-away database.
    local keys; keys="$(mktemp -d)"
    DASAN_CIVIL_SERVICES_DIR="$DASAN_ROOT/services" DASAN_CIVIL_ATTACHMENTS_DIR="$keys/attachments" DASAN_PROCUREMENT_DOCUMENTS_DIR="$keys/tender-documents" DASAN_KEYS_DIR="$keys/store" DASAN_KEYS_KEK_FILE="$keys/kek.bin" \
    DASAN_DATABASE_URL="$db_url" DASAN_LOG_LEVEL="${DASAN_LOG_LEVEL:-warn}" \
        "$bin" serve --listen 127.0.0.1:0 "$@" >"$DASAN_LOG" 2>&1 &
    DASAN_PID=$!
    local url=""
    # The demo signs a contract history at start (PAdES, time-stamps): allow a loaded machine.
    for _ in $(seq 1 1200); do
        url="$(grep -m1 -o 'http://[^ ]*' "$DASAN_LOG" || true)"
        [[ -n "$url" ]] && break
        kill -0 "$DASAN_PID" 2>/dev/null || { cat "$DASAN_LOG" >&2; die "dasan serve exited at start"; }
        sleep 0.1
    done
    [[ -n "$url" ]] || { cat "$DASAN_LOG" >&2; die "dasan serve did not start within 120 s"; }
    url="${url%/}"
    DASAN_URL="${url/127.0.0.1/localhost}"
    export DASAN_URL
}

# Stops the server started by start_dasan (SIGTERM: a graceful shutdown) and checks it stopped.
stop_dasan() {
    [[ -n "${DASAN_PID:-}" ]] || return 0
    kill -TERM "$DASAN_PID" 2>/dev/null || true
    wait "$DASAN_PID" 2>/dev/null || true
    DASAN_PID=""
}

# new_postgres_db NAME: creates a fresh database on $DASAN_TEST_POSTGRES_URL's server and prints
# its URL. drop_postgres_db NAME removes it.
new_postgres_db() {
    local name="$1" server="${DASAN_TEST_POSTGRES_URL:?DASAN_TEST_POSTGRES_URL must be set}"
    PGOPTIONS="--client-min-messages=warning" psql "$server" -qAtc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null
    psql "$server" -qAtc "CREATE DATABASE $name" >/dev/null
    echo "${server%/*}/$name"
}

drop_postgres_db() {
    PGOPTIONS="--client-min-messages=warning" psql "${DASAN_TEST_POSTGRES_URL:?}" -qAtc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null || true
}

# for_each_engine FUNCTION: runs FUNCTION DATABASE_URL ENGINE once on a fresh SQLite file and
# once on a fresh PostgreSQL database.
for_each_engine() {
    local fn="$1" tmp pg_name
    tmp="$(mktemp -d)"
    "$fn" "sqlite://$tmp/dasan.db" sqlite
    rm -rf "$tmp"
    pg_name="dasan_run_$$_${RANDOM}"
    "$fn" "$(new_postgres_db "$pg_name")" postgres
    drop_postgres_db "$pg_name"
}

# python_env: a virtualenv with conformance/requirements.txt installed (reinstalled only when
# the requirements change); prints its python.
python_env() {
    local venv="${DASAN_CACHE:-$HOME/.cache/dasan}/venv"
    local req="$DASAN_ROOT/conformance/requirements.txt"
    local stamp="$venv/.requirements.sha256"
    local want; want="$(sha256sum "$req" | cut -d' ' -f1)"
    if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
        python3 -m venv "$venv" >&2 || die "python3 -m venv failed: install python3-venv (apt-get install python3-venv)"
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2 ||
            die "cannot install conformance/requirements.txt from PyPI"
        echo "$want" >"$stamp"
    fi
    echo "$venv/bin/python"
}

DASAN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DASAN_ROOT
