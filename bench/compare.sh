#!/usr/bin/env bash
# Benchmark (not a test): Skiff against curl and lftp on the same data, in one run, on loopback.
# Starts pure-ftpd (ci/servers.sh) serving a private tmpfs; downloads also go to that tmpfs (on
# /tmp, ext4 with discard here, creating 5000 files right after deleting them is noisy).
#   1. skiff get             vs  curl                      one 1 GiB file
#   2. skiff get --segments 4 vs lftp pget -n 4 (net:timeout 2, or its stalls cost 30 s)
#   3. skiff get -r -j 8      vs  lftp mirror --parallel=8  5000 files of 4 KiB in 10 folders
#   4-6. the window's transfer queue (examples/queue_drive: the same app state, reducer and
#      queue, without drawing) on the tree with 8 connections, down (vs lftp mirror) and up (vs
#      lftp mirror -R), and on the 1 GiB file (vs curl)
# Each is the best of 3 runs (each run bounded), the download deleted between runs; prints the
# seconds, the ratio skiff/peer (below 1: Skiff is faster) and peak RSS (Skiff's matters on 1 GiB).
#
#   usage: bench/compare.sh        (as root; builds skiff with `cargo build --release --locked`)
#   env:   SKIFF=/path/to/skiff (skip the build)  BENCH_SIZE_MIB=1024  BENCH_FILES=5000
#          BENCH_RUNS=3  BENCH_RUN_TIMEOUT=600 (seconds per run)
set -euo pipefail
exec </dev/null
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size_mib=${BENCH_SIZE_MIB:-1024}
nfiles=${BENCH_FILES:-5000}
runs=${BENCH_RUNS:-3}
run_timeout=${BENCH_RUN_TIMEOUT:-600}
# shellcheck source=ci/servers.sh
source "$repo/ci/servers.sh"

if [[ -z ${SKIFF:-} ]]; then
  echo "== building skiff (release)"
  (cd "$repo" && cargo build --release --locked --bin skiff)
  SKIFF="${CARGO_TARGET_DIR:-$repo/target}/release/skiff"
fi
if [[ -z ${QUEUE_DRIVE:-} ]]; then
  (cd "$repo" && cargo build --release --locked --example queue_drive)
  QUEUE_DRIVE="${CARGO_TARGET_DIR:-$repo/target}/release/examples/queue_drive"
fi
[[ -x "$SKIFF" ]] || { echo "no skiff binary at $SKIFF" >&2; exit 1; }
SKIFF=$(readlink -f "$SKIFF")

work=$(mktemp -d /tmp/skiff-bench.XXXXXX)
chmod 755 "$work"
mnt=$work/tmpfs
mounted=0
cleanup() {
  servers_stop_all
  if ((mounted)); then umount "$mnt" || umount -l "$mnt" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

servers_init "$work/srv"
servers_apt_install curl lftp time pure-ftpd

# --- a private tmpfs for the served data and the downloads --------------------------------------
need_mib=$((2 * size_mib + nfiles * 2 * 8 / 1024 + 256))
mkdir -p "$mnt"
if mount -t tmpfs -o "size=${need_mib}m,mode=755" skiff-bench "$mnt" 2>/dev/null; then
  mounted=1
else # no mount permission: a private folder on /dev/shm, if it has room
  avail=$(df -m --output=avail /dev/shm | tail -n 1)
  ((avail > need_mib)) || { echo "cannot mount a tmpfs and /dev/shm has only $avail MiB" >&2; exit 1; }
  rmdir "$mnt"
  mnt=$(mktemp -d /dev/shm/skiff-bench.XXXXXX)
  trap 'cleanup; rm -rf "$mnt"' EXIT
fi
home=$mnt/srv dl=$mnt/dl
mkdir -p "$home" "$dl"

echo "== making ${size_mib} MiB file and $nfiles files of 4 KiB"
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$home/big.bin"
"$SERVERS_PY" - "$home/tree" "$nfiles" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"d{i % 10:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:05d}.bin"), "wb") as f:
        f.write(os.urandom(4096))
