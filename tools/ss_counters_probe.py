#!/usr/bin/env python3
"""What Linux counts for `ss -s` (docs/listener.md, "ss -s"): one loopback connection, both
ends ESTABLISHED, then the server end closed (the client in CLOSE-WAIT, the orphaned server
end in FIN-WAIT-2). Prints Tcp: CurrEstab from /proc/net/snmp before and after, ss -tan,
/proc/net/sockstat and ss -s. Run it in a network namespace of its own, so that nothing
else is counted:  sudo unshare -n sh -c 'ip link set lo up; python3 tools/ss_counters_probe.py'
"""
import socket
import subprocess
import time


def curr_estab():
    rows = [line.split() for line in open('/proc/net/snmp') if line.startswith('Tcp:')]
    return int(rows[1][rows[0].index('CurrEstab')])


listener = socket.socket()
listener.bind(('127.0.0.1', 0))
listener.listen(1)
client = socket.socket()
client.connect(listener.getsockname())
server, _ = listener.accept()
time.sleep(0.1)
before = curr_estab()
server.close()
time.sleep(0.2)
after = curr_estab()
print('CurrEstab, both ends ESTABLISHED:', before)
print('CurrEstab, client CLOSE-WAIT and server FIN-WAIT-2:', after)
for command in (['ss', '-tan'], ['cat', '/proc/net/sockstat'], ['ss', '-s']):
    print('$', ' '.join(command))
    print(subprocess.run(command, capture_output=True, text=True).stdout)
