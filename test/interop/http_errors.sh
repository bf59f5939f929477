#!/usr/bin/env bash
# tcpfsm_tun's HTTP/1.0 server (--app http) answers what it must not serve with a 4xx, and
# nothing outside --root is reachable: curl asks for missing files (404), ".." in the path,
# raw or percent-encoded (400), symlinks leading out of the root, a directory (403), another
# method (405), a PUT without Content-Length (411) or above --max-put (413), a PUT through a
# symlink to a directory outside the root (403, and no file appears there), a PUT whose
# body is cut short by the client's FIN (400); and for what it
# must serve: a file, a symlink inside the root (200), a PUT (201).
source "$(dirname "$0")/lib.sh"
TUN_LOG=""
require_tools curl socat sha256sum
setup 4

root="$WORK/root"
outside="$WORK/outside"
mkdir -p "$root/dir" "$outside"
echo "the secret" >"$outside/secret"
echo "a file" >"$root/file"
ln -s "$outside/secret" "$root/abs-link"     # absolute, out of the root
ln -s ../outside/secret "$root/rel-link"     # relative, out of the root
ln -s file "$root/in-link"                   # inside the root
ln -s "$outside" "$root/out-dir"             # a directory outside the root
head -c 2000 /dev/urandom >"$WORK/big"
head -c 1000 /dev/urandom >"$WORK/small"

start_tun --mode serve --local "$TADDR" --lport 80 --app http --root "$root" --max-put 1000
wait_log tun '^LISTEN ' 5

# status METHOD-AND-OPTIONS... URL-PATH: curl's status code
status() {
    local path=${*: -1}
    nsx curl -sS --noproxy '*' --max-time 10 --path-as-is -o "$WORK/body" -w '%{http_code}' \
        "${@:1:$#-1}" "http://$TADDR$path"
}
expect_status() {  # expect_status CODE CURL-ARGS... PATH
    local want=$1 got
    shift
    got=$(status "$@")
    [ "$got" = "$want" ] || fail "curl $*: status $got, expected $want"
    note "curl $*: $got"
}

expect_status 200 /file
[ "$(cat "$WORK/body")" = "a file" ] || fail "GET /file: wrong body"
expect_status 200 /in-link
expect_status 404 /missing
expect_status 404 /dir/missing
expect_status 400 /../outside/secret
expect_status 400 /dir/../file
expect_status 400 /%2e%2e/outside/secret
expect_status 400 /dir/%2E%2E/%2e%2e/outside/secret
expect_status 403 /abs-link
expect_status 403 /rel-link
expect_status 403 /out-dir/secret
expect_status 403 /dir
expect_status 403 /
expect_status 405 -X DELETE /file
expect_status 405 -X POST -d x /file
expect_status 411 -X PUT /nolength
expect_status 413 --upload-file "$WORK/big" /big
expect_status 403 --upload-file "$WORK/small" /out-dir/planted
expect_status 403 --upload-file "$WORK/small" /abs-link
expect_status 400 --upload-file "$WORK/small" /dir/../planted
expect_status 201 --upload-file "$WORK/small" /dir/stored
[ "$(sha "$root/dir/stored")" = "$(sha "$WORK/small")" ] || fail "the stored file differs from what curl sent"
[ ! -e "$outside/planted" ] || fail "a PUT created a file outside the root"
[ "$(cat "$outside/secret")" = "the secret" ] || fail "a PUT changed a file outside the root"
expect_status 200 /dir/stored
[ "$(sha "$WORK/body")" = "$(sha "$WORK/small")" ] || fail "GET of the stored file differs"

# A PUT whose client half-closes before Content-Length octets: 400, not a hang in CLOSE-WAIT.
reply=$(printf 'PUT /cut HTTP/1.0\r\nContent-Length: 100\r\n\r\nabc' |
    nsx socat -t 5 -T 10 - "TCP:$TADDR:80" | head -n 1 | tr -d '\r')
[ "$reply" = "HTTP/1.0 400 Bad Request" ] || fail "a PUT cut short: got '$reply'"
note "a PUT cut short: $reply"

kill -TERM "$TUN_PID"
wait_exit tun 5
expect_line tun '^STATS accepted=23 ended=23 '
echo "PASS: $SCENARIO"
