#!/usr/bin/env python3
"""Sends the UDP payloads of a feed pcap (MoldUDP64) to HOST:PORT through an ordinary UDP socket.

usage: live_feed_sender.py PCAP HOST PORT [PACKETS_PER_MS [DROP_SHARE SEED [BURST [DROP_AT]]]]
Reads classic pcap (us or ns) of Ethernet/[VLAN]/IPv4/UDP frames; paces the sending so that a kernel
af_packet reader on the other end of a veth pair keeps up. DROP_SHARE: that share of the MoldUDP64 data
packets (never the first) is not sent, drawn from SEED (feed-recovery tests, #12); each drop leaves out
BURST consecutive data packets (default 1). DROP_AT: also one drop at that data packet (0-based).
"""
import random
import socket
import struct
import sys
import time


def udp_payloads(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        raise SystemExit(f"{path}: not a little-endian classic pcap")
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        eth = 12
        etype = struct.unpack("!H", frame[eth:eth + 2])[0]
        while etype in (0x8100, 0x88A8):
            eth += 4
            etype = struct.unpack("!H", frame[eth:eth + 2])[0]
        if etype != 0x0800:
            continue
        ip = eth + 2
        ihl = (frame[ip] & 0x0F) * 4
        if frame[ip + 9] != 17:
            continue
        udp = ip + ihl
        ulen = struct.unpack("!H", frame[udp + 4:udp + 6])[0]
        yield frame[udp + 8:udp + ulen]


def main():
    path, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    per_ms = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    drop_share = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    rng = random.Random(int(sys.argv[6]) if len(sys.argv) > 6 else 1)
    burst = int(sys.argv[7]) if len(sys.argv) > 7 else 1
    drop_at = int(sys.argv[8]) if len(sys.argv) > 8 else -1
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    n = dropped = left = data_packets = 0
    for payload in udp_payloads(path):
        data = len(payload) >= 20 and struct.unpack("!H", payload[18:20])[0] not in (0, 0xFFFF)
        data_packets += data
        if data and n > 0 and (left > 0 or (drop_share > 0 and rng.random() < drop_share)
                               or data_packets - 1 == drop_at):
            left = (left or burst) - 1
            dropped += 1
            continue
        s.sendto(payload, (host, port))
        n += 1
        if n % per_ms == 0:
            time.sleep(0.001)
    print(f"sent {n} datagrams, dropped {dropped}", flush=True)


if __name__ == "__main__":
    main()
