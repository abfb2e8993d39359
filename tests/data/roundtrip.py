#!/usr/bin/env python3
"""Round-trip the CSV files of a built site through Python's csv module and
through LibreOffice (CSV → xlsx → openpyxl), checking every cell survives with
its Chinese text, and that each CSV agrees with its JSON twin.

usage: roundtrip.py PUBLIC_DIR WORK_DIR
"""
import csv
import datetime
import json
import pathlib
import subprocess
import sys

import openpyxl


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path}: no UTF-8 BOM"
    assert raw.endswith(b"\r\n"), f"{path}: rows must end in CRLF"
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, strict=True))
    assert rows and all(len(r) == len(rows[0]) for r in rows), f"{path}: ragged rows"
    return rows


def agree_with_json(path, rows):
    """An item table agrees with the JSON file beside it: same ids, titles and columns."""
    twin = path.with_suffix(".json")
    if not twin.is_file() or path.name.endswith(".changes.csv"):
        return
    data = json.loads(twin.read_text(encoding="utf-8"))
    header = rows[0]
    ids = [r[0] for r in rows[1:]]
    assert ids == [i["id"] for i in data["items"]], f"{path}: ids differ from {twin.name}"
    t = header.index("title")
    assert [r[t] for r in rows[1:]] == [i["title"] for i in data["items"]], f"{path}: titles"


def spreadsheet_text(value):
    """A cell as LibreOffice may have typed it, back as the CSV's text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def through_libreoffice(path, work):
    out = work / path.parent.name
    out.mkdir(parents=True, exist_ok=True)
    # 44 = comma, 34 = double quote, 76 = UTF-8, 1 = first line; Unicode text kept.
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{work}/profile",
         "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    book = openpyxl.load_workbook(out / (path.stem + ".xlsx"), read_only=True)
    sheet = book.worksheets[0]
    return [[spreadsheet_text(c) for c in row] for row in sheet.iter_rows(values_only=True)]


def main():
    public, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]).resolve()
    files = sorted((public / "data").rglob("*.csv"))
    assert files, "no CSV files"
    chinese = 0
    for path in files:
        rows = read_csv(path)
        agree_with_json(path, rows)
        sheet = through_libreoffice(path, work)
        width = len(rows[0])
        sheet = [(r + [""] * width)[:width] for r in sheet]
        assert len(sheet) == len(rows), f"{path}: {len(sheet)} rows in the spreadsheet, {len(rows)} in the CSV"
        for i, (a, b) in enumerate(zip(rows, sheet)):
            for j, (x, y) in enumerate(zip(a, b)):
                # LibreOffice stores line breaks inside cells as LF.
                if x.replace("\r\n", "\n") != y:
                    raise AssertionError(f"{path}: row {i + 1} column {rows[0][j]}: {x!r} became {y!r}")
        chinese += sum(any("\u4e00" <= ch <= "\u9fff" for ch in cell) for r in rows for cell in r)
        print(f"ok {path.relative_to(public)}: {len(rows) - 1} rows x {width} columns")
    assert chinese > 100, "the example's CSV files hold Chinese text"
    print(f"{len(files)} CSV files round-tripped through csv and LibreOffice; {chinese} cells with Chinese intact")


if __name__ == "__main__":
    main()
