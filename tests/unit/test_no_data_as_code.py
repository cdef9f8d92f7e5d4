"""House rule: data never becomes code in ``kiosk_ui/ui/`` (issue 22, item 1).

NiceGUI parses a props string (``element.props("...")``) and runs every ``:``-prefixed prop as
JavaScript. A product description such as ``Pan" :data-x="(…)" x="`` formatted into a props string
closes the attribute and plants a script in every staff tab. Props built from values
(``theme.attrs``/``props.update``) cannot do that, so a props string must be a plain literal; and a
script sent to the browser may only carry values through ``json.dumps``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import kiosk_ui

UI = Path(kiosk_ui.__file__).resolve().parent / "ui"


def _props_offenders(tree: ast.AST, where: str) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr == "props":
            texts = [*node.args, *(k.value for k in node.keywords if k.arg in ("add", "remove"))]
            for arg in texts:
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    found.append(f"{where}:{node.lineno}: props({ast.unparse(arg)[:80]})")
        if node.func.attr == "run_javascript" and node.args and isinstance(node.args[0], ast.JoinedStr):
            for part in node.args[0].values:
                if isinstance(part, ast.FormattedValue) and not _json_or_constant(part.value):
                    found.append(f"{where}:{node.lineno}: run_javascript with {{{ast.unparse(part.value)}}}")
    return found


def _json_or_constant(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.IfExp):
        return _json_or_constant(node.body) and _json_or_constant(node.orelse)
    return isinstance(node, ast.Call) and ast.unparse(node.func) == "json.dumps"


def offenders(root: Path = UI) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        found += _props_offenders(ast.parse(path.read_text(encoding="utf-8")), str(path.relative_to(root)))
    return found


def test_no_props_string_is_built_from_text_in_the_ui() -> None:
    assert offenders() == []


def test_the_rule_sees_fstrings_format_and_concatenation(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(
        "e.props(f'aria-label=\"{x}\"')\n"
        "e.props('alt=\"{}\"'.format(x))\n"
        "e.props('alt=\"' + x + '\"')\n"
        "e.props(text)\n"
        "e.props(remove=f'{x}')\n"
        "ui.run_javascript(f'document.title = \"{x}\"')\n"
    )
    (tmp_path / "good.py").write_text(
        "e.props('flat round')\n"
        "e.props.update({'aria-label': x})\n"
        "ui.run_javascript(f'document.title = {json.dumps(x)}')\n"
        "ui.run_javascript(f\"f({'true' if x else 'false'})\")\n"
    )
    assert [line.split(":")[0] + ":" + line.split(":")[1] for line in offenders(tmp_path)] == [
        "bad.py:1",
        "bad.py:2",
        "bad.py:3",
        "bad.py:4",
        "bad.py:5",
        "bad.py:6",
    ]
