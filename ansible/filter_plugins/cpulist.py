"""Jinja filters for Linux cpulist strings ("0-3,8,10-11"), as used by isolcpus, nohz_full,
CPUAffinity and irqbalance. Kept tiny and pure so the roles can validate the CPU layout."""


def cpulist_expand(value):
    """'0-2,5' -> [0, 1, 2, 5]; also accepts an int or a list of ints/strings."""
    if isinstance(value, int):
        return [value]
    if isinstance(value, (list, tuple)):
        cpus = []
        for item in value:
            cpus.extend(cpulist_expand(item))
        return sorted(set(cpus))
    cpus = set()
    for part in str(value).replace(" ", "").split(","):
        if not part:
            continue
        if "-" in part:
            low, high = part.split("-", 1)
            low, high = int(low), int(high)
            if high < low:
                raise ValueError(f"bad cpulist range {part!r}")
            cpus.update(range(low, high + 1))
        else:
            cpus.add(int(part))
    return sorted(cpus)


def cpulist_compress(value):
    """[0, 1, 2, 5] (or any cpulist) -> '0-2,5'."""
    cpus = cpulist_expand(value)
    ranges = []
    for cpu in cpus:
        if ranges and cpu == ranges[-1][1] + 1:
            ranges[-1][1] = cpu
        else:
            ranges.append([cpu, cpu])
    return ",".join(f"{a}-{b}" if b > a else str(a) for a, b in ranges)


def cpulist_mask(value):
    """cpulist -> hexadecimal CPU mask in the kernel's comma-separated 32-bit groups
    ('0-1' -> '3', '0,32' -> '1,00000001'), as /proc/irq/default_smp_affinity takes it."""
    mask = 0
    for cpu in cpulist_expand(value):
        mask |= 1 << cpu
    digits = format(mask, "x")
    groups = []
    while len(digits) > 8:
        groups.insert(0, digits[-8:])
        digits = digits[:-8]
    groups.insert(0, digits)
    return ",".join(groups)


class FilterModule:
    def filters(self):
        return {
            "cpulist_expand": cpulist_expand,
            "cpulist_compress": cpulist_compress,
            "cpulist_mask": cpulist_mask,
        }
