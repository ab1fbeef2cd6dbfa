#!/usr/bin/env bash
# Linkflow's one entry point.
#
#   ./build.sh          = ./build.sh demo
#   ./build.sh demo     build, then open Chromium with the extension on the demo site
#                       (no $DISPLAY: browse the demo headless, print the home page's popup,
#                       save a screenshot of it to docs/popup.png)
#   ./build.sh build    install what is missing, build the wasm core, assemble dist/
#   ./build.sh test     everything CI checks: fmt, clippy, cargo test, wasm build,
#                       web-ext lint, browser end-to-end tests, benchmark smoke run
#   ./build.sh tools    only install what is missing
#
# Idempotent and quick when the tools are already there. Installs into the repo
# (.tools/, .venv/, node_modules/), except Debian packages and the rustup target.
set -euo pipefail

cd "$(dirname "$0")"
ROOT=$PWD
WASM_TARGET=wasm32-unknown-unknown
TOOLS=$ROOT/.tools
LOGS=$ROOT/target/build-logs
export LINKFLOW_PYTHON=$ROOT/.venv/bin/python
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# No wasm-opt step: Debian's /usr/bin/wasm-opt breaks wasm-bindgen 0.2.130 output, and
# binaryen saves nothing after gzip (docs in /work/shared/TOOLCHAIN.md).

# ---------------------------------------------------------------- helpers

CURRENT_STEP=""
SUMMARY=()
SCRIPT_START=$(date +%s)

log() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
die() {
  printf '\nbuild.sh: error: %s\n' "$*" >&2
  exit 1
}

