"""Finding input workbooks and deciding, cheaply and before any parsing, whether each is safe.

inputs.md, "Files": every .xlsx/.xlsm/.xls (and the .xltx/.xltm template forms), .xlsb
and OpenDocument .ods (and .ots) in a folder, recursively; Excel lock files (``~$…``) and the engine's own result workbooks
skipped; encrypted, corrupt and oversized (zip bomb) files refused, naming the file,
while the other files still load. Files are only ever opened for reading.
"""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from defusedxml import ElementTree as SafeET

from ..data import RESULT_PROPERTY
from ..issues import Issue, IssueType

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xltx", ".xltm", ".xlsb", ".ods", ".ots"})
# What a file is, decided by its content (never by its name): the ``kind`` of Opened.
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"  # "-template" follows for .ots

# Zip-bomb limits, checked on the zip's declared sizes BEFORE anything is inflated.
# A legitimate 1,000,000-row 目标管理 sheet written with inline strings is ~420 MB of XML
# compressing ~14:1 (measured, docs/decisions.md), so the total limit leaves room for
# wide sheets; real spreadsheet XML compresses 5–30:1, a bomb 1000:1.
MAX_TOTAL_UNCOMPRESSED = 2_000_000_000  # bytes, all members together
MAX_MEMBER_RATIO = 200  # uncompressed / compressed, for a member larger than …
RATIO_CHECK_FROM = 50_000_000  # … 50 MB
MAX_MEMBERS = 10_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

