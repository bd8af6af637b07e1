#!/usr/bin/env bash
# Checks ci/servers.sh without Skiff: starts every server and drives it with curl (and lftp where
# curl cannot: active mode over TLS, broken in curl 7.88, curl issue #10666) in each data mode,
# plain and explicit TLS. Prints one PASS/FAIL line per (server, tls, mode) and `N passed, N failed`.
#   usage: ci/servers-selftest.sh [SERVER...]     (pureftpd pyftpdlib vsftpd; default: all)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=ci/servers.sh
source "$here/servers.sh"

work=$(mktemp -d /tmp/skiff-selftest.XXXXXX)
chmod 755 "$work"
cleanup() { servers_stop_all; rm -rf "$work"; }
trap cleanup EXIT
servers_init "$work/srv"
servers_apt_install curl lftp
u="$SERVERS_USER:$SERVERS_PASS"
passed=0 failed=0

# check NAME TLS MODE PORT — upload, list, download+cmp, delete; curl, or lftp for TLS+active.
check() {
  local name=$1 tls=$2 mode=$3 port=$4 base="ftp://127.0.0.1:$4" f=st-$1-$2-$3 out=$work/out want
  local opts=(-sS --max-time 20 -u "$u") lopts="set net:timeout 5; set net:max-retries 1; set xfer:clobber yes;"
  case $mode in
    epsv) want=EPSV opts+=(--ftp-pasv) lopts+=" set ftp:passive-mode yes; set ftp:prefer-epsv yes;" ;;
    pasv) want=PASV opts+=(--ftp-pasv --disable-epsv) lopts+=" set ftp:passive-mode yes; set ftp:prefer-epsv no;" ;;
    active) want='EPRT|PORT' opts+=(--ftp-port 127.0.0.1) lopts+=" set ftp:passive-mode off;" ;;
  esac
  if [[ $tls == tls ]]; then
    opts+=(--ssl-reqd -k)
    lopts+=" set ftp:ssl-force yes; set ftp:ssl-protect-data yes; set ssl:verify-certificate no;"
  else
    lopts+=" set ftp:ssl-allow no;"
  fi
  head -c 300000 /dev/urandom >"$work/$f"
  rm -f "$out" "$work/log"
  if [[ $tls == tls && $mode == active ]]; then
    timeout 40 lftp -d -u "$u" -e "$lopts put $work/$f -o $f; cls -1; get $f -o $out; rm $f; bye" \
      "$base" >"$work/list" 2>"$work/log" &&
      grep -qE '^---> (PORT|EPRT) ' "$work/log"
  else
    curl "${opts[@]}" -v -T "$work/$f" "$base/$f" 2>"$work/log" &&
      tr -d '\r' <"$work/log" | grep -qE "^> ($want)( |$)" &&
      curl "${opts[@]}" --list-only "$base/" >"$work/list" 2>>"$work/log" &&
      curl "${opts[@]}" -o "$out" "$base/$f" 2>>"$work/log" &&
      curl "${opts[@]}" -Q "DELE $f" --list-only "$base/" >/dev/null 2>>"$work/log"
  fi && grep -qx "$f" <(tr -d '\r' <"$work/list") && cmp -s "$out" "$work/$f" &&
    { echo "PASS $name $tls $mode"; passed=$((passed + 1)); return 0; }
  echo "FAIL $name $tls $mode"
  if [[ -n ${SELFTEST_VERBOSE:-} ]]; then
    sed 's/^/    /' "$work/log"; echo "    listing:"; cat -A "$work/list"; cmp "$out" "$work/$f"
  else
    sed 's/^/    /' "$work/log" | grep -v -e '^    [<*{}] ' -e 'PASS ' | tail -15; fi
  failed=$((failed + 1))
}

check_all() { # NAME PLAIN_PORT TLS_PORT
  local mode
  for mode in epsv pasv active; do check "$1" plain "$mode" "$2"; done
  for mode in epsv pasv active; do check "$1" tls "$mode" "$3"; done
}

start_and_check() {
  case $1 in
    pureftpd) servers_start_pureftpd "$work/home-pure" && check_all pure-ftpd "$PUREFTPD_PORT" "$PUREFTPD_PORT" ;;
    pyftpdlib) servers_start_pyftpdlib "$work/home-py" && check_all pyftpdlib "$PYFTPD_PORT" "$PYFTPD_TLS_PORT" ;;
    vsftpd) servers_start_vsftpd "$work/home-vs" && check_all vsftpd "$VSFTPD_PORT" "$VSFTPD_PORT" ;;
    *) echo "unknown server $1 (pureftpd pyftpdlib vsftpd)" >&2; exit 2 ;;
  esac
}
list=("$@")
((${#list[@]})) || list=(pureftpd pyftpdlib vsftpd)
for s in "${list[@]}"; do
  start_and_check "$s" || { echo "FAIL $s: server did not start"; failed=$((failed + 1)); }
done
echo "$passed passed, $failed failed"
((failed == 0))
