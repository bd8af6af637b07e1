#!/usr/bin/env bash
# Library (source it): install, start and stop real FTP servers on loopback for interop tests and
# benchmarks. Every server listens on 127.0.0.1 only, on a free port, with user skiff/skiffpass whose
# home is a folder the caller names, a passive range of 1000 ports, and (where the server can) a
# self-signed certificate (made with openssl) for TLS.
#
#   source ci/servers.sh
#   servers_init /some/workdir            # configs, logs, the cert; then: trap servers_stop_all EXIT
#   servers_start_pureftpd HOME           # -> PUREFTPD_PORT (plain + explicit TLS), PUREFTPD_PID
#   servers_start_pyftpdlib HOME          # -> PYFTPD_PORT (plain), PYFTPD_TLS_PORT (explicit TLS),
#                                         #    PYFTPD_PID (one process serves both)
#   servers_start_vsftpd HOME             # -> VSFTPD_PORT (plain + explicit TLS), VSFTPD_PID
#   servers_start_vsftpd_implicit HOME    # -> VSFTPD_IMPLICIT_PORT (implicit TLS, ftps://), ..._PID
#   servers_stop_all                      # stops every server started here, by pid
# Each start waits (at most 10 s) until its port accepts connections and prints its pid (stderr).
#
# Checked on Debian 12 by ci/servers-selftest.sh (upload, list, download + cmp, delete, in EPSV,
# PASV and active mode, plain and TLS; curl 7.88.1, plus Python's ftplib where curl cannot):
#   pure-ftpd 1.0.50  plain: epsv pasv active  explicit TLS: epsv pasv active
#   pyftpdlib 1.5.7   plain: epsv pasv active  explicit TLS: epsv pasv active (ftplib, see below)
#   vsftpd 3.0.3      plain: epsv pasv active  explicit TLS: epsv pasv active
#                     implicit TLS (2nd instance): epsv pasv active
# Traps (kept on purpose, real servers behave so; details in ci/servers-selftest.sh):
# - curl 7.88.1 cannot do active mode over TLS at all (curl #10666, "inet_ntop() failed").
# - pyftpdlib 1.5.7 resets a TLS data connection whose handshake starts before the transfer
#   command (pyftpdlib #604; curl does that: "Bad PASV/EPSV response: 200"), and truncates TLS
#   uploads unless the client sends close_notify and reads to EOF before awaiting the 226.
# - vsftpd wants TLS session reuse on data connections, closes TLS data without close_notify,
#   and answers 426 to ~15% of curl's TLS 1.3 uploads (tickets unread at close -> RST).
# - pyftpdlib (1.5.7 and upstream) hangs another session after an active-mode transfer (fd
#   reuse in ActiveDTP): patched in server.py below; PYFTPD_STOCK=1 runs it unpatched.
# pyftpdlib comes from Debian's python3-pyftpdlib, so it runs with /usr/bin/python3 (a `python3`
# earlier in PATH, e.g. pyenv's, does not see Debian's packages).

SERVERS_USER="${SERVERS_USER:-skiff}"
SERVERS_PASS="${SERVERS_PASS:-skiffpass}"
# Passive ranges lie below Linux's ephemeral range (32768-60999), so outgoing connections of the
# tests never take them. Overridable.
PUREFTPD_PASV="${PUREFTPD_PASV:-20000:20999}"
PYFTPD_PASV="${PYFTPD_PASV:-21000:21999}"
VSFTPD_PASV="${VSFTPD_PASV:-22000:22999}"
SERVERS_PY=/usr/bin/python3
SERVERS_PIDS=()
SERVERS_WORK=""

servers_log() { printf '[servers] %s\n' "$*" >&2; }
servers_die() { printf '[servers] ERROR: %s\n' "$*" >&2; return 1; }

# servers_apt_install PKG... — installs the missing ones, quietly; never starts their services.
servers_apt_install() {
  local p missing=() log rc=0 policy=0
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  servers_log "apt-get install ${missing[*]}"
  # On a fresh machine apt would start the packaged daemon (pure-ftpd on *:21): deny that.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy=1
  fi
  log=$(mktemp)
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
      >>"$log" 2>&1 || rc=$? # the retry: maybe stale package lists
  ((policy == 0)) || rm -f /usr/sbin/policy-rc.d
  ((rc == 0)) || { cat "$log" >&2; servers_die "apt-get install ${missing[*]} failed"; }
  rm -f "$log"
  return "$rc"
}

