"""Run LibreOffice headless: recalculate a workbook, or render it to PDF.

LibreOffice normally trusts the values saved with formulas in an .xlsx. A private user
profile whose registrymodifications.xcu sets
``/org.openoffice.Office.Calc/Formula/Load/OOXMLRecalcMode`` to 0 ("always") makes it
recalculate every formula on load; converting to .xlsx then saves the recalculated
values, which openpyxl reads with ``data_only=True``. Each call uses its own profile
folder, so calls never share LibreOffice state (or a lock).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def available() -> bool:
    return shutil.which("soffice") is not None


def _convert(src: Path, out_dir: Path, target: str, timeout: float) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kpi-lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir(parents=True)
        (user / "registrymodifications.xcu").write_text(XCU, encoding="utf-8")
        cmd = [
            "soffice", f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless", "--norestore", "--nolockcheck",
            "--convert-to", target, "--outdir", str(out_dir), str(src),
        ]
        env = {**os.environ, "HOME": profile}
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    out = out_dir / (src.stem + "." + target.split(":")[0])
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"soffice failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    return out


def recalc(src: Path, out_dir: Path, timeout: float = 240) -> Path:
    """Open ``src`` with every formula recalculated and save it as .xlsx in ``out_dir``."""
    if Path(out_dir).resolve() == Path(src).parent.resolve():
        raise ValueError("out_dir must differ from the source's folder (the output has the same name)")
    return _convert(Path(src), Path(out_dir), "xlsx:Calc MS Excel 2007 XML", timeout)


def to_pdf(src: Path, out_dir: Path, timeout: float = 240) -> Path:
    return _convert(Path(src), Path(out_dir), "pdf", timeout)


def to_png(pdf: Path, out_prefix: Path, dpi: int = 80, first: int = 1, last: int | None = None) -> list[Path]:
    """Render PDF pages to PNG with pdftoppm; returns the files written."""
    cmd = ["pdftoppm", "-png", "-r", str(dpi), "-f", str(first)]
    if last is not None:
        cmd += ["-l", str(last)]
    subprocess.run(cmd + [str(pdf), str(out_prefix)], check=True, capture_output=True, timeout=120)
    return sorted(Path(out_prefix).parent.glob(Path(out_prefix).name + "*.png"))
