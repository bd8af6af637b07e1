#!/usr/bin/env bash
# Interop: the skiff command line against real FTP servers on loopback (ci/servers.sh): pure-ftpd,
# pyftpdlib and vsftpd, in every data mode (auto, pasv, epsv, active), plain (ftp://), explicit
# TLS (ftpes://) and, for vsftpd, implicit TLS (ftps://). Per combination: put a 3 MiB random file,
# a small text file and an empty file; ls --json shows them; get them back and cmp; mv one, ls
# shows the new name; rm it; mkdir, put -r a small tree into it, get -r it back, diff -r, rm -r.
#
#   usage: ci/interop.sh SKIFF_BINARY [SERVER...]    SERVER: pureftpd pyftpdlib vsftpd (default all)
#   env:   INTEROP_MODES="auto pasv epsv active"  INTEROP_KEEP=1 (keep the work folder)
#          INTEROP_BUDGET=2400 (seconds; combinations not started by then fail as "out of time")
# Prints one PASS/FAIL line per (server, tls, mode), then exactly `N passed, N failed`; exit 1 if
# any failed, 2 on bad usage. A failing step prints its command and skiff's stderr (run with -v,
# so the FTP conversation is there, password masked).
set -euo pipefail

if [[ $# -lt 1 || ! -x "$1" || -d "$1" ]]; then
  echo "usage: $0 SKIFF_BINARY [pureftpd|pyftpdlib|vsftpd ...]" >&2
  exit 2
fi
skiff=$(readlink -f "$1")
shift
servers=("$@")
((${#servers[@]})) || servers=(pureftpd pyftpdlib vsftpd)
for s in "${servers[@]}"; do
  case $s in pureftpd | pyftpdlib | vsftpd) ;; *) echo "unknown server: $s (pureftpd pyftpdlib vsftpd)" >&2; exit 2 ;; esac
done
read -r -a modes <<<"${INTEROP_MODES:-auto pasv epsv active}"
budget_end=$((SECONDS + ${INTEROP_BUDGET:-2400}))
opts=() slowest_ms=0 slowest=""

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=ci/servers.sh
source "$here/servers.sh"

work=$(mktemp -d /tmp/skiff-interop.XXXXXX)
chmod 755 "$work"
cleanup() {
  servers_stop_all
  if [[ -n ${INTEROP_KEEP:-} ]]; then echo "work folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
servers_init "$work/srv"
export SKIFF_PASSWORD=$SERVERS_PASS # the URLs name the user only

# --- fixtures ----------------------------------------------------------------------------------
fx=$work/fixtures
mkdir -p "$fx/tree/sub/deeper" "$fx/tree/emptydir"
head -c $((3 * 1024 * 1024)) /dev/urandom >"$fx/big.bin"
printf 'hello from skiff\r\na CRLF above, a bare LF here\nand no newline at the end' >"$fx/small.txt"
: >"$fx/empty.bin"
echo "a" >"$fx/tree/a.txt"
echo "a name with spaces" >"$fx/tree/with space.txt"
: >"$fx/tree/empty.txt"
head -c 200000 /dev/urandom >"$fx/tree/sub/b.bin"
printf 'deep\n' >"$fx/tree/sub/deeper/c.txt"
small_size=$(stat -c %s "$fx/small.txt")

# --- helpers -----------------------------------------------------------------------------------
# sk STEP ARGS... — run skiff (bounded) with the combination's options; on failure print the step,
# the command and its stderr. stdout goes to $work/out.
sk() {
  local step=$1 rc=0 t0=${EPOCHREALTIME/./} ms
  shift
  timeout 60 "$skiff" "$@" "${opts[@]}" </dev/null >"$work/out" 2>"$work/err" || rc=$?
  ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
  ((ms <= slowest_ms)) || { slowest_ms=$ms slowest="$step"; }
  ((rc == 0)) && return 0
  echo "    step failed: $step (exit $rc$( ((rc == 124)) && echo ', killed after 60 s'))"
  echo "    command: SKIFF_PASSWORD=*** $skiff $* ${opts[*]}"
  echo "    stderr (last 40 lines):"
  tail -n 40 "$work/err" | sed 's/^/      /'
  return 1
}

# json_check STEP SPEC... — $work/out is `ls --json`; SPEC is NAME, NAME|KIND, NAME|KIND|SIZE,
# or !NAME (must be absent).
json_check() {
  local step=$1
  shift
  if "$SERVERS_PY" -c '
import json, sys
try:
    entries = json.load(open(sys.argv[1]))
except ValueError as e:
    sys.exit(f"not JSON: {e}")
by = {e["name"]: e for e in entries}
bad = []
for spec in sys.argv[2:]:
    if spec.startswith("!"):
        if spec[1:] in by:
            bad.append(f"{spec[1:]!r} is still listed")
        continue
    name, *want = spec.split("|")
    e = by.get(name)
    kind, size = (e.get("kind"), e.get("size")) if e else (None, None)
    if e is None:
        bad.append(f"{name!r} is missing")
    elif want and kind != want[0]:
        bad.append(f"{name!r}: kind {kind!r}, expected {want[0]!r}")
    elif len(want) > 1 and size != int(want[1]):
        bad.append(f"{name!r}: size {size!r}, expected {want[1]}")
sys.exit("; ".join(bad) if bad else 0)
' "$work/out" "$@" 2>"$work/jerr"; then
    return 0
  fi
  echo "    step failed: $step: $(cat "$work/jerr")"
  echo "    listing (first 2000 bytes):"
  head -c 2000 "$work/out" | sed 's/^/      /'
  echo
  return 1
}

# chmod_shown NAME PERMS — `ls -l` ($work/out) shows PERMS for NAME, when the server lists Unix
# permissions at all (pyftpdlib's MLSD gives its own perm facts such as `radfwMT` instead).
chmod_shown() {
  local line perms
  line=$(grep -E " $1\$" "$work/out") || { echo "$1 is not listed"; return 1; }
  perms=${line%% *}
  perms=${perms#-}
  if [[ $perms =~ ^[-rwxsStT]{9}$ ]]; then
    [[ $perms == "$2" ]] || { echo "$1 shows $perms, expected $2"; return 1; }
  else
    echo "(the listing shows '$perms' for $1, not Unix permissions: not checked)"
  fi
}

check() { # STEP COMMAND... — a local check (cmp, diff, find)
  local step=$1 out
  shift
  out=$("$@" 2>&1) && return 0
  echo "    step failed: $step"
  echo "    command: $*"
  printf '%s\n' "$out" | head -n 20 | sed 's/^/      /'
  return 1
}

# --- one combination ---------------------------------------------------------------------------
combo() { # SCHEME MODE PORT [HOST]
  local scheme=$1 mode=$2 port=$3 host=${4:-127.0.0.1} f
  local base="$scheme://$SERVERS_USER@$host:$port" p="$scheme-$mode"
  local dl="$work/dl/$p-$RANDOM"
  opts=(--mode "$mode" --timeout 20 -v)
  [[ $scheme == ftp ]] || opts+=(--insecure)
  mkdir -p "$dl"

  sk "put big" put "$fx/big.bin" "$base/$p-big.bin" &&
    sk "put small" put "$fx/small.txt" "$base/$p-small.txt" &&
    sk "put empty" put "$fx/empty.bin" "$base/$p-empty.bin" &&
    sk "ls --json /" ls --json "$base/" &&
    json_check "ls shows the uploads" "$p-big.bin|file|3145728" \
      "$p-small.txt|file|$small_size" "$p-empty.bin|file|0" || return 1
  for f in big.bin small.txt empty.bin; do
    sk "get $f" get "$base/$p-$f" "$dl/" &&
      check "cmp $f" cmp "$fx/$f" "$dl/$p-$f" || return 1
  done
  check "no .skiff-part left" test -z "$(find "$dl" -name '*.skiff-part')" &&
    sk "chmod 600 small" chmod 600 "$base/$p-small.txt" &&
    sk "ls -l after chmod" ls -l "$base/" &&
    check "chmod set rw-------" chmod_shown "$p-small.txt" rw------- &&
    sk "mv small" mv "$base/$p-small.txt" "/$p-moved.txt" &&
    sk "ls after mv" ls --json "$base/" &&
    json_check "ls shows the new name" "$p-moved.txt|file|$small_size" "!$p-small.txt" &&
    sk "rm moved" rm "$base/$p-moved.txt" &&
    sk "ls after rm" ls --json "$base/" &&
    json_check "rm removed it" "!$p-moved.txt" "$p-big.bin" &&
    sk "mkdir" mkdir "$base/$p-dir" &&
    sk "put -r tree" put -r "$fx/tree" "$base/$p-dir" &&
    sk "ls -l the folder" ls -l "$base/$p-dir/" &&
    sk "chmod -r 750 the folder" chmod -r 750 "$base/$p-dir" &&
    sk "ls -l inside after chmod -r" ls -l "$base/$p-dir/tree/sub/" &&
    check "chmod -r reached a file two folders down" chmod_shown b.bin rwxr-x--- &&
    sk "ls --json the tree" ls --json "$base/$p-dir/tree" &&
    json_check "ls shows the tree" "a.txt|file|2" "with space.txt|file" "empty.txt|file|0" \
      "sub|dir" "emptydir|dir" &&
    sk "get -r tree" get -r "$base/$p-dir/tree" "$dl/" &&
    check "diff -r tree" diff -r "$fx/tree" "$dl/tree" &&
    sk "rm -r folder" rm -r "$base/$p-dir" &&
    sk "ls after rm -r" ls --json "$base/" &&
    json_check "rm -r removed the folder" "!$p-dir" &&
    sk "rm big" rm "$base/$p-big.bin" &&
    sk "rm empty" rm "$base/$p-empty.bin"
}

# --- the connection doctor against the same server ---------------------------------------------
doctor_combo() { # SCHEME PORT [HOST] — every step ok; with TLS, how data connections did TLS
  local scheme=$1 port=$2 host=${3:-127.0.0.1}
  opts=(--timeout 10)
  [[ $scheme == ftp ]] || opts+=(--insecure)
  sk "doctor --json" doctor --json "$scheme://$SERVERS_USER@$host:$port/" || return 1
  if "$SERVERS_PY" -c '
import json, sys
report = json.load(open(sys.argv[1]))
steps = {s["name"]: s for s in report["steps"]}
bad = [f"{n}: {s['detail']}" for n, s in steps.items() if not s["ok"]]
for need in ("resolve", "tcp", "greeting", "login", "features", "epsv", "pasv", "active", "rtt"):
    if need not in steps:
        bad.append(f"no {need} step")
if sys.argv[2] != "ftp":
    if "tls" not in steps:
        bad.append("no tls step")
    else:
        print("    tls:", steps["tls"]["detail"][:120])
    for n in ("epsv", "pasv", "active"):
        d = steps.get(n, {}).get("detail", "")
        if "TLS session" not in d and "TLS handshake" not in d:
            bad.append(f"{n} says nothing of the data connection TLS: {d}")
        else:
            print(f"    {n}:", d.split("; ")[-1])
if report["recommended"]["mode"] is None:
    bad.append("no mode recommended")
sys.exit("; ".join(bad) if bad else 0)
' "$work/out" "$scheme" 2>"$work/jerr"; then
    return 0
  fi
  echo "    step failed: doctor report: $(cat "$work/jerr")"
  head -c 3000 "$work/out" | sed 's/^/      /'
  return 1
}

# --- run ---------------------------------------------------------------------------------------
passed=0 failed=0
report() { # RESULT SERVER SCHEME MODE DETAIL
  printf '%s %-9s %-5s %-6s %s\n' "$1" "$2" "$3" "$4" "$5"
  if [[ $1 == PASS ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

run_server() { # NAME then SCHEME:PORT pairs; no pairs: the server did not start
  local name=$1 pair scheme port mode t0 log rc detail
  shift
  for pair in "$@"; do
    scheme=${pair%%:*} port=${pair##*:}
    for mode in "${modes[@]}"; do
      if ((SECONDS >= budget_end)); then report FAIL "$name" "$scheme" "$mode" "(out of time)"; continue; fi
      t0=$SECONDS slowest_ms=0 slowest=""
      log=$work/combo.log
      if combo "$scheme" "$mode" "$port" >"$log" 2>&1; then rc=PASS; else rc=FAIL; fi
      detail="($((SECONDS - t0)) s"
      # A step over 5 s on loopback is worth a look even when it passes.
      ((slowest_ms <= 5000)) || detail+="; slowest step: $slowest, $((slowest_ms / 1000)) s"
      report "$rc" "$name" "$scheme" "$mode" "$detail)"
      if [[ $rc == FAIL ]]; then
        cat "$log"
      fi
    done
    log=$work/combo.log
    t0=$SECONDS
    if doctor_combo "$scheme" "$port" >"$log" 2>&1; then rc=PASS; else rc=FAIL; fi
    report "$rc" "$name" "$scheme" doctor "($((SECONDS - t0)) s)"
    # What the doctor saw of TLS is worth reading in the CI log either way.
    cat "$log"
  done
}

echo "skiff interop: $skiff; modes: ${modes[*]}"
for s in "${servers[@]}"; do
  case $s in
    pureftpd)
      if servers_start_pureftpd "$work/home-pure"; then
        run_server pure-ftpd "ftp:$PUREFTPD_PORT" "ftpes:$PUREFTPD_PORT"
      else
        for m in "${modes[@]}"; do report FAIL pure-ftpd - "$m" "(server did not start)"; done
      fi ;;
    pyftpdlib)
      if servers_start_pyftpdlib "$work/home-py"; then
        run_server pyftpdlib "ftp:$PYFTPD_PORT" "ftpes:$PYFTPD_TLS_PORT"
      else
        for m in "${modes[@]}"; do report FAIL pyftpdlib - "$m" "(server did not start)"; done
      fi ;;
    vsftpd)
      if servers_start_vsftpd "$work/home-vs" && servers_start_vsftpd_implicit "$work/home-vs"; then
        run_server vsftpd "ftp:$VSFTPD_PORT" "ftpes:$VSFTPD_PORT" "ftps:$VSFTPD_IMPLICIT_PORT"
      else
        for m in "${modes[@]}"; do report FAIL vsftpd - "$m" "(server did not start)"; done
      fi ;;
  esac
done
# IPv6: pyftpdlib on [::1], so extended passive and active mode (EPRT, not PORT) run over IPv6.
if [[ " ${servers[*]} " == *" pyftpdlib "* ]] && ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/'; then
  v6home=$(servers_prepare_home "$work/home-v6")
  v6port=$(servers_free_port)
  servers__run "$work/pyftpdlib-v6.log" "$SERVERS_PY" -m pyftpdlib -i ::1 -p "$v6port" -w \
    -d "$v6home" -u "$SERVERS_USER" -P "$SERVERS_PASS" -r 23000-23999
  v6pid=$SERVERS_LASTPID
  deadline=$((SECONDS + 10))
  until timeout 1 bash -c "exec 3<>/dev/tcp/::1/$v6port" 2>/dev/null || ((SECONDS >= deadline)); do
    sleep 0.1
  done
  for mode in epsv active; do
    if combo ftp "$mode" "$v6port" "[::1]" >"$work/combo.log" 2>&1; then
      report PASS pyftpd-v6 ftp "$mode" "(IPv6, pid $v6pid)"
    else
      report FAIL pyftpd-v6 ftp "$mode" "(IPv6)"
      cat "$work/combo.log" "$work/pyftpdlib-v6.log"
    fi
  done
else
  echo "(no IPv6 loopback here: the IPv6 leg is skipped)"
fi
echo "$passed passed, $failed failed"
((failed == 0))
