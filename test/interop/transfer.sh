#!/usr/bin/env bash
# Bulk transfers between tcpfsm_tun and the kernel's TCP, with everyday tools on the
# kernel's side, each checked by SHA-256 (sha256sum) on both ends: the file the tool read
# against the file the other end wrote, and against the SHA-256 tcpfsm_tun logs for what
# its connection sent and received (CONN-END / TRANSFER lines).
#
# Usage: transfer.sh TCPFSM_TUN INTEROP_PEER KIND 4|6 OCTETS
#   curl_get      serve --app http; curl GETs a file of OCTETS random octets
#   curl_put      serve --app http; curl PUTs one (--upload-file, Expect: 100-continue)
#   wget_get      serve --app http; wget GETs one
#   socat_echo    serve --app echo; socat sends a file and writes what comes back
#   socat_discard serve --app discard; socat sends a file
#   socat_source  serve --app source --bytes OCTETS; socat writes what it gets
#   socat_server  socat listens and sends a file while tcpfsm_tun (--mode client) sends
#                 another (--in) and writes what it gets (--out): both ways at once
source "$(dirname "$0")/lib.sh"
kind=${1:?kind}
family=${2:?family}
octets=${3:?octets}
SCENARIO="transfer_${kind}_ipv${family}_${octets}"
TUN_LOG=""   # events only: a trace of every segment would be most of the run's time
TUN_DEADLINE_MS=90000
case "$kind" in
    curl_*) require_tools curl sha256sum ;;
    wget_*) require_tools wget sha256sum ;;
    socat_*) require_tools socat sha256sum ;;
esac
setup "$family"
if [ "$family" = 6 ]; then host="[$TADDR]"; else host="$TADDR"; fi

head -c "$octets" /dev/urandom >"$WORK/data" || fail "cannot make the data file"
want=$(sha "$WORK/data")
mkdir -p "$WORK/root"

# conn_end FIELD: the value of FIELD= in tcpfsm_tun's (only) CONN-END line.
conn_end() { sed -nE "s/^CONN-END .* $1=([^ ]+) .*/\\1/p" "$WORK/tun.log" | head -n 1; }
# transfer_field FIELD: the same in the client mode's TRANSFER line.
transfer_field() { sed -nE "s/^TRANSFER .*$1=([^ ]+) .*/\\1/p" "$WORK/tun.log" | head -n 1; }
check() {  # check WHAT GOT WANT
    [ "$2" = "$3" ] || fail "$1: got ${2:-nothing}, expected $3"
    note "$1 ok"
}
serve() {  # serve ARGS...: tcpfsm_tun's listener on port 8000, ending after one connection
    start_tun --mode serve --local "$TADDR" --lport 8000 --connections 1 "$@"
    wait_log tun '^LISTEN ' 5
}

start=$(date +%s%N)
case "$kind" in
    curl_get)
        cp "$WORK/data" "$WORK/root/file"
        serve --app http --root "$WORK/root"
        nsx curl -sS -g --noproxy '*' --max-time 60 -o "$WORK/got" "http://$host:8000/file" || fail "curl GET failed"
        wait_exit tun 10
        check "curl's copy" "$(sha "$WORK/got")" "$want"
        expect_line tun "^HTTP id=1 \"GET /file HTTP/1.1\" status=200 length=$octets "
        ;;
    curl_put)
        serve --app http --root "$WORK/root"
        nsx curl -sS -g --noproxy '*' --max-time 60 -o "$WORK/reply" -w '%{http_code}' \
            --upload-file "$WORK/data" "http://$host:8000/stored" >"$WORK/code" || fail "curl PUT failed"
        wait_exit tun 10
        check "status" "$(cat "$WORK/code")" 201
        check "the stored file" "$(sha "$WORK/root/stored")" "$want"
        check "the stored file's length" "$(stat -c %s "$WORK/root/stored")" "$octets"
        ;;
    wget_get)
        cp "$WORK/data" "$WORK/root/file"
        serve --app http --root "$WORK/root"
        nsx wget -q --no-proxy -T 60 -O "$WORK/got" "http://$host:8000/file" || fail "wget failed"
        wait_exit tun 10
        check "wget's copy" "$(sha "$WORK/got")" "$want"
        ;;
    socat_echo)
        serve --app echo
        nsx socat -t 30 -T 60 - "TCP:$host:8000" <"$WORK/data" >"$WORK/got" || fail "socat failed"
        wait_exit tun 10
        check "what socat got back" "$(sha "$WORK/got")" "$want"
        check "what tcpfsm_tun received" "$(conn_end received_sha256)" "$want"
        check "what tcpfsm_tun sent" "$(conn_end sent_sha256)" "$want"
        ;;
    socat_discard)
        serve --app discard
        nsx socat -t 30 -T 60 -u "OPEN:$WORK/data" "TCP:$host:8000" || fail "socat failed"
        wait_exit tun 10
        check "what tcpfsm_tun received" "$(conn_end received_sha256)" "$want"
        check "its length" "$(conn_end received)" "$octets"
        ;;
    socat_source)
        # The source's text is `seq 0 N` cut at N octets: made here by coreutils.
        seq 0 "$octets" | head -c "$octets" >"$WORK/data"
        want=$(sha "$WORK/data")
        serve --app source --bytes "$octets"
        nsx socat -t 30 -T 60 -u "TCP:$host:8000" "CREATE:$WORK/got" || fail "socat failed"
        wait_exit tun 10
        check "what socat got" "$(sha "$WORK/got")" "$want"
        check "what tcpfsm_tun sent" "$(conn_end sent_sha256)" "$want"
        ;;
    socat_server)
        head -c "$octets" /dev/urandom >"$WORK/kernel-data"
        kwant=$(sha "$WORK/kernel-data")
        if [ "$family" = 6 ]; then listen="TCP6-LISTEN:6000,bind=[$KADDR]"; else listen="TCP4-LISTEN:6000,bind=$KADDR"; fi
        start_bg socat socat -t 30 -T 60 "$listen,reuseaddr" "OPEN:$WORK/kernel-data!!CREATE:$WORK/kernel-got"
        socat_pid=$BG_PID
        for _ in $(seq 1 500); do nsx ss -tlnH "sport = :6000" | grep -q . && break; sleep 0.01; done
        start_tun --mode client --local "$TADDR" --remote "$KADDR" --rport 6000 --in "$WORK/data" \
            --out "$WORK/got" --msl-ms 100
        wait_exit tun 60
        wait_pid "$socat_pid" 10 socat
        check "what socat got" "$(sha "$WORK/kernel-got")" "$want"
        check "what tcpfsm_tun got" "$(sha "$WORK/got")" "$kwant"
        check "what tcpfsm_tun logged as sent" "$(transfer_field sent_sha256)" "$want"
        check "what tcpfsm_tun logged as received" "$(transfer_field received_sha256)" "$kwant"
        ;;
    *) fail "unknown kind $kind" ;;
esac
ms=$((($(date +%s%N) - start) / 1000000))
note "$octets octets, $kind over IPv$family, in $ms ms (setup included)"
echo "PASS: $SCENARIO"
