#!/usr/bin/env bash
# Debian packages the test suite needs beyond Python: docker-compose (to validate
# docker-compose.yml without an engine) and chromium (the end-to-end tests drive it with
# Playwright; fonts-dejavu-core gives it a font) and wrk (benchmarks/api_latency.py's load run). Installs only what is missing; needs root and apt.
set -euo pipefail
needed=()
command -v docker-compose >/dev/null 2>&1 || needed+=(docker-compose)
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || needed+=(fonts-dejavu-core)
command -v wrk >/dev/null 2>&1 || needed+=(wrk)
if [ ${#needed[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system_packages: please install: ${needed[*]} (needs root and apt-get)" >&2
  exit 1
fi
echo "system_packages: installing ${needed[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
