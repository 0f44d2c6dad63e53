#!/usr/bin/env python3
"""Receives order datagrams on UDP PORT (an ordinary socket) and writes each payload as one hex line.

usage: live_order_receiver.py PORT OUT_FILE READY_FILE IDLE_SECONDS
Exits after IDLE_SECONDS without a datagram once at least the READY_FILE was written (startup)."""
import socket
import sys
import time


def main():
    port, out, ready, idle = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    s.settimeout(0.2)
    open(ready, "w").close()
    last = time.monotonic()
    with open(out, "w") as f:
        while time.monotonic() - last < idle:
            try:
                data, _ = s.recvfrom(65535)
            except socket.timeout:
                continue
            f.write(data.hex() + "\n")
            f.flush()
            last = time.monotonic()


if __name__ == "__main__":
    main()
