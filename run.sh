#!/usr/bin/env bash
# Wanshan 万善: the two commands of the README, and the steps behind them.
#
#   ./run.sh serve    build and serve the app at http://127.0.0.1:3000 (SQLite under data/)
#   ./run.sh test     the whole test suite: fmt, clippy, the deploy files, unit, integration,
#                     end2end
#
# Each installs what is missing, idempotently, and says what it is doing. Other subcommands:
#   ./run.sh e2e      only the end2end tests (arguments go to Playwright: ./run.sh e2e services)
#   ./run.sh bench    the benchmarks; writes BENCHMARKS.md
#   ./run.sh build    build the browser client and the server (release)
#   ./run.sh setup    only install the toolchain pieces
#   ./run.sh stress   the integration suite 50 times, four at once (RUNS, AT_ONCE to change)
#
# Settings (environment): WANSHAN_CACHE (default ~/.cache/wanshan) holds the cargo target dir,
# the wasm32 standard library and the tools, outside the clone, so later runs reuse them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
CACHE="${WANSHAN_CACHE:-$HOME/.cache/wanshan}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
SITE="$CARGO_TARGET_DIR/site"
OUTPUT_NAME=wanshan
WASM_TARGET=wasm32-unknown-unknown
BINARYEN_VERSION=132.0.0

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=""
apt_install() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  say "installing Debian packages: ${missing[*]}"
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# --- Rust toolchain ----------------------------------------------------------------------------
# Case 1, a normal machine: the active rustup toolchain has the wasm32 target. Use it as it is.
# Case 2, these machines: no wasm32 target can be downloaded, so use Debian's rustc-web (1.96) and
# build the wasm32 standard library once from its own source into a sysroot in the cache.
setup_rust() {
  if [ -n "${WANSHAN_TOOLCHAIN_READY:-}" ]; then return 0; fi
  if command -v rustup >/dev/null && [ -z "${WANSHAN_FORCE_DEBIAN_RUST:-}" ] \
     && rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET"; then
    say "Rust: rustup toolchain with the $WASM_TARGET target"
  else
    say "Rust: Debian's rustc-web with a wasm32 std built from source (no rustup target)"
    apt_install rustc-web cargo-web rust-web-src lld-22 rustfmt-web rust-web-clippy
    if command -v rustup >/dev/null; then
      rustup toolchain list | grep -q '^debweb' || rustup toolchain link debweb /usr
      export RUSTUP_TOOLCHAIN=debweb
    else
      export PATH="/usr/bin:$PATH"
    fi
    local version sysroot
    version="$(rustc -vV | sed -n 's/^commit-hash: //p' | cut -c1-12)"
    sysroot="$CACHE/wasm-sysroot-$version"
    if [ ! -f "$sysroot/.complete" ]; then
      say "building the wasm32 standard library once, into $sysroot (about a minute)"
      local scratch="$CACHE/wasm-std-build"
      rm -rf "$scratch" "$sysroot"
      mkdir -p "$scratch/src"
      printf '[package]\nname = "wasm-std"\nversion = "0.0.0"\nedition = "2021"\n[workspace]\n' >"$scratch/Cargo.toml"
      : >"$scratch/src/lib.rs"
      (cd "$scratch" && RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Cembed-bitcode=yes" CARGO_TARGET_DIR="$scratch/target" \
        cargo build --quiet --release --target "$WASM_TARGET" -Zbuild-std=std,panic_abort)
      mkdir -p "$sysroot/lib/rustlib/$WASM_TARGET/lib"
      find "$scratch/target/$WASM_TARGET/release/deps" \( -name 'lib*.rlib' -o -name 'lib*.rmeta' \) \
        ! -name 'libwasm_std*' -exec cp {} "$sysroot/lib/rustlib/$WASM_TARGET/lib/" \;
      local host
      host="$(rustc -vV | sed -n 's/^host: //p')"
      ln -sfn "$(rustc --print sysroot)/lib/rustlib/$host" "$sysroot/lib/rustlib/$host"
      touch "$sysroot/.complete"
      rm -rf "$scratch"
    fi
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--sysroot=$sysroot ${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:-}"
  fi
  export WANSHAN_TOOLCHAIN_READY=1
}

# wasm-bindgen's CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
setup_wasm_bindgen() {
  local version
  version="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')"
  [ -n "$version" ] || die "wasm-bindgen not found in Cargo.lock"
  local dir="$CACHE/tools/wasm-bindgen-$version"
  if [ ! -x "$dir/bin/wasm-bindgen" ]; then
    say "installing wasm-bindgen-cli $version into $dir (about 5 minutes, once)"
    cargo install --quiet wasm-bindgen-cli --version "$version" --root "$dir"
  fi
  WASM_BINDGEN="$dir/bin/wasm-bindgen"
}

# wasm-opt shrinks the client by about two thirds. Debian's binaryen is too old (the page never
# hydrates); npm's binaryen package ships a current one that runs on node.
setup_wasm_opt() {
  WASM_OPT=""
  if command -v wasm-opt >/dev/null && wasm-opt --version | grep -qE 'version (1[2-9][0-9])'; then
    WASM_OPT="$(command -v wasm-opt)"; return 0
  fi
  setup_node
  local dir="$CACHE/tools/binaryen-$BINARYEN_VERSION"
  if [ ! -x "$dir/node_modules/.bin/wasm-opt" ]; then
    say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into $dir"
    mkdir -p "$dir"
    npm install --silent --no-audit --no-fund --prefix "$dir" "binaryen@$BINARYEN_VERSION" >/dev/null
  fi
  WASM_OPT="$dir/node_modules/.bin/wasm-opt"
}

setup_node() {
  command -v node >/dev/null && command -v npm >/dev/null && return 0
  apt_install nodejs npm
}

# --- Build -------------------------------------------------------------------------------------
# The client is built the way cargo-leptos builds it (cargo for wasm32, wasm-bindgen, wasm-opt,
# copy the CSS and assets): the same steps without a 28-minute install of cargo-leptos itself.
build_client() {
  setup_rust
  setup_wasm_bindgen
  setup_wasm_opt
  say "building the browser client (profile wasm-release)"
  cargo build --quiet -p wanshan-client --lib --target "$WASM_TARGET" --profile wasm-release
  local wasm="$CARGO_TARGET_DIR/$WASM_TARGET/wasm-release/wanshan_client.wasm"
  local pkg="$SITE/pkg"
  mkdir -p "$pkg"
  "$WASM_BINDGEN" --target web --no-typescript --out-dir "$pkg" --out-name "$OUTPUT_NAME" "$wasm"
  if [ -n "$WASM_OPT" ]; then
    "$WASM_OPT" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$pkg/${OUTPUT_NAME}_bg.wasm" -o "$pkg/${OUTPUT_NAME}_bg.wasm.opt"
    mv "$pkg/${OUTPUT_NAME}_bg.wasm.opt" "$pkg/${OUTPUT_NAME}_bg.wasm"
  fi
  cp style/main.css "$pkg/$OUTPUT_NAME.css"
  cp -r public/. "$SITE/"
  # Compressed once, at the highest levels, for the server to send as they are.
  apt_install brotli
  local file
  for file in "$pkg/${OUTPUT_NAME}_bg.wasm" "$pkg/$OUTPUT_NAME.js" "$pkg/$OUTPUT_NAME.css"; do
    gzip -9 -k -f "$file"
    brotli -q 11 -f "$file"
  done
  say "client: $(stat -c %s "$pkg/${OUTPUT_NAME}_bg.wasm") bytes of wasm in $pkg"
}

build_server() {
  setup_rust
  say "building the server (release)"
  cargo build --quiet -p wanshan-server --release
}

site_env() {
  export LEPTOS_SITE_ROOT="$SITE" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME="$OUTPUT_NAME"
}

# Benchmarks: the release server and client, the harness, a durable throwaway PostgreSQL.
# Extra arguments go to `wanshan-bench run` (e.g. --subscribers 100 --seconds 2).
cmd_bench() {
  build_client
  build_server
  say "building the benchmark harness (release)"
  cargo build --quiet -p wanshan-bench --release
  setup_lighthouse
  start_postgres durable
  say "running the benchmarks (a few minutes); writing BENCHMARKS.md"
  "$CARGO_TARGET_DIR/release/wanshan-bench" run --server "$CARGO_TARGET_DIR/release/wanshan-server" \
    --site "$SITE" --postgres "$WANSHAN_TEST_POSTGRES" --out "$ROOT/BENCHMARKS.md" "$@"
}

cmd_serve() {
  build_client
  build_server
  site_env
  # Trying it out: the demo needs and accounts, unless told otherwise (the binary's default is off).
  export WANSHAN_DEMO="${WANSHAN_DEMO:-true}"
  say "serving at http://${WANSHAN_ADDR:-127.0.0.1:3000} (database: ${DATABASE_URL:-data/wanshan.db}, demo: $WANSHAN_DEMO)"
  exec "$CARGO_TARGET_DIR/release/wanshan-server"
}

# --- Tests -------------------------------------------------------------------------------------
setup_chromium() {
  apt_install chromium
  CHROMIUM="$(command -v chromium)"
}

# Lighthouse for the benchmark (pinned in bench/lighthouse/package.json), with Debian's Chromium.
setup_lighthouse() {
  setup_node
  setup_chromium
  export CHROMIUM
  if [ ! -x bench/lighthouse/node_modules/.bin/lighthouse ]; then
    say "installing Lighthouse for the benchmark"
    (cd bench/lighthouse && npm ci --silent --no-audit --no-fund)
  fi
}

setup_end2end() {
  setup_node
  if [ ! -d end2end/node_modules/@playwright/test ] || [ ! -d end2end/node_modules/ajv ] || [ ! -d end2end/node_modules/@axe-core/playwright ]; then
    say "installing Playwright's test runner (no browser download: Debian's Chromium is used)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund)
  fi
}

# Cleanup steps run when the script exits, however it exits.
CLEANUP=()
cleanup() {
  local step
  for step in "${CLEANUP[@]}"; do eval "$step" || true; done
}
trap cleanup EXIT

# A throwaway PostgreSQL cluster for the tests: Debian's server binaries, a temporary directory,
# a free port on loopback, run as a non-root user (the package's `postgres` user when we are
# root). Stopped and deleted on exit. Exports WANSHAN_TEST_POSTGRES. With `durable`, fsync
# stays on (for benchmarks); tests turn it off.
start_postgres() {
  local fsync="-c fsync=off"
  [ "${1:-}" = durable ] && fsync=""
  apt_install postgresql
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  [ -x "$bin/initdb" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql"
  local dir port
  dir="$(mktemp -d /tmp/wanshan-pg.XXXXXX)"
  port="$(free_port)"
  local run=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
    run=(runuser -u postgres --)
  fi
  say "starting a throwaway PostgreSQL ($("$bin/postgres" --version | awk '{print $3}')) on 127.0.0.1:$port"
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U wanshan -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
    "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 $fsync" start >/dev/null
  CLEANUP+=("${run[*]} '$bin/pg_ctl' -D '$dir/data' -m immediate stop >/dev/null 2>&1; rm -rf '$dir'")
  export WANSHAN_TEST_POSTGRES="postgres://wanshan@127.0.0.1:$port/postgres"
}

# N distinct free ports on loopback, comma-separated.
free_ports() {
  python3 -c 'import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets: s.bind(("127.0.0.1", 0))
print(",".join(str(s.getsockname()[1]) for s in sockets))' "$1"
}

free_port() { free_ports 1; }

# The cache outside the clone only grows: every change of the workspace's crates leaves another
# copy of their test binaries and incremental state (64 GB after a few days of work filled this
# machine's disk). What this workspace built more than two days ago is dropped; cargo rebuilds
# whatever it still needs.
prune_target() {
  local dir
  for dir in "$CARGO_TARGET_DIR/debug" "$CARGO_TARGET_DIR/release"; do
    [ -d "$dir/deps" ] || continue
    find "$dir/deps" -maxdepth 1 \( -name 'suite-*' -o -name 'wanshan_*' -o -name 'libwanshan_*' \
      -o -name 'wanshan-*' \) -mtime +2 -delete 2>/dev/null || true
    [ -d "$dir/incremental" ] && find "$dir/incremental" -mindepth 1 -maxdepth 1 -mtime +2 \
      -exec rm -rf {} + 2>/dev/null || true
  done
}

cmd_test() {
  setup_rust
  prune_target
  say "checking formatting"
  cargo fmt --all -- --check
  say "clippy (server and shared code)"
  cargo clippy --quiet -p wanshan-app -p wanshan-server -p wanshan-bench --all-targets -- -D warnings
  say "deployment files: nginx -t on the nginx site, systemd-analyze on the unit"
  apt_install nginx openssl
  "$ROOT/deploy/check-nginx.sh"
  "$ROOT/deploy/check-systemd.sh"
  say "unit tests, integration tests on SQLite, the benchmark harness's smoke test"
  cargo test -p wanshan-app -p wanshan-server -p wanshan-bench
  start_postgres
  say "integration tests on PostgreSQL"
  cargo test -p wanshan-server --tests
  cmd_e2e
}

cmd_e2e() {
  say "end2end tests in headless Chromium"
  build_client
  setup_chromium
  setup_end2end
  cargo build --quiet -p wanshan-server
  site_env
  [ -n "${WANSHAN_TEST_POSTGRES:-}" ] || start_postgres
  local e2e_db="wanshan_e2e_$$"
  psql -q "$WANSHAN_TEST_POSTGRES" -c "CREATE DATABASE $e2e_db" >/dev/null
  local scratch
  scratch="$(mktemp -d)"
  CLEANUP+=("rm -rf '$scratch'")
  # One port for the suite's server, the rest for servers the specs start themselves.
  local ports
  ports="$(free_ports 8)"
  (cd end2end && CHROMIUM="$CHROMIUM" WANSHAN_SERVER="$CARGO_TARGET_DIR/debug/wanshan-server" \
    WANSHAN_ID_KEY=wanshan-e2e-key WANSHAN_DATA_DIR="$scratch/data" WANSHAN_E2E_PORT="${ports%%,*}" WANSHAN_E2E_PORTS="$ports" WANSHAN_E2E_DB="$scratch/e2e.db" \
    WANSHAN_E2E_POSTGRES="${WANSHAN_TEST_POSTGRES%/*}/$e2e_db" npx playwright test "$@")
}

# The integration suite under load: its one test binary RUNS times (50), AT_ONCE (4) copies at
# a time, each bounded by ten minutes; any failure or hang is reported with its log. On SQLite
# unless WANSHAN_TEST_POSTGRES is set.
cmd_stress() {
  setup_rust
  local runs="${RUNS:-50}" at_once="${AT_ONCE:-4}"
  say "building the integration suite"
  local binary
  cargo test --quiet -p wanshan-app -p wanshan-server -p wanshan-bench --test suite --no-run
  binary="$(cargo test -p wanshan-app -p wanshan-server -p wanshan-bench --test suite --no-run \
    --message-format=json 2>/dev/null | grep '"kind":\["test"\]' | grep '"name":"suite"' \
    | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)"
  [ -x "$binary" ] || die "could not find the suite's test binary"
  local logs
  logs="$(mktemp -d /tmp/wanshan-stress.XXXXXX)"
  say "running the suite $runs times, $at_once at once (logs in $logs)"
  local started=$SECONDS
  seq 1 "$runs" | xargs -P "$at_once" -I{} sh -c \
    'timeout 600 "$0" --test-threads="${TEST_THREADS:-1}" >"$1/run-{}.log" 2>&1 || echo "run {} failed (exit $?)" >>"$1/failures"' \
    "$binary" "$logs"
  local failed=0
  [ -f "$logs/failures" ] && failed="$(wc -l <"$logs/failures")"
  say "$runs runs in $((SECONDS - started)) s: $((runs - failed)) passed, $failed failed"
  if [ "$failed" -gt 0 ]; then
    cat "$logs/failures"
    exit 1
  fi
}

case "${1:-}" in
  serve) cmd_serve ;;
  test) cmd_test ;;
  e2e) shift; cmd_e2e "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  build) build_client; build_server ;;
  setup) setup_rust; setup_wasm_bindgen; setup_wasm_opt ;;
  stress) cmd_stress ;;
  *) sed -n '2,15p' "$0"; exit 2 ;;
esac
