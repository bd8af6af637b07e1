#!/usr/bin/env bash
# Starts `skiff --demo` under Xvfb, waits (bounded) until its window is connected to the demo
# server (the title says "Skiff — 127.0.0.1:PORT"), takes a screenshot of the screen and checks
# that it is not blank. Stops the app and Xvfb by pid.
#   usage: ci/window-check.sh SKIFF_BINARY [SCREENSHOT.png]
# SKIFF_SCREEN=2560x1600 with WINIT_X11_SCALE_FACTOR=2 shoots the window at 2x scale;
# SKIFF_THEME=light the light theme.
set -euo pipefail
skiff=$(readlink -f "${1:?usage: $0 SKIFF_BINARY [SCREENSHOT.png]}")
shot=${2:-/tmp/skiff-window.png}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=ci/servers.sh
source "$here/servers.sh"
servers_apt_install xvfb x11-utils xdotool imagemagick libgl1 libgl1-mesa-dri libegl1 \
  libxkbcommon-x11-0 libxcursor1 libxi6 libx11-xcb1

pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# -displayfd: Xvfb picks a free display itself (no clash with another X server) and writes it.
numfile=$(mktemp)
Xvfb -displayfd 5 -screen 0 "${SKIFF_SCREEN:-1280x800}x24" -nolisten tcp 5>"$numfile" >/tmp/skiff-xvfb.log 2>&1 &
pids+=($!)
deadline=$((SECONDS + 20))
until [[ -s $numfile ]] && xdpyinfo -display ":$(head -n 1 "$numfile")" >/dev/null 2>&1; do
  ((SECONDS < deadline)) || { echo "Xvfb did not start"; cat /tmp/skiff-xvfb.log; exit 1; }
  sleep 0.2
done
display=":$(head -n 1 "$numfile")"
rm -f "$numfile"
echo "Xvfb on $display"

DISPLAY=$display "$skiff" --demo >/tmp/skiff-window.log 2>&1 &
pids+=($!)
app=$!
deadline=$((SECONDS + 90))
title=""
until [[ $title == "Skiff — 127.0.0.1:"* ]]; do
  kill -0 "$app" 2>/dev/null || {
    echo "skiff --demo exited"
    cat /tmp/skiff-window.log
    echo "--- Xvfb log:"
    cat /tmp/skiff-xvfb.log
    ls -la /tmp/.X11-unix/ || true
    exit 1
  }
  ((SECONDS < deadline)) || { echo "no connected Skiff window after 90 s (title: '$title')"; cat /tmp/skiff-window.log; exit 1; }
  title=$(DISPLAY=$display xdotool search --name '^Skiff' getwindowname 2>/dev/null | head -n 1 || true)
  sleep 0.5
done
echo "window: $title"
# The listing follows the login within a frame or two: shoot until the picture has content.
deadline=$((SECONDS + 30))
while :; do
  DISPLAY=$display import -window root "$shot"
  colors=$(convert "$shot" -format %k info:)
  ((colors > 64)) && break
  ((SECONDS < deadline)) || { echo "the screenshot looks blank ($colors colors)"; exit 1; }
  sleep 0.5
done
echo "screenshot: $shot ($colors colors)"
