#!/usr/bin/env bash
# Checks deploy/nginx-wanshan.conf with `nginx -t`, as it is but for what only the real machine
# has: the certificate (a throwaway self-signed one, made here), the log folder, and ports 80
# and 443 (nginx -t binds its ports: free high ones here, so neither root nor an idle port 80
# is needed). Everything nginx writes (pid, logs, temp files) goes to a temporary folder, so
# any user can run it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
site="$here/nginx-wanshan.conf"
fail() { printf 'check-nginx: %s\n' "$*" >&2; exit 1; }
command -v nginx >/dev/null || fail "nginx is not installed (./run.sh test installs it)"
command -v openssl >/dev/null || fail "openssl is not installed"

tmp="$(mktemp -d /tmp/wanshan-nginx.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=wanshan.example.cn" \
  -keyout "$tmp/privkey.pem" -out "$tmp/fullchain.pem" 2>/dev/null
ports="$(python3 -c 'import socket
a, b = socket.socket(), socket.socket()
a.bind(("127.0.0.1", 0)); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])' 2>/dev/null || echo "$((20000 + RANDOM % 20000)) $((40000 + RANDOM % 20000))")"
read -r http_port https_port <<<"$ports"
sed -E -e "s|/etc/letsencrypt/live/wanshan.example.cn/|$tmp/|g" \
  -e "s|/var/log/nginx/|$tmp/|g" \
  -e "s/^( *listen (\[::\]:)?)80;/\1$http_port;/" \
  -e "s/^( *listen (\[::\]:)?)443 /\1$https_port /" "$site" >"$tmp/site.conf"
if grep -nE '/etc/letsencrypt|/var/log/nginx|listen (\[::\]:)?(80|443)[ ;]' "$tmp/site.conf"; then
  fail "the lines above were not replaced for the check"
fi

# The site as Debian's nginx.conf includes it: inside http { }.
cat >"$tmp/nginx.conf" <<CONF
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events {}
http {
    access_log $tmp/access.log;
    client_body_temp_path $tmp/client_body;
    proxy_temp_path $tmp/proxy;
    fastcgi_temp_path $tmp/fastcgi;
    uwsgi_temp_path $tmp/uwsgi;
    scgi_temp_path $tmp/scgi;
    include $tmp/site.conf;
}
CONF

# -e (nginx 1.19.5+) keeps even the first error log in the temporary folder.
early_log=()
if nginx -h 2>&1 | grep -qE '^ +-e '; then early_log=(-e "$tmp/error.log"); fi
if ! output="$(nginx -t -p "$tmp/" -c "$tmp/nginx.conf" "${early_log[@]}" 2>&1)"; then
  printf '%s\n' "$output" >&2
  fail "nginx -t refused $site"
fi
printf '%s\n' "$output" | grep -q 'test is successful' || { printf '%s\n' "$output" >&2; fail "nginx -t did not say the test is successful"; }
printf '%s\n' "$output" | grep -v 'syntax is ok\|test is successful' || true
echo "check-nginx: $site passes nginx -t ($(nginx -v 2>&1 | sed 's/.*version: //'))"