PY
servers_start_pureftpd "$home"
port=$PUREFTPD_PORT
big_bytes=$((size_mib * 1024 * 1024))
export SKIFF_PASSWORD=$SERVERS_PASS
url="ftp://$SERVERS_USER@127.0.0.1:$port"
curl_url="ftp://$SERVERS_USER:$SERVERS_PASS@127.0.0.1:$port"
lftp_base=(lftp -u "$SERVERS_USER,$SERVERS_PASS" -p "$port")
lftp_set="set ftp:ssl-allow no; set xfer:clobber on; set cmd:fail-exit yes"

# --- timing ------------------------------------------------------------------------------------
# timed NAME CHECK CMD... — best of $runs (each bounded); CHECK (a function) must accept the
# download. Sets best_s (seconds, "" if no run succeeded) and peak_kib (max RSS over runs).
timed() {
  local name=$1 check=$2 i t0 us rc
  shift 2
  best_s="" peak_kib=0
  local best_us=0
  for ((i = 1; i <= runs; i++)); do
    rm -rf "${dl:?}"/* "$dl"/.[!.]* 2>/dev/null || true
    "${before_run:-true}"
    t0=${EPOCHREALTIME/./}
    rc=0
    timeout "$run_timeout" /usr/bin/time -f %M -o "$work/rss" "$@" >"$work/out" 2>&1 || rc=$?
    us=$((${EPOCHREALTIME/./} - t0))
    if ((rc != 0)); then
      echo "   $name run $i: FAILED (exit $rc$( ((rc == 124)) && echo ", over $run_timeout s"))"
      tail -n 5 "$work/out" | sed 's/^/     /'
      continue
    fi
    if ! "$check"; then
      echo "   $name run $i: wrong download"
      continue
    fi
    local kib
    kib=$(tail -n 1 "$work/rss")
    ((kib <= peak_kib)) || peak_kib=$kib
    printf '   %s run %d: %.3f s, %d MiB RSS\n' "$name" "$i" "$(us_to_s "$us")" "$((kib / 1024))"
    ((best_us != 0 && us >= best_us)) || best_us=$us
  done
  rm -rf "${dl:?}"/* "$dl"/.[!.]* 2>/dev/null || true
  ((best_us == 0)) || best_s=$(us_to_s "$best_us")
}
us_to_s() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1e6 }'; }

checked_big=0
check_big() { # the size always; the bytes once per tool (cmp of 1 GiB on tmpfs: ~1 s, untimed)
  [[ -f "$dl/big.bin" && $(stat -c %s "$dl/big.bin") == "$big_bytes" ]] || return 1
  ((checked_big)) && return 0
  cmp -s "$home/big.bin" "$dl/big.bin" && checked_big=1
}
check_tree() {
  [[ $(find "$dl/tree" -type f | wc -l) == "$nfiles" ]] && diff -rq "$home/tree" "$dl/tree" >/dev/null
}

results=()
pair() { # LABEL SKIFF_S SKIFF_KIB PEER PEER_S PEER_KIB
  local ratio="n/a"
  [[ -z $2 || -z $5 ]] || ratio=$(awk -v a="$2" -v b="$5" 'BEGIN { printf "%.2f", a / b }')
  results+=("$(printf '%-34s %9s %-26s %9s %7s' "$1" "${2:-failed}" "$4" "${5:-failed}" "$ratio")")
}

echo "== skiff: $("$SKIFF" --version 2>/dev/null || echo '?'); $(curl --version | head -n 1 | cut -d' ' -f1-2); lftp $(lftp --version | head -n 1 | grep -o '[0-9][0-9.]*' | head -n 1)"
echo "== 1. one ${size_mib} MiB file: skiff get vs curl"
checked_big=0
timed "skiff get" check_big "$SKIFF" get "$url/big.bin" "$dl/" -q --timeout 60
s1=$best_s k1=$peak_kib
checked_big=0
timed "curl" check_big curl -sS --fail -o "$dl/big.bin" "$curl_url/big.bin"
pair "get ${size_mib} MiB" "$s1" "$k1" "curl" "$best_s" "$peak_kib"
curl_s=$best_s curl_kib=$peak_kib
rss_line="skiff peak RSS, ${size_mib} MiB download: $((k1 / 1024)) MiB (curl: $((peak_kib / 1024)) MiB)"

echo "== 2. the same file over 4 connections: skiff get --segments 4 vs lftp pget -n 4"
checked_big=0
timed "skiff get --segments 4" check_big "$SKIFF" get "$url/big.bin" "$dl/" --segments 4 -q --timeout 60
s2=$best_s k2=$peak_kib
checked_big=0
timed "lftp pget -n 4" check_big "${lftp_base[@]}" \
  -e "$lftp_set; set net:timeout 2; pget -n 4 /big.bin -o $dl/big.bin; bye" 127.0.0.1
pair "get --segments 4, ${size_mib} MiB" "$s2" "$k2" "lftp pget -n 4" "$best_s" "$peak_kib"
rss_line+=$'\n'"skiff peak RSS, --segments 4: $((k2 / 1024)) MiB (lftp: $((peak_kib / 1024)) MiB)"

echo "== 3. $nfiles files of 4 KiB: skiff get -r -j 8 vs lftp mirror --parallel=8"
timed "skiff get -r -j 8" check_tree "$SKIFF" get -r -j 8 "$url/tree" "$dl/" -q --timeout 60
s3=$best_s k3=$peak_kib
timed "lftp mirror --parallel=8" check_tree "${lftp_base[@]}" \
  -e "$lftp_set; mirror --parallel=8 /tree $dl/tree; bye" 127.0.0.1
pair "get -r -j 8, $nfiles files" "$s3" "$k3" "lftp mirror --parallel=8" "$best_s" "$peak_kib"

echo "== 4. the window's queue, $nfiles files down on 8 connections (vs lftp mirror above)"
lftp_tree_s=$best_s lftp_tree_kib=$peak_kib
timed "queue get tree, 8" check_tree "$QUEUE_DRIVE" "$url/" get tree "$dl" 8
pair "queue download, $nfiles files" "$best_s" "$peak_kib" "lftp mirror --parallel=8" "$lftp_tree_s" "$lftp_tree_kib"

echo "== 5. the window's queue, $nfiles files up on 8 connections vs lftp mirror -R --parallel=8"
mkdir -p "$home/up"
chmod 777 "$home/up"
clear_up() { rm -rf "${home:?}/up/"*; }
check_up() {
  [[ $(find "$home/up/tree" -type f | wc -l) == "$nfiles" ]] && diff -rq "$home/tree" "$home/up/tree" >/dev/null
}
before_run=clear_up
timed "queue put tree, 8" check_up "$QUEUE_DRIVE" "$url/up/" put "$home/tree" 8
s5=$best_s k5=$peak_kib
timed "lftp mirror -R --parallel=8" check_up "${lftp_base[@]}" \
  -e "$lftp_set; mirror -R --parallel=8 $home/tree /up/tree; bye" 127.0.0.1
pair "queue upload, $nfiles files" "$s5" "$k5" "lftp mirror -R --parallel=8" "$best_s" "$peak_kib"
before_run=true

echo "== 6. the window's queue, one ${size_mib} MiB file (vs curl above)"
checked_big=0
timed "queue get big.bin" check_big "$QUEUE_DRIVE" "$url/" get big.bin "$dl" 1
pair "queue download ${size_mib} MiB" "$best_s" "$peak_kib" "curl" "$curl_s" "$curl_kib"

echo
echo "== results: best of $runs, seconds (lower is better); ratio = skiff / peer"
printf '%-34s %9s %-26s %9s %7s\n' "what" "skiff s" "peer" "peer s" "ratio"
printf '%s\n' "${results[@]}"
echo "$rss_line"
