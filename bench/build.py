"""Build output size: what `make sam-build` left in .aws-sam/build, per function and per layer."""

from __future__ import annotations

from pathlib import Path

from bench.report import Row
from infra.local.engine import LOCAL_SENDER, ROOT
from infra.local.template import Template

BUILD = ROOT / ".aws-sam" / "build"
MB = 1024 * 1024


def _size(folder: Path) -> tuple[int, int]:
    total = files = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            files += 1
    return total, files


def _newest_source(template: Template) -> float:
    folders = [spec.code_uri for spec in template.functions()] + [
        template.root / r["Properties"]["ContentUri"]
        for r in template.resources("AWS::Serverless::LayerVersion").values()
    ]
    stamps = [
        p.stat().st_mtime
        for folder in folders
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    return max([*stamps, (ROOT / "template.yaml").stat().st_mtime])


def run() -> tuple[list[Row], list[str]]:
    if not BUILD.is_dir():
        return [], ["Build output: .aws-sam/build not found; run `make sam-build` first for build sizes."]
    template = Template.load(
        ROOT / "template.yaml", {"SenderEmail": LOCAL_SENDER, "SiteUrl": "http://x", "AdminEmails": ""}
    )
    names = [spec.logical_id for spec in template.functions()] + list(
        template.resources("AWS::Serverless::LayerVersion")
    )
    sizes = {name: _size(BUILD / name) for name in names if (BUILD / name).is_dir()}
    whole = sum(size for size, _ in sizes.values())
    functions = {spec.logical_id for spec in template.functions()}
    rows = [
        Row(
            "build",
            f"Build size: {name}" + ("" if name in functions else " (layer)"),
            size / MB,
            "MB",
            "whole build (functions + layer)",
            whole / MB,
            "MB",
            note=f"{files:,} file{'s' if files != 1 else ''}",
        )
        for name, (size, files) in sizes.items()
    ]
    notes = []
    missing = [name for name in names if name not in sizes]
    if missing:
        notes.append(f"Build output: no folder for {', '.join(missing)} in .aws-sam/build; run `make sam-build`.")
    for name in sizes:
        if name in functions:
            continue
        packages = [p for p in (BUILD / name / "python").glob("*") if p.is_dir() and not p.name.endswith("-info")]
        biggest = sorted(((_size(p)[0], p.name) for p in packages), reverse=True)[:4]
        if biggest:
            listed = ", ".join(f"{pkg} {size / MB:.1f} MB" for size, pkg in biggest)
            notes.append(f"Largest packages in {name}: {listed}.")
    stamp = BUILD / "template.yaml"  # sam writes it afresh on every build
    built_at = stamp.stat().st_mtime if stamp.is_file() else 0
    if _newest_source(template) > built_at:
        notes.append("Build output is older than the sources; run `make sam-build` for current sizes.")
    return rows, notes
