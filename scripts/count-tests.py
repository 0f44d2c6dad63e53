#!/usr/bin/env python3
"""Prints 'N passed, N failed' over meson test logs, counting each gtest case; exits 1 on any failure.

A meson test run with protocol 'gtest' leaves <builddir>/<test name>.xml (JUnit): its cases are
counted one by one. Other tests count once each. A build dir with no test log counts as one failure
(the build or the test run did not happen). Each failure is named on a "FAILED ..." line above the last.
"""
import json
import os
import sys
import xml.etree.ElementTree as ET



def case_failed(case):
    return case.find("failure") is not None or case.find("error") is not None


passed = skipped = 0
failures = []  # one per failure, printed just above the last line so a CI tail shows them
for build in sys.argv[1:]:
    log = os.path.join(build, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        print(f"count-tests: no test log in {build}", file=sys.stderr)
        failures.append(f"{build}: no test log (the build or the test run did not happen)")
        continue
    with open(log) as f:
        entries = [json.loads(line) for line in f if line.strip()]
    for e in entries:
        result = e.get("result")
        xml = os.path.join(build, e["name"] + ".xml")
        cases = []
        if os.path.exists(xml):
            try:
                cases = ET.parse(xml).getroot().iter("testcase")
                cases = list(cases)
            except ET.ParseError:
                cases = []
        if cases and result in ("OK", "FAIL"):
            for c in cases:
                if case_failed(c):
                    failures.append(f"{build}/{e['name']}: {c.get('classname')}.{c.get('name')}")
                elif c.find("skipped") is not None or c.get("result") == "skipped":
                    skipped += 1
                else:
                    passed += 1
            if result == "FAIL" and not any(case_failed(c) for c in cases):
                # crashed or exited non-zero outside any case
                failures.append(f"{build}/{e['name']}: {result} outside any case")
        elif result == "OK":
            passed += 1
        elif result in ("SKIP", "EXPECTEDFAIL"):
            skipped += 1
        else:
            failures.append(f"{build}/{e['name']}: {result}")
for f in failures:
    print(f"FAILED {f}")
line = f"{passed} passed, {len(failures)} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failures else 0)
