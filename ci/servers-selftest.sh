#!/usr/bin/env bash
# Checks ci/servers.sh without Skiff: starts every server and drives it with curl (and Python's
# ftplib where curl cannot, see ftpcheck.py below) in each data mode, plain and TLS (explicit;
# implicit too for vsftpd). Prints one PASS/FAIL line per (server, tls, mode), then
# `N passed, N failed`.
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
servers_apt_install curl
u="$SERVERS_USER:$SERVERS_PASS"

# A reference TLS client where curl 7.88 cannot serve: active mode over TLS (curl #10666), and
# pyftpdlib 1.5.7, which resets a data connection whose TLS handshake starts before the transfer
# command (pyftpdlib #604, fixed upstream later; curl starts it right after connecting). It reuses
# the control TLS session on data connections (vsftpd), sends close_notify and reads to EOF before
# the 226 on uploads (pyftpdlib truncates otherwise; lftp hit that), accepts a ragged EOF (vsftpd).
cat >"$work/ftpcheck.py" <<'PY'
import ftplib, socket, ssl, sys
port, mode, user, pw, local, name, out = sys.argv[1:8]
implicit = mode.startswith("implicit-")
mode = mode.removeprefix("implicit-")
class F(ftplib.FTP_TLS):
    def connect(self, host, port):
        if not implicit:
            return super().connect(host, port)
        self.host, self.port = host, port
        self.sock = self.context.wrap_socket(socket.create_connection((host, port), self.timeout),
                                             server_hostname=host)
        self.af = self.sock.family
        self.file = self.sock.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome
    def makepasv(self):
        if mode == "epsv":
            return self.host, ftplib.parse229(self.sendcmd("EPSV"), self.sock.getpeername())[1]
        return self.host, ftplib.parse227(self.sendcmd("PASV"))[1]
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        return self.context.wrap_socket(conn, server_hostname=self.host,
                                        session=self.sock.session), size
    def get(self, name, path):
        with self.transfercmd("RETR " + name) as conn, open(path, "wb") as f:
            while True:
                try:
                    b = conn.recv(65536)
                except ssl.SSLEOFError:
                    break
                if not b:
                    break
                f.write(b)
        return self.voidresp()
ctx = ssl.create_default_context()
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
f = F(context=ctx, timeout=20)
f.connect("127.0.0.1", int(port)); f.login(user, pw); f.prot_p()
f.set_pasv(mode != "active")
print(f"sent {'PORT' if mode == 'active' else mode.upper()}", file=sys.stderr)
with open(local, "rb") as fh:
    f.storbinary("STOR " + name, fh)  # unwrap(): close_notify, then read to EOF
print("\n".join(f.nlst()))
f.voidcmd("TYPE I")  # nlst() left TYPE A
f.get(name, out)
f.delete(name)
f.quit()
PY
passed=0 failed=0

# check NAME TLS MODE PORT — upload, list, download+cmp, delete; with curl, or ftpcheck.py.
check() {
  local name=$1 tls=$2 mode=$3 port=$4 base="ftp://127.0.0.1:$4" f=st-$1-$2-$3 out=$work/out want pymode
  [[ $tls != implicit ]] || base="ftps://127.0.0.1:$4"
  local opts=(-sS --max-time 20 -u "$u")
  case $mode in
    epsv) want=EPSV opts+=(--ftp-pasv) ;;
    pasv) want=PASV opts+=(--ftp-pasv --disable-epsv) ;;
    active) want='EPRT|PORT' opts+=(--ftp-port 127.0.0.1) ;;
  esac
  [[ $tls != tls ]] || opts+=(--ssl-reqd)
  [[ $tls == plain ]] || opts+=(-k)
  # curl over TLS 1.3 closes an upload's data connection with vsftpd's session tickets unread:
  # the kernel sends RST, vsftpd answers 426 (~15% of uploads). A client trap; TLS 1.2 avoids it.
  [[ $tls == plain || $name != vsftpd ]] || opts+=(--tls-max 1.2)
  head -c 300000 /dev/urandom >"$work/$f"
  rm -f "$out" "$work/log"
  if [[ $tls != plain && ( $mode == active || $name == pyftpdlib ) ]]; then
    [[ $tls == implicit ]] && pymode=implicit-$mode || pymode=$mode
    timeout 40 "$SERVERS_PY" "$work/ftpcheck.py" "$port" "$pymode" "$SERVERS_USER" "$SERVERS_PASS" \
      "$work/$f" "$f" "$out" >"$work/list" 2>"$work/log"
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

check_all() { # NAME PLAIN_PORT TLS_PORT [IMPLICIT_PORT]
  local mode
  for mode in epsv pasv active; do check "$1" plain "$mode" "$2"; done
  for mode in epsv pasv active; do check "$1" tls "$mode" "$3"; done
  [[ -z ${4:-} ]] || for mode in epsv pasv active; do check "$1" implicit "$mode" "$4"; done
}

start_and_check() {
  case $1 in
    pureftpd) servers_start_pureftpd "$work/home-pure" && check_all pure-ftpd "$PUREFTPD_PORT" "$PUREFTPD_PORT" ;;
    pyftpdlib) servers_start_pyftpdlib "$work/home-py" && check_all pyftpdlib "$PYFTPD_PORT" "$PYFTPD_TLS_PORT" ;;
    vsftpd) servers_start_vsftpd "$work/home-vs" && servers_start_vsftpd_implicit "$work/home-vs" &&
      check_all vsftpd "$VSFTPD_PORT" "$VSFTPD_PORT" "$VSFTPD_IMPLICIT_PORT" ;;
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