on_exit() {
  local rc=$?
  if [[ $rc -ne 0 && -n $CURRENT_STEP ]]; then
    printf '\n\033[1;31mFAILED\033[0m at step "%s" (exit %d).\n' "$CURRENT_STEP" "$rc" >&2
    [[ ${#SUMMARY[@]} -gt 0 ]] && printf '  passed before it:\n' >&2 && printf '    %s\n' "${SUMMARY[@]}" >&2
    printf '  logs: %s\n' "$LOGS" >&2
  fi
}
trap on_exit EXIT

# step NAME CMD...: runs CMD with set -e in force (never inside an `if`), times it,
# and records a summary line. A failure stops the script; the EXIT trap names the step.
step() {
  local name=$1
  shift
  CURRENT_STEP=$name
  log "$name"
  local t0
  t0=$(date +%s)
  "$@"
  local dt=$(($(date +%s) - t0))
  SUMMARY+=("$(printf '%-44s ok  %4ds%s' "$name" "$dt" "${STEP_NOTE:+  ($STEP_NOTE)}")")
  STEP_NOTE=""
  CURRENT_STEP=""
}
STEP_NOTE=""

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "need root to run: $* (no sudo found)"
  fi
}

# ---------------------------------------------------------------- tools

ensure_apt() {
  local missing=()
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  [[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver)
  command -v firefox-esr >/dev/null || missing+=(firefox-esr)
  if [[ ${#missing[@]} -eq 0 ]]; then
    note "chromium, chromium-driver, firefox-esr: present"
    return
  fi
  note "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # Install the whole set: chromium and chromium-driver must be the same version.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver firefox-esr
}

ensure_rust_components() {
  local have
  have=$(rustup component list --installed 2>/dev/null || true)
  local c missing=()
  for c in rustfmt clippy; do
    grep -q "^$c" <<<"$have" || missing+=("$c")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    rustup component add "${missing[@]}"
  fi
  # rust-docs carries the Rust Book the e2e and Rust tests browse.
  if ! grep -q '^rust-docs' <<<"$have"; then
    rustup component add rust-docs || note "warning: rust-docs missing and could not be added: the Rust Book tests will fail"
  fi
}

ensure_rust_target() {
  if rustup target list --installed | grep -qx "$WASM_TARGET"; then
    note "rust target $WASM_TARGET: present"
  else
    rustup target add "$WASM_TARGET"
  fi
}

# The wasm-bindgen version pinned in Cargo.lock (the CLI must match it exactly).
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/^version = "|"$/, ""); print; exit }' Cargo.lock
}

ensure_wasm_bindgen() {
  local want have=""
  want=$(wasm_bindgen_version)
  [[ -n $want ]] || die "no wasm-bindgen package in Cargo.lock"
  if [[ -x $TOOLS/bin/wasm-bindgen ]]; then
    have=$("$TOOLS/bin/wasm-bindgen" --version 2>/dev/null | awk '{print $2}')
  fi
  if [[ $have == "$want" ]]; then
    note "wasm-bindgen CLI $want: present"
    return
  fi
  note "installing wasm-bindgen-cli $want into .tools (takes ~3 minutes on 2 cores)"
  # No --locked: it once failed on a pinned dependency missing from the registry mirror.
  cargo install wasm-bindgen-cli --version "$want" --root "$TOOLS"
  have=$("$TOOLS/bin/wasm-bindgen" --version | awk '{print $2}')
  [[ $have == "$want" ]] || die "wasm-bindgen CLI is $have after install, Cargo.lock wants $want"
}

ensure_npm() {
  local stamp=node_modules/.package-lock.json
  if [[ -f $stamp && ! package-lock.json -nt $stamp && ! package.json -nt $stamp ]]; then
    note "node_modules: up to date"
    return
  fi
  npm ci --no-audit --no-fund
}

# Python venv with pinned packages from every requirements file the repo has.
ensure_venv() {
  local reqs=() f
  for f in tests/e2e/requirements.txt scripts/requirements-bench.txt; do
    [[ -f $f ]] && reqs+=("$f")
  done
  if [[ ! -x .venv/bin/python ]]; then
    python3 -m venv .venv
  fi
  local stamp=.venv/.linkflow-requirements
  local want
  want=$(cat "${reqs[@]}" /dev/null | sha256sum | cut -d' ' -f1)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
    note ".venv: up to date (${reqs[*]:-no requirements})"
    return
  fi
  if [[ ${#reqs[@]} -gt 0 ]]; then
    local args=()
    for f in "${reqs[@]}"; do args+=(-r "$f"); done
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "${args[@]}"
  fi
  echo "$want" >"$stamp"
}

cmd_tools() {
  ensure_apt
  ensure_rust_components
  ensure_rust_target
  ensure_wasm_bindgen
  ensure_npm
  ensure_venv
}

# ---------------------------------------------------------------- build

build_wasm() {
  # panic=abort for the wasm only (smaller, no unwinding tables); native release builds
  # (CLI, benches, `cargo test --release`) keep unwinding.
  CARGO_PROFILE_RELEASE_PANIC=abort cargo build --release --locked --target "$WASM_TARGET" --lib
  rm -rf extension/pkg
  "$TOOLS/bin/wasm-bindgen" --target web --no-typescript --remove-name-section \
    --out-dir extension/pkg --out-name linkflow \
    "target/$WASM_TARGET/release/linkflow.wasm"
  local raw gz
  raw=$(stat -c %s extension/pkg/linkflow_bg.wasm)
  gz=$(gzip -9c extension/pkg/linkflow_bg.wasm | wc -c)
  STEP_NOTE="linkflow_bg.wasm $((raw / 1024)) KiB, $((gz / 1024)) KiB gzipped"
  note "$STEP_NOTE"
}

# zip_dir DIR OUT.zip: a zip with DIR's contents at its root, in sorted order.
zip_dir() {
  python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
if os.path.exists(out):
    os.remove(out)
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            z.write(path, os.path.relpath(path, src))
PY
}

# manifest_add_host_permission MANIFEST ORIGIN_PATTERN (jq-free, via node)
manifest_add_host_permission() {
  node - "$1" "$2" <<'JS'
const fs = require("node:fs");
const [file, pattern] = process.argv.slice(2);
const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
const hosts = new Set(manifest.host_permissions || []);
hosts.add(pattern);
manifest.host_permissions = [...hosts];
fs.writeFileSync(file, JSON.stringify(manifest, null, 2) + "\n");
JS
}

assemble_dist() {
  [[ -f extension/manifest.json ]] || die "extension/manifest.json is missing"
  [[ -f extension/pkg/linkflow_bg.wasm ]] || die "extension/pkg is missing: build the wasm first"
  rm -rf dist/chrome dist/firefox dist/test-chrome
  mkdir -p dist
  # Plain copies: one manifest serves both browsers (background has service_worker + scripts).
  cp -r extension dist/chrome
  cp -r extension dist/firefox
  # Test build: pre-granted what the permission prompt grants for the local test sites.
  cp -r extension dist/test-chrome
  manifest_add_host_permission dist/test-chrome/manifest.json "http://127.0.0.1/*"
  zip_dir dist/chrome dist/linkflow-chrome.zip
  zip_dir dist/firefox dist/linkflow-firefox.zip
  STEP_NOTE="dist/linkflow-chrome.zip $(($(stat -c %s dist/linkflow-chrome.zip) / 1024)) KiB"
  note "$STEP_NOTE"
}

cmd_build() {
  step "tools" cmd_tools
  step "wasm build (release) + wasm-bindgen" build_wasm
  step "assemble dist/ (chrome, firefox, test-chrome, zips)" assemble_dist
}

# ---------------------------------------------------------------- test

# run_logged NAME CMD...: runs CMD, keeping its output in $LOGS/NAME.log as well.
run_logged() {
  local name=$1
  shift
  mkdir -p "$LOGS"
  "$@" 2>&1 | tee "$LOGS/$name.log"
}

cargo_test() {
  run_logged cargo-test cargo test --locked
  local passed
  passed=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($(i) ~ /^passed;?$/) s += $(i - 1) } END { print s + 0 }' "$LOGS/cargo-test.log")
  STEP_NOTE="$passed Rust tests passed"
}

web_ext_lint() {
  mkdir -p "$LOGS"
  # JSON output: exact counts, no table to scrape. web-ext exits 1 when there are errors.
  local rc=0
  npx --no-install web-ext lint --source-dir dist/firefox --no-input --output json \
    >"$LOGS/web-ext-lint.json" 2>"$LOGS/web-ext-lint.stderr" || rc=$?
  STEP_NOTE=$(node - "$LOGS/web-ext-lint.json" <<'JS'
const fs = require("node:fs");
let j;
try {
  j = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
} catch (e) {
  console.error(`web-ext lint printed no JSON (${e.message})`);
  process.exit(2);
}
for (const kind of ["errors", "warnings", "notices"]) {
  for (const m of j[kind] || []) console.error(`  ${kind.slice(0, -1)}: ${m.code}: ${m.message} ${m.file ? `(${m.file})` : ""}`);
}
const s = j.summary;
console.log(`${s.errors} errors, ${s.warnings} warnings, ${s.notices} notices`);
process.exit(s.errors === 0 ? 0 : 1);
JS
  ) || {
    cat "$LOGS/web-ext-lint.stderr" >&2
    die "web-ext lint found errors in dist/firefox (${STEP_NOTE:-no summary})"
  }
  note "$STEP_NOTE (web-ext exit $rc)"
}

e2e_tests() {
  mkdir -p tests/e2e/out
  # Node 20's runner: one test file at a time on this 2-core machine.
  run_logged e2e node --test --test-concurrency=1 --test-reporter=spec tests/e2e/
  STEP_NOTE="$(awk '/^ℹ (tests|pass|fail|skipped) / { printf "%s %s ", $2, $3 }' "$LOGS/e2e.log")"
}

bench_smoke() {
  # criterion's --test mode runs every benchmark once, without measuring.
  run_logged bench cargo bench --locked --bench core -- --test
}

fmt_check() {
  ensure_rust_components
  cargo fmt --all -- --check
}

cmd_test() {
  step "rustfmt (cargo fmt --check)" fmt_check
  step "tools" cmd_tools
  step "clippy (native, all targets)" cargo clippy --all-targets --locked -- -D warnings
  step "clippy (wasm32 lib)" cargo clippy --locked --target "$WASM_TARGET" --lib -- -D warnings
  step "cargo test (native)" cargo_test
  step "wasm build (release) + wasm-bindgen" build_wasm
  step "assemble dist/" assemble_dist
  step "web-ext lint dist/firefox" web_ext_lint
  step "e2e tests (node --test tests/e2e/)" e2e_tests
  if [[ -d benches ]]; then
    step "benchmark smoke run" bench_smoke
  fi
  local total=$(($(date +%s) - SCRIPT_START))
  printf '\n\033[1;32mAll checks passed\033[0m in %dm%02ds:\n' $((total / 60)) $((total % 60))
  printf '  %s\n' "${SUMMARY[@]}"
}

# ---------------------------------------------------------------- demo

cmd_demo() {
  cmd_build
  step "demo" node scripts/demo.mjs --ext dist/test-chrome --site tests/fixtures/demo-site \
    --screenshot docs/popup.png
}

# ---------------------------------------------------------------- main

case "${1:-demo}" in
  demo) cmd_demo ;;
  build) cmd_build ;;
  test) cmd_test ;;
  tools) step "tools" cmd_tools ;;
  -h | --help | help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$1' (expected: demo, build, test, tools)" ;;
esac
