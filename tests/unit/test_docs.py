"""The repository documents itself: the README (for owners, short) and docs/ cite only files inside the
repository; rules, outcome tables and the performance diary live in docs/, not in the README."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: written by other work in parallel; linked before they land
PENDING = {"docs/protocol-config.md", "docs/operations.md", "docs/reliability.md"}
README = REPO / "README.md"
#: the README's first two commands, exactly: CI and the quick start run them
FIRST_COMMANDS = (
    "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/kiosk-ui demo",
    "bash scripts/test.sh",
)


def test_readme_and_docs_cite_no_file_outside_the_repository() -> None:
    for page in [README, *sorted((REPO / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text and "PROTOCOL.md" not in text and "UI_CONTRACT.md" not in text, page.name
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if target.startswith(("http://", "https://")):
                continue
            path = (page.parent / target).resolve()
            assert path.is_relative_to(REPO), f"{page.name} links outside the repository: {target}"
            assert path.exists() or str(path.relative_to(REPO)) in PENDING, f"{page.name}: broken link {target}"
    assert (REPO / "docs" / "protocol.md").is_file() and (REPO / "docs" / "contract.md").is_file()


def test_readme_is_short_and_starts_with_the_two_commands() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"the README is for owners: {len(lines)} lines"
    assert lines[0] == "# kiosk-ui" and lines[2] == "```sh"
    assert [line.split("  #")[0].strip() for line in lines[3:5]] == list(FIRST_COMMANDS)
    headings = [line for line in lines if line.startswith("## ")]
    for needed in ("## Try the demo", "## Install it on the kiosk", "## The staff's daily tasks", "## Reliability",
                   "## Where to get help"):  # fmt: skip
        assert needed in headings, needed
    reliability = "\n".join(lines[lines.index("## Reliability") :])
    assert "(docs/reliability.md)" in reliability.split("\n## ")[0]


def test_the_readme_cites_test_files_that_exist() -> None:
    text = README.read_text(encoding="utf-8")
    cited = re.findall(r"`((?:tests|scripts|benchmarks)/[\w/.-]+\.(?:py|sh))`", text)
    assert "tests/browser/test_customer_a11y_browser.py" in cited
    assert [path for path in cited if not (REPO / path).is_file()] == []


def test_rules_outcomes_and_the_diary_live_in_docs() -> None:
    readme = README.read_text(encoding="utf-8")
    payments = (REPO / "docs" / "payments.md").read_text(encoding="utf-8")
    performance = (REPO / "docs" / "performance.md").read_text(encoding="utf-8")
    assert "| method | facts | outcome |" in payments and "| method | facts | outcome |" not in readme
    # the generated transition table goes between these two lines (written by the payment core's script)
    begin, end = "<!-- transitions:begin -->", "<!-- transitions:end -->"
    assert payments.count(begin) == 1 and payments.count(end) == 1 and payments.index(begin) < payments.index(end)
    assert "2026-11-28" in performance and "2026-11-28" not in readme  # the dated diary
