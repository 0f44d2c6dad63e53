#!/usr/bin/env python3
"""Prints the host's PCI/network facts as JSON for the nic role.

Arguments: the interfaces to resolve to PCI devices (management interfaces). Bonds, bridges,
VLANs and macvlans are followed through /sys/class/net/<if>/lower_* down to physical devices;
virtio and other bus children are walked up to their nearest PCI function.
"""
import json
import os
import re
import sys

PCI = "/sys/bus/pci/devices"
NET = "/sys/class/net"
BDF = re.compile(r"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$")


def nearest_pci(path):
    """The PCI function nearest above a sysfs device path ('' when it is not on PCI)."""
    for part in reversed(os.path.realpath(path).split("/")):
        if BDF.match(part):
            return part
    return ""


def pci_of(interface, seen=None):
    seen = seen if seen is not None else set()
    if interface in seen:
        return set()
    seen.add(interface)
    base = os.path.join(NET, interface)
    found = set()
    device = os.path.join(base, "device")
    if os.path.exists(device) and nearest_pci(device):
        found.add(nearest_pci(device))
    try:
        for entry in os.listdir(base):
            if entry.startswith("lower_"):
                found |= pci_of(entry[len("lower_"):], seen)
    except OSError:
        pass
    return found


devices = {}
for bdf in sorted(os.listdir(PCI)) if os.path.isdir(PCI) else []:
    driver = os.path.join(PCI, bdf, "driver")
    devices[bdf] = {
        "driver": os.path.basename(os.path.realpath(driver)) if os.path.exists(driver) else "",
        "interfaces": [],
    }
for name in sorted(os.listdir(NET)) if os.path.isdir(NET) else []:
    device = os.path.join(NET, name, "device")
    bdf = nearest_pci(device) if os.path.exists(device) else ""
    if bdf in devices:
        devices[bdf]["interfaces"].append(name)

groups = "/sys/kernel/iommu_groups"
print(json.dumps({
    "pci_devices": devices,
    "interface_pci": {name: sorted(pci_of(name)) for name in sys.argv[1:] if name},
    "iommu_groups": len(os.listdir(groups)) if os.path.isdir(groups) else 0,
}))