# servers_init WORKDIR — where configs, logs, the cert and the vsftpd copy live.
servers_init() {
  SERVERS_WORK="${1:?servers_init WORKDIR}"
  mkdir -p "$SERVERS_WORK"
  chmod 755 "$SERVERS_WORK" # servers drop to the skiff user; mktemp -d makes 0700 folders
  SERVERS_WORK="$(cd "$SERVERS_WORK" && pwd)"
  servers_apt_install openssl curl procps python3
  servers_ensure_user
  servers_make_cert
}

# A local system user: pure-ftpd's virtual user maps to its uid, vsftpd logs it in through PAM.
# Its home is "/": vsftpd chdirs to the passwd home before applying local_root (and fails with
# "500 OOPS: cannot change directory" when it does not exist).
servers_ensure_user() {
  if ! id -u "$SERVERS_USER" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir / \
      --shell /usr/sbin/nologin "$SERVERS_USER"
  fi
  local h
  h=$(getent passwd "$SERVERS_USER" | cut -d: -f6)
  [[ -d "$h" ]] || usermod -d / "$SERVERS_USER"
  echo "$SERVERS_USER:$SERVERS_PASS" | chpasswd
}

servers_make_cert() {
  SERVERS_CERT="$SERVERS_WORK/tls/cert.pem"
  SERVERS_KEY="$SERVERS_WORK/tls/key.pem"
  [[ -s "$SERVERS_CERT" && -s "$SERVERS_KEY" ]] && return 0
  mkdir -p "$SERVERS_WORK/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" \
    -keyout "$SERVERS_KEY" -out "$SERVERS_CERT" >/dev/null 2>&1 ||
    servers_die "openssl could not make a certificate"
  chmod 600 "$SERVERS_KEY"
}

servers_free_port() {
  "$SERVERS_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# servers_prepare_home HOME — make it, give it to the skiff user.
servers_prepare_home() {
  mkdir -p "$1"
  chown -R "$SERVERS_USER:" "$1"
  (cd "$1" && pwd)
}

# servers__alive PID — running and not a zombie (kill -0 succeeds on an unreaped child).
servers__alive() {
  local st
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n "$st" && "$st" != Z ]]
}

# servers_wait_port NAME PID PORT [SECONDS] — bounded wait until PORT accepts a connection.
servers_wait_port() {
  local name=$1 pid=$2 port=$3 deadline=$((SECONDS + ${4:-10}))
  while ((SECONDS < deadline)); do
    if ! servers__alive "$pid"; then
      servers_die "$name (pid $pid) exited before listening on port $port"
      return 1
    fi
    if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
      servers_log "$name: pid $pid, listening on 127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  servers_die "$name (pid $pid) not listening on port $port after ${4:-10} s"
}

# servers__run LOG CMD... — start CMD in the background, remember its pid in SERVERS_LASTPID.
servers__run() {
  local log=$1
  shift
  "$@" </dev/null >>"$log" 2>&1 &
  SERVERS_LASTPID=$!
  SERVERS_PIDS+=("$SERVERS_LASTPID")
}

servers_start_pureftpd() {
  local home pw dir=$SERVERS_WORK/pureftpd
  servers_apt_install pure-ftpd
  home=$(servers_prepare_home "${1:?servers_start_pureftpd HOME}")
  mkdir -p "$dir"
  # SHA-512 crypt, not pure-pw's default argon2 (~2.4 s of CPU per login). "/./" = chroot there.
  pw=$(openssl passwd -6 "$SERVERS_PASS")
  printf '%s:%s:%s:%s::%s/./::::::::::::\n' "$SERVERS_USER" "$pw" "$(id -u "$SERVERS_USER")" \
    "$(id -g "$SERVERS_USER")" "$home" >"$dir/passwd"
  pure-pw mkdb "$dir/pureftpd.pdb" -f "$dir/passwd" >/dev/null
  PUREFTPD_PORT=$(servers_free_port)
  # -E no anonymous, -H no DNS, -A chroot, -L big listings, -Y 1 TLS allowed (not required),
  # -2 our cert, -c/-C enough sessions for segmented and parallel transfers, -f none: no syslog.
  servers__run "$dir/log" pure-ftpd -S "127.0.0.1,$PUREFTPD_PORT" \
    -l "puredb:$dir/pureftpd.pdb" -E -H -A -L 1000000:10 -p "$PUREFTPD_PASV" \
    -Y 1 -2 "$SERVERS_CERT,$SERVERS_KEY" -c 200 -C 100 -f none
  PUREFTPD_PID=$SERVERS_LASTPID
  servers_wait_port pure-ftpd "$PUREFTPD_PID" "$PUREFTPD_PORT" || { cat "$dir/log" >&2; return 1; }
}

