"""One row per figure: its value, the baseline measured in the same run, and their ratio."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass
class Row:
    section: str
    name: str
    value: float
    unit: str
    baseline_name: str
    baseline: float
    baseline_unit: str
    note: str = ""
    target: float | None = None  # the ratio this figure should stay within, if there is one

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None

    @property
    def verdict(self) -> str:
        if self.target is None or self.ratio is None:
            return self.note
        mark = "ok" if self.ratio <= self.target else "OVER"
        return f"target <= {self.target:g}x: {mark}" + (f"; {self.note}" if self.note else "")

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = None if self.ratio is None else round(self.ratio, 4)
        data["note"] = self.verdict
        return data


def fmt(value: float, unit: str) -> str:
    if unit == "ms":
        text = f"{value:.1f}" if value >= 10 else f"{value:.2f}"
    elif unit == "MB":
        text = f"{value:.2f}" if value >= 1 else f"{value:.3f}"
    elif float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}"


def fmt_ratio(ratio: float | None) -> str:
    if ratio is None:
        return "n/a"
    if ratio >= 0.1:
        return f"{ratio:.2f}x"
    return f"{ratio:.3f}x" if ratio >= 0.001 else "<0.001x"


def render_table(rows: list[Row]) -> str:
    header = ("Figure", "Value", "Compared with (same run)", "Ratio", "Note")
    body = [
        (
            r.name,
            fmt(r.value, r.unit),
            f"{r.baseline_name}: {fmt(r.baseline, r.baseline_unit)}",
            fmt_ratio(r.ratio),
            r.verdict,
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in (header, *body)) for i in range(len(header))]
    right = {1, 3}  # numbers line up on the right

    def line(cells: tuple[str, ...]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [line(header), rule]
    section = None
    for row, cells in zip(rows, body, strict=True):
        if section is not None and row.section != section:
            out.append("")
        section = row.section
        out.append(line(cells))
    return "\n".join(out)


def write_json(path: Path, meta: dict[str, Any], rows: list[Row], notes: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"meta": meta, "rows": [r.as_json() for r in rows], "notes": notes}
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
