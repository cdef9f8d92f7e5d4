"""Summarize acceptance runs: ``python summarize.py BUILD=run.xml ...`` prints scenario x reading x build.

Each run is a pytest ``--junitxml`` file. A cell is ``pass`` or ``FAIL: <the checks that failed>``
(the ``failed at:`` labels of the harness's diagnosis).
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

LABEL = re.compile(r"\[([^\]]+)\] failed at: (.+)")


def cells(path: str) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("name", "")
        scenario, _, reading = name.partition("[")
        reading = reading.rstrip("]") or "baseline"
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        if case.find("skipped") is not None:
            out[(scenario, reading)] = "skipped"
        elif failure is None:
            out[(scenario, reading)] = "pass"
        else:
            text = (failure.get("message") or "") + "\n" + (failure.text or "")
            labels = list(dict.fromkeys(m.group(2).strip() for m in LABEL.finditer(text)))
            out[(scenario, reading)] = "FAIL: " + ("; ".join(labels) if labels else text.strip().splitlines()[0][:160])
    return out


def main(args: list[str]) -> None:
    builds = [a.split("=", 1) for a in args]
    table: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for build, path in builds:
        for key, cell in cells(path).items():
            table[key][build] = cell
    names = [b for b, _ in builds]
    print("| scenario | reading | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for (scenario, reading), row in sorted(table.items()):
        print(f"| {scenario} | {reading} | " + " | ".join(row.get(n, "not run") for n in names) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