servers_start_pyftpdlib() {
  local home dir=$SERVERS_WORK/pyftpdlib
  servers_apt_install python3 python3-pyftpdlib python3-openssl
  home=$(servers_prepare_home "${1:?servers_start_pyftpdlib HOME}")
  mkdir -p "$dir"
  cat >"$dir/server.py" <<'PY'
# One process, two listeners on the same IOLoop: plain FTP and explicit TLS (AUTH TLS).
import logging, os, sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import ActiveDTP, FTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer
user, password, home, port, tls_port, pasv, cert, key = sys.argv[1:9]
lo, hi = (int(x) for x in pasv.split(":"))
auth = DummyAuthorizer()
auth.add_user(user, password, home, perm="elradfmwMT")
Plain, Tls = type("Plain", (FTPHandler,), {}), type("Tls", (TLS_FTPHandler,), {})
for h in (Plain, Tls):
    h.authorizer = auth
    h.passive_ports = range(lo, hi + 1)
    h.banner = "pyftpdlib ready"
class FixedActiveDTP(ActiveDTP):
    # pyftpdlib bug (1.5.7, same code upstream in 2025): once connected, this connector hands its
    # socket to the data handler but keeps the fd number; the session's next PORT closes it, which
    # unregisters that fd number from the IOLoop again - by then often another session's control
    # connection (fd reuse), which then never gets an answer. Seen as a 20 s stall when a client
    # opens a 2nd connection during active-mode listings. PYFTPD_STOCK=1 keeps the bug.
    def handle_connect(self):
        super().handle_connect()
        self._fileno = None
if not os.environ.get("PYFTPD_STOCK"):
    Plain.active_dtp = Tls.active_dtp = FixedActiveDTP
Tls.certfile, Tls.keyfile = cert, key
Tls.tls_control_required = Tls.tls_data_required = False
logging.basicConfig(level=os.environ.get("PYFTPD_LOG_LEVEL", "INFO"), stream=sys.stderr)
plain = FTPServer(("127.0.0.1", int(port)), Plain)
tls = FTPServer(("127.0.0.1", int(tls_port)), Tls)  # same default IOLoop as `plain`
for s in (plain, tls):
    s.max_cons, s.max_cons_per_ip = 256, 0
plain.serve_forever()
PY
  PYFTPD_PORT=$(servers_free_port)
  PYFTPD_TLS_PORT=$(servers_free_port)
  while [[ "$PYFTPD_TLS_PORT" == "$PYFTPD_PORT" ]]; do PYFTPD_TLS_PORT=$(servers_free_port); done
  servers__run "$dir/log" "$SERVERS_PY" "$dir/server.py" "$SERVERS_USER" \
    "$SERVERS_PASS" "$home" "$PYFTPD_PORT" "$PYFTPD_TLS_PORT" "$PYFTPD_PASV" \
    "$SERVERS_CERT" "$SERVERS_KEY"
  PYFTPD_PID=$SERVERS_LASTPID
  if ! servers_wait_port pyftpdlib "$PYFTPD_PID" "$PYFTPD_PORT" ||
    ! servers_wait_port pyftpdlib-tls "$PYFTPD_PID" "$PYFTPD_TLS_PORT"; then
    cat "$dir/log" >&2
    return 1
  fi
}

# vsftpd conflicts with pure-ftpd in apt, so it runs from a private unpacked copy of its .deb.
servers_install_vsftpd() {
  local root=$SERVERS_WORK/vsftpd/root dl
  VSFTPD_BIN=$root/usr/sbin/vsftpd
  [[ -x "$VSFTPD_BIN" ]] && return 0
  servers_apt_install libc6 libcap2 libpam0g libpam-modules libssl3 libwrap0
  dl=$(mktemp -d)
  chmod 777 "$dl" # apt downloads as _apt; the retry: maybe stale package lists
  (cd "$dl" && { apt-get download -qq vsftpd || { apt-get update -qq && apt-get download -qq vsftpd; }; }) \
    >/dev/null 2>&1 || { rm -rf "$dl"; servers_die "apt-get download vsftpd failed"; return 1; }
  mkdir -p "$root"
  dpkg -x "$dl"/vsftpd_*.deb "$root"
  rm -rf "$dl"
  [[ -x "$VSFTPD_BIN" ]] || servers_die "no vsftpd binary in the package"
}

# shellcheck disable=SC2034 # the variables are for the caller
servers_start_vsftpd() { # HOME — plain and explicit TLS on VSFTPD_PORT
  servers__vsftpd "${1:?servers_start_vsftpd HOME}" NO || return 1
  VSFTPD_PORT=$SERVERS_LASTPORT VSFTPD_PID=$SERVERS_LASTPID
}