INPUT_NOT_FOUND = IssueType(
    "input_not_found", "error",
    zh="找不到 {value}。请检查路径是否正确。",
    en="{value} does not exist. Check the path.",
)
NO_INPUT_FILES = IssueType(
    "no_input_files", "error",
    zh="在 {value} 中没有找到工作簿（.xlsx/.xlsm/.xls/.xlsb/.ods）。请把填好的模板放进去再运行。",
    en="No workbook (.xlsx/.xlsm/.xls/.xlsb/.ods) was found in {value}. Put the filled-in templates there and run again.",
)
UNSUPPORTED_FILE = IssueType(
    "unsupported_file", "error",
    zh="{file} 不是 Excel 工作簿（只读取 .xlsx、.xlsm、.xls、.xlsb 和 .ods）。请在 Excel 中另存为 .xlsx。",
    en="{file} is not an Excel workbook (only .xlsx, .xlsm, .xls, .xlsb and .ods are read). Save it as .xlsx in Excel.",
)
LOCK_FILE_SKIPPED = IssueType(
    "lock_file_skipped", "info",
    zh="{file} 是 Excel 打开文件时留下的锁定文件，已跳过。",
    en="{file} is a lock file Excel leaves while a workbook is open; skipped.",
)
RESULT_FILE_SKIPPED = IssueType(
    "result_file_skipped", "info",
    zh="{file} 是本程序生成的结果工作簿，已跳过（不作为输入）。",
    en="{file} is a result workbook written by kpi-engine; skipped (not an input).",
)
FILE_ENCRYPTED = IssueType(
    "file_encrypted", "error",
    zh="{file} 设置了打开密码，无法读取。请在 Excel 中取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存；.ods 文件请在 LibreOffice/WPS 中另存时取消“用密码保存”。",
    en="{file} is password-protected and cannot be read. Remove the password in Excel (File → Info → Protect Workbook → Encrypt with Password, clear it) and save; for an .ods, save it again in LibreOffice/WPS without “Save with password”.",
)
FILE_CORRUPT = IssueType(
    "file_corrupt", "error",
    zh="{file} 无法作为 Excel 工作簿打开（{reason}）。请在 Excel 中打开并另存为 .xlsx；如果是 CSV，请先另存为 Excel 工作簿。",
    en="{file} cannot be opened as an Excel workbook ({reason}). Open it in Excel and save it as .xlsx; a CSV file must be saved as an Excel workbook first.",
)
FILE_NOT_WORKBOOK = IssueType(
    "file_not_workbook", "warning",
    zh="{file} 不是 Excel 工作簿，未读取。如果其中有要计分的数据，请在 Excel 中另存为 .xlsx 后放回文件夹。",
    en="{file} is not an Excel workbook and was not read. If it holds data to score, save it as .xlsx in Excel and put it back in the folder.",
)
OTHER_FILE_SKIPPED = IssueType(
    "other_file_skipped", "info",
    zh="{file} 不是 Excel 工作簿（文档、图片等），未读取。",
    en="{file} is not an Excel workbook (a document, picture or the like); not read.",
)
SYSTEM_FILE_SKIPPED = IssueType(
    "system_file_skipped", "info",
    zh="{file} 是操作系统或其他程序的隐藏文件，未读取。",
    en="{file} is a hidden file of the operating system or another program; not read.",
)
FILE_NOT_REGULAR = IssueType(
    "file_not_regular", "warning",
    zh="{file} 不是普通文件（{reason}），未读取。请放入真正的 Excel 文件。",
    en="{file} is not a regular file ({reason}) and was not read. Put the Excel file itself there.",
)
FILE_NAME_NOT_UTF8 = IssueType(
    "file_name_not_utf8", "info",
    zh="文件名不是 UTF-8 编码（常见于在 Windows 上压缩、在其他系统上解压的文件），显示为 {file}（{reason}）。文件已照常读取；可以把文件改名。",
    en="A file name is not valid UTF-8 (common when a zip made on Windows is unpacked elsewhere); it is shown as {file} ({reason}). The file was read as usual; renaming it fixes the name.",
)
FILE_TOO_LARGE = IssueType(
    "file_too_large", "error",
    zh="{file} 解压后过大（{reason}），可能是损坏或恶意文件，未读取。请只保留需要的工作表后另存。",
    en="{file} would inflate to an unsafe size ({reason}); it may be damaged or malicious and was not read. Keep only the sheets needed and save it again.",
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file found by discovery: a workbook to read, or a file listed as not read."""

    path: Path  # absolute
    name: str  # as shown to the user: relative to the input folder, or the file name
    lock: bool = False  # an Excel lock file (~$…): never opened
    unread: Issue | None = None  # not a workbook (or not a file at all): listed with this reason, never opened


def _is_workbook(p: Path) -> bool:
    return p.suffix.lower() in WORKBOOK_SUFFIXES


def _is_lock(p: Path) -> bool:
    return p.name.startswith("~$")


# Files that may well hold the data meant to be scored: not reading one is a warning.
# Any other file (documents, pictures) is listed at info level.
# (.fods, LibreOffice's flat XML, is not read: calamine does not read it.)
DATA_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".fods", ".numbers", ".et", ".ett", ".xml",
                           ".json", ".xlam", ".xla", ".xlt", ".xlw", ".dbf", ".htm", ".html", ".mht", ".mhtml"})
# Files other programs leave in folders, listed as not read at info level only.
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})
OWN_TEMPORARY = ".kpi-results-"  # output.py's temporaries: removed or left alone there


def display_name(name: str) -> tuple[str, str]:
    """A path as text that can be shown and written, and how it was decoded ('' when it
    was valid UTF-8). Linux hands undecodable bytes over as surrogates (PEP 383); names
    from zips made on Chinese Windows are usually GBK, so that is tried before giving up
    on the odd bytes (shown as �)."""
    try:
        name.encode("utf-8")
        return name, ""
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("gb18030"), "GBK / GB18030"
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), "�"


def _not_regular(p: Path) -> str:
    """'' for a regular file (a symbolic link to one is one), else what it is."""
    try:
        mode = p.stat().st_mode
    except OSError as e:  # a dangling link, or no permission on the folder
        return e.strerror or type(e).__name__
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISFIFO(mode):
        return "FIFO / 命名管道"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device / 设备"
    return "special file / 特殊文件"


def _candidate(q: Path, name: str, in_folder: bool, issues: list[Issue]) -> Candidate | None:
    """One path found → a candidate (to read, or to list as not read); None for files
    that are nobody's input (the engine's own temporaries)."""
    name, decoded = display_name(name)
    if decoded:
        issues.append(FILE_NAME_NOT_UTF8(file=name, reason=decoded))
    odd = _not_regular(q)
    if odd:
        return Candidate(q, name, unread=FILE_NOT_REGULAR(file=name, reason=odd))
    if _is_workbook(q):
        return Candidate(q, name, _is_lock(q))
    if not in_folder:
        return Candidate(q, name, unread=UNSUPPORTED_FILE(file=name))
    if q.name.startswith(OWN_TEMPORARY) or _own_forms_pdf(q):
        return None
    if q.name.startswith(".") or q.name.lower() in SYSTEM_FILES:
        return Candidate(q, name, unread=SYSTEM_FILE_SKIPPED(file=name))
    if q.suffix.lower() in DATA_SUFFIXES:
        return Candidate(q, name, unread=FILE_NOT_WORKBOOK(file=name))
    return Candidate(q, name, unread=OTHER_FILE_SKIPPED(file=name))


def _own_forms_pdf(q: Path) -> bool:
    """The PDF ``score --forms`` prints beside its forms workbook (``…_考核表.pdf``)."""
    return q.suffix.lower() == ".pdf" and (q.stem.endswith("_考核表") or q.stem.endswith("_forms"))


def discover(inputs) -> tuple[list[Candidate], list[Issue], int]:
    """Files and folders → candidates, sorted by path, each once: the workbooks to read,
    lock files, and every other file in a folder, listed with why it is not read.

    Returns (candidates, issues, number of paths that existed)."""
    found: dict[Path, Candidate] = {}
    issues: list[Issue] = []
    existing = 0
    for raw in inputs:
        p = Path(raw)
        if not p.exists():
            issues.append(INPUT_NOT_FOUND(value=display_name(str(raw))[0]))
            continue
        existing += 1
        if p.is_dir():
            root = p.resolve()
            inside = [q for q in sorted(root.rglob("*")) if not q.is_dir()]
            if not any(_is_workbook(q) for q in inside):
                issues.append(NO_INPUT_FILES(value=display_name(str(raw))[0]))
            for q in inside:
                if q not in found:
                    c = _candidate(q, q.relative_to(root).as_posix(), True, issues)
                    if c is not None:
                        found[q] = c
        else:
            q = p.resolve()
            if q not in found:
                found[q] = _candidate(q, p.name, False, issues)
    # Sorted by path, so that the order inputs were given in changes nothing.
    out = [found[k] for k in sorted(found)]
    # Two folders may hold files of the same name: those are shown by their full path.
    names = Counter(c.name for c in out)
    out = [c if names[c.name] == 1 else replace(c, name=display_name(str(c.path))[0]) for c in out]
    return out, issues, existing


@dataclass(slots=True)
class Opened:
    """A candidate's bytes and what the safety checks made of them."""

    data: bytes
    sha256: str
    kind: str  # "zip" (xlsx family), "xlsb", "ods" or "ole" (.xls)
    issue: Issue | None = None  # refused (encrypted/corrupt/bomb) when set
    skipped: Issue | None = None  # skipped (own result) when set


