#!/usr/bin/env bash
# Benchmark (not a test): frame time while scrolling a 100,000-entry remote folder. Serves a
# folder of 100k empty files (on /dev/shm) with pyftpdlib on 127.0.0.1, opens `skiff URL` under
# Xvfb with SKIFF_FRAME_STATS=1 (each frame's CPU time on stderr), waits until the listing is
# shown, scrolls with the mouse wheel (bounded), and prints the listing time and the frame
# times while scrolling (median, 95th percentile, max). llvmpipe renders in software here, so
# this is the CPU cost of a frame, not a GPU's.
#   usage: bench/frames.sh [SKIFF_BINARY] [ENTRIES]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
skiff=${1:-}
entries=${2:-100000}
if [[ -z $skiff ]]; then
  (cd "$repo" && cargo build --release --locked --bin skiff)
  skiff="${CARGO_TARGET_DIR:-$repo/target}/release/skiff"
fi
work=$(mktemp -d /dev/shm/skiff-frames.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/big"
/usr/bin/python3 - "$work/big" "$entries" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    open(os.path.join(d, f"file-{i:06d}.dat"), "w").close()
PY
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/python3 -m pyftpdlib -i 127.0.0.1 -p "$port" -d "$work" >/dev/null 2>&1 &
pids+=($!)
deadline=$((SECONDS + 10))
until timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; do ((SECONDS < deadline)) || exit 1; sleep 0.1; done
numfile=$(mktemp)
Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp 5>"$numfile" >/dev/null 2>&1 &
pids+=($!)
deadline=$((SECONDS + 20))
until [[ -s $numfile ]] && xdpyinfo -display ":$(head -n 1 "$numfile")" >/dev/null 2>&1; do ((SECONDS < deadline)) || exit 1; sleep 0.2; done
display=":$(head -n 1 "$numfile")"
log=$work/frames.log
start_ns=$(date +%s%N)
DISPLAY=$display SKIFF_FRAME_STATS=1 "$skiff" "ftp://127.0.0.1:$port/big/" 2>"$log" &
pids+=($!)
deadline=$((SECONDS + 60))
until grep -q "entries $entries\$" "$log" 2>/dev/null; do
  ((SECONDS < deadline)) || { echo "the listing did not arrive"; tail -3 "$log"; exit 1; }
  sleep 0.05
done
echo "connected and $entries entries shown after $((($(date +%s%N) - start_ns) / 1000000)) ms"
before=$(wc -l <"$log")
# Scroll the remote table down and up with the wheel: 40 notches each way, bounded.
DISPLAY=$display xdotool mousemove 950 450
for _ in $(seq 40); do DISPLAY=$display xdotool click 5; done
for _ in $(seq 40); do DISPLAY=$display xdotool click 4; done
sleep 1
tail -n +"$((before + 1))" "$log" | awk '/^frame_cpu_ms/ {print $2}' | sort -n | awk '
  { v[NR] = $1 } END {
    if (NR == 0) { print "no frames while scrolling"; exit 1 }
    p = int(NR * 0.95); if (p < 1) p = 1
    printf "frames while scrolling: %d; CPU per frame: median %.1f ms, p95 %.1f ms, max %.1f ms\n",
      NR, v[int((NR + 1) / 2)], v[p], v[NR] }'
