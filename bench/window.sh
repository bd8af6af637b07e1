#!/usr/bin/env bash
# Benchmark (not a test): the window's memory and idle CPU. Starts `skiff --demo` under Xvfb,
# waits (bounded) until it is connected, lets it settle, then reports VmRSS and RssAnon (private
# memory: Mesa's llvmpipe maps ~55 MB of libLLVM into any GL/Vulkan process) and the CPU time it
# used over 10 idle seconds (it should draw nothing when nothing happens).
#   usage: bench/window.sh [SKIFF_BINARY]   (default: a release build)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
skiff=${1:-}
if [[ -z $skiff ]]; then
  (cd "$repo" && cargo build --release --locked --bin skiff)
  skiff="${CARGO_TARGET_DIR:-$repo/target}/release/skiff"
fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
numfile=$(mktemp)
Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp 5>"$numfile" >/dev/null 2>&1 &
pids+=($!)
deadline=$((SECONDS + 20))
until [[ -s $numfile ]] && xdpyinfo -display ":$(head -n 1 "$numfile")" >/dev/null 2>&1; do
  ((SECONDS < deadline)) || exit 1
  sleep 0.2
done
display=":$(head -n 1 "$numfile")"
rm -f "$numfile"
start_ns=$(date +%s%N)
DISPLAY=$display "$skiff" --demo >/dev/null 2>&1 &
app=$!
pids+=("$app")
deadline=$((SECONDS + 60))
until [[ $(DISPLAY=$display xdotool search --name '^Skiff' getwindowname 2>/dev/null | head -n 1) == "Skiff — 127"* ]]; do
  ((SECONDS < deadline)) || { echo "no connected window"; exit 1; }
  sleep 0.05
done
echo "connected window after $((($(date +%s%N) - start_ns) / 1000000)) ms"
sleep 3 # settle: the listing and the first frames
ticks() { awk '{print $14 + $15}' "/proc/$app/stat"; }
t0=$(ticks)
sleep 10
t1=$(ticks)
hz=$(getconf CLK_TCK)
grep -E 'VmRSS|RssAnon' "/proc/$app/status"
echo "CPU while idle: $(((t1 - t0) * 1000 / hz)) ms over 10 s"
[[ -n ${SMAPS:-} ]] && $SMAPS "$app"