def open_candidate(c: Candidate) -> Opened:
    """Read the file once (read-only), fingerprint it, and run the cheap safety checks."""
    try:
        data = c.path.read_bytes()
    except OSError as e:
        return Opened(b"", "", "", FILE_CORRUPT(file=c.name, reason=e.strerror or str(e)))
    digest = hashlib.sha256(data).hexdigest()
    if not data:
        return Opened(data, digest, "", FILE_CORRUPT(file=c.name, reason="0 bytes / 空文件"))
    if data.startswith(OLE_MAGIC):
        return Opened(data, digest, "ole", _check_ole(c, data))
    if not data.startswith(ZIP_MAGIC):
        return Opened(data, digest, "", FILE_CORRUPT(file=c.name, reason=_what_is_it(data)))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        return Opened(data, digest, "zip", FILE_CORRUPT(file=c.name, reason=f"zip: {e}"))
    with zf:
        problem = zip_bomb_check(zf)
        if problem:
            return Opened(data, digest, "zip", FILE_TOO_LARGE(file=c.name, reason=problem))
        names = set(zf.namelist())
        if "xl/workbook.xml" in names:
            kind = "zip"
        elif "xl/workbook.bin" in names:
            kind = "xlsb"
        elif "mimetype" in names or "content.xml" in names:
            kind = "ods"
            problem = _check_ods(zf)
            if problem == "encrypted":
                return Opened(data, digest, kind, FILE_ENCRYPTED(file=c.name))
            if problem:
                return Opened(data, digest, kind, FILE_CORRUPT(file=c.name, reason=problem))
        else:
            return Opened(data, digest, "zip", FILE_CORRUPT(
                file=c.name, reason="no xl/workbook.xml, xl/workbook.bin or content.xml"))
        if is_result_workbook(zf):
            return Opened(data, digest, kind, skipped=RESULT_FILE_SKIPPED(file=c.name))
    return Opened(data, digest, kind)


