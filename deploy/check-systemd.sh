#!/usr/bin/env bash
# Checks deploy/wanshan.service with systemd-analyze: `verify` (every setting known and well
# formed) and, where it can read a unit offline, `security` (the exposure score may not pass 2.0
# of 10). verify also wants the program to exist, so the copy checked runs /bin/true instead.
# Without systemd-analyze it says so and passes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
unit="$here/wanshan.service"
fail() { printf 'check-systemd: %s\n' "$*" >&2; exit 1; }
if ! command -v systemd-analyze >/dev/null; then
  echo "check-systemd: systemd-analyze is not installed; skipping the check of $unit"
  exit 0
fi

tmp="$(mktemp -d /tmp/wanshan-systemd.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
sed 's|^ExecStart=/opt/wanshan/wanshan-server$|ExecStart=/bin/true|' "$unit" >"$tmp/wanshan.service"
grep -q '^ExecStart=/bin/true$' "$tmp/wanshan.service" || fail "no ExecStart=/opt/wanshan/wanshan-server in $unit"

if ! output="$(cd "$tmp" && systemd-analyze verify "$tmp/wanshan.service" 2>&1)" \
   || printf '%s\n' "$output" | grep -q 'wanshan.service'; then
  printf '%s\n' "$output" >&2
  fail "systemd-analyze verify refused $unit"
fi
echo "check-systemd: $unit passes systemd-analyze verify"

if systemd-analyze security --help 2>&1 | grep -q -- '--offline'; then
  if ! output="$(systemd-analyze security --offline=true --threshold=20 "$tmp/wanshan.service" 2>&1)"; then
    printf '%s\n' "$output" >&2
    fail "$unit is more exposed than 2.0 of 10 (systemd-analyze security)"
  fi
  echo "check-systemd: $(printf '%s\n' "$output" | grep 'Overall exposure' | sed 's/^→ //')"
else
  echo "check-systemd: this systemd-analyze cannot score a unit offline; skipping the exposure check"
fi