# shellcheck disable=SC2034
servers_start_vsftpd_implicit() { # HOME — implicit TLS (ftps://) on VSFTPD_IMPLICIT_PORT
  servers__vsftpd "${1:?servers_start_vsftpd_implicit HOME}" YES || return 1
  VSFTPD_IMPLICIT_PORT=$SERVERS_LASTPORT VSFTPD_IMPLICIT_PID=$SERVERS_LASTPID
}

servers__vsftpd() { # HOME IMPLICIT(YES|NO)
  local home port conf lo hi dir=$SERVERS_WORK/vsftpd
  servers_install_vsftpd || return 1
  home=$(servers_prepare_home "$1")
  mkdir -p "$dir/empty"
  chmod 755 "$dir/empty" # secure_chroot_dir: root-owned, not writable by the ftp user
  # Our own PAM service: the packaged one also requires a login shell and /etc/ftpusers.
  printf '@include common-auth\n@include common-account\n' >/etc/pam.d/skiff-vsftpd
  port=$(servers_free_port)
  conf=$dir/vsftpd-$port.conf
  lo=${VSFTPD_PASV%%:*} hi=${VSFTPD_PASV##*:}
  printf '%s\n' >"$conf" listen=YES listen_ipv6=NO listen_address=127.0.0.1 "listen_port=$port" \
    background=NO anonymous_enable=NO local_enable=YES write_enable=YES local_umask=022 \
    "local_root=$home" chroot_local_user=YES allow_writeable_chroot=YES \
    "secure_chroot_dir=$dir/empty" pam_service_name=skiff-vsftpd seccomp_sandbox=NO \
    pasv_enable=YES "pasv_min_port=$lo" "pasv_max_port=$hi" port_enable=YES connect_from_port_20=NO \
    ssl_enable=YES "implicit_ssl=$2" "rsa_cert_file=$SERVERS_CERT" "rsa_private_key_file=$SERVERS_KEY" \
    ssl_ciphers=HIGH require_ssl_reuse=YES force_local_logins_ssl=NO force_local_data_ssl=NO \
    allow_anon_ssl=NO max_clients=0 max_per_ip=0 xferlog_enable=YES xferlog_std_format=NO \
    "vsftpd_log_file=$dir/vsftpd-$port.log"
  # Each TLS session leaves an orphan process, and this machine's init never reaps orphans (one
  # zombie per session). vsftpd itself crashes as a subreaper, so a small Python parent is one
  # (prctl 36): it runs vsftpd, reaps every orphan, passes TERM on, exits when all are gone.
  servers__run "$dir/log-$port" "$SERVERS_PY" -c '
import ctypes, os, signal, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGTERM))
while True:
    try:
        p, st = os.wait()
    except ChildProcessError:
        sys.exit(0)
    if p == pid:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)' "$VSFTPD_BIN" "$conf"
  SERVERS_LASTPORT=$port
  servers_wait_port vsftpd "$SERVERS_LASTPID" "$port" || { cat "$dir/log-$port" >&2; return 1; }
}

# Descendants of a pid (per-session processes of forking servers), parents before children.
servers__descendants() {
  local c
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$c"
    servers__descendants "$c"
  done
}

# servers__stop_pids PID... — TERM, wait (bounded) until gone, then KILL.
servers__stop_pids() {
  local pid deadline=$((SECONDS + 5))
  kill -TERM "$@" 2>/dev/null || true
  for pid in "$@"; do
    # A session process is gone once its server reaped it; our own children we reap with wait.
    while servers__alive "$pid" && ((SECONDS < deadline)); do sleep 0.05; done
    if servers__alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
}

# servers_stop_all — stop each started server by its pid: its session processes first (so that
# the server itself reaps them; this machine's init does not reap orphans), then the server.
servers_stop_all() {
  local pid k kids deadline n=0
  for pid in "${SERVERS_PIDS[@]}"; do
    if servers__alive "$pid"; then
      kids=$(servers__descendants "$pid" | tac)
      # shellcheck disable=SC2086
      [[ -z "$kids" ]] || servers__stop_pids $kids
      deadline=$((SECONDS + 2)) # let the server reap them
      for k in $kids; do while [[ -e /proc/$k ]] && ((SECONDS < deadline)); do sleep 0.05; done; done
      servers__stop_pids "$pid"
      n=$((n + 1))
    fi
    wait "$pid" 2>/dev/null || true
  done
  SERVERS_PIDS=()
  ((n == 0)) || servers_log "stopped $n server(s)"
}
