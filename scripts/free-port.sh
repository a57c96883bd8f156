#!/usr/bin/env bash
# free-port.sh - print a TCP port on 127.0.0.1 that is free right now.
#
# The kernel picks it (bind to port 0), so parallel test runs do not collide
# on a fixed list. The port is released before use: another process may
# take it in between, which is unlikely in the ephemeral range.
set -euo pipefail

exec /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
'
