#!/usr/bin/env bash
# Installs the Debian packages Omnisonic's tests need, only when missing: ffmpeg makes test fixtures and transcodes;
# chromium runs the web app's browser tests (driven by playwright-core).
set -euo pipefail
missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
if ((${#missing[@]} > 0)); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $(printf "%s\n" "${missing[@]}" | sort -u)
fi