def _check_ods(zf: zipfile.ZipFile) -> str:
    """'' for an OpenDocument spreadsheet that can be read, "encrypted" for one saved with
    a password, else why it is not one."""
    mime = (read_member(zf, "mimetype", 200) or b"").strip()
    if not mime.startswith(ODS_MIMETYPE):
        return f"OpenDocument type {mime.decode('ascii', 'replace')[:80] or '?'}, not a spreadsheet"
    manifest = read_member(zf, "META-INF/manifest.xml", 5_000_000)
    if manifest and b"encryption-data" in manifest:
        return "encrypted"
    if "content.xml" not in zf.namelist():
        return "no content.xml"
    return ""


def zip_bomb_check(zf: zipfile.ZipFile) -> str:
    """'' when the declared sizes are safe, else why not. Nothing is inflated."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        return f"{len(infos)} members"
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_CHECK_FROM:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_MEMBER_RATIO:
                return f"{info.filename}: {info.file_size / 1e6:.0f} MB, ratio {ratio:.0f}:1"
    if total > MAX_TOTAL_UNCOMPRESSED:
        return f"{total / 1e6:.0f} MB in total"
    return ""


def read_member(zf: zipfile.ZipFile, name: str, limit: int = 50_000_000) -> bytes | None:
    """A small zip member, or None if absent. Reads at most ``limit`` bytes, whatever the header says."""
    try:
        with zf.open(name) as fh:
            return fh.read(limit)
    except KeyError:
        return None


def is_result_workbook(zf: zipfile.ZipFile) -> bool:
    """True when docProps/custom.xml holds the property the result writer sets, or
    meta.xml does (a result saved again as .ods keeps it as a user-defined field)."""
    raw = read_member(zf, "docProps/custom.xml", 5_000_000)
    ods = False
    if raw is None:
        raw, ods = read_member(zf, "meta.xml", 5_000_000), True
    if not raw or RESULT_PROPERTY.encode() not in raw:
        return False
    try:
        root = SafeET.fromstring(raw)
    except Exception:  # a damaged properties part is not a reason to refuse the workbook
        return False
    if ods:
        return any(el.get("{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}name") == RESULT_PROPERTY
                   for el in root.iter() if el.tag.endswith("user-defined"))
    return any(el.get("name") == RESULT_PROPERTY for el in root.iter() if el.tag.endswith("property"))


def _check_ole(c: Candidate, data: bytes) -> Issue | None:
    """An OLE file is either a legacy .xls or an encrypted OOXML workbook."""
    import msoffcrypto  # only for OLE files: the rare case

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        encrypted = office.is_encrypted()
    except Exception as e:  # msoffcrypto raises for OLE files it does not know
        name = type(e).__name__
        if "Encrypt" in name or "encrypt" in str(e).lower():
            return FILE_ENCRYPTED(file=c.name)
        return None  # let calamine try it as .xls and report if it cannot
    return FILE_ENCRYPTED(file=c.name) if encrypted else None


def _what_is_it(data: bytes) -> str:
    head = data[:512]
    if b"\x00" not in head:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        if text.lstrip().lower().startswith(("<html", "<!doctype", "<?xml")):
            return "HTML/XML text, not a workbook"
        if text and ("," in text or "\t" in text):
            return "plain text such as CSV, not a workbook"
    return "not a zip or OLE file"
