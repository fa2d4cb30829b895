"""Researcher exports on a large synthetic dataset: time and peak memory of each writer on
the same data, side by side, against a pandas baseline (read_sql + pivot + to_excel /
to_csv), at two sizes to show that our memory stays flat.

    python bench/export.py [--full] [--sizes 10000,20000] [--items 50] [--kinds K1,K2]
                           [--before /work/main] [--deflate]

Kinds: xlsxwriter-xlsx (our workbook: XlsxWriter, constant memory), openpyxl-xlsx (the
same rows through openpyxl's write-only mode, the writer before), pandas-wide-xlsx
(pandas' to_excel of the wide sheet alone: the goal's baseline), pandas-xlsx (wide and
long), ours-csv, pandas-csv, ours-zip (the research package: every form), and with
--before PATH, before-xlsx and before-zip: the workbook and the package as written by the
checkout at PATH (before/after). `--items 50` adds statements to the questionnaire (40)
spread over its dimensions (the default, as the issue's 130,000 × 50). `--full` is 130,000 ×
50: the package, our workbook and pandas' `to_excel` (without --kinds). By default 10,000 and
20,000 responses and every kind but openpyxl-xlsx and pandas-xlsx (about two minutes on an
idle machine).

Lines `FIGURE key ours=… baseline=name:… ratio=… goal=…` are what `python -m bench`
collects: the package's wall and CPU time and peak memory (of each of its two processes)
against pandas' `to_excel` of `Svar`, the workbook and CSV against pandas, the growth of
memory from the smaller size to the larger, and the deflate level of the workbook's sheets
against zlib's default. `--deflate` prints the table behind the level: CPU time and size
of each file of one package at zlib levels 1–9.

Each measurement runs in its own subprocess. Ratios are given in CPU time (the process's
own, time.process_time) as well as wall time: on a shared machine wall time mostly
measures the neighbours. Memory is read from /proc/self/status: the
resident size after imports ("before"), then the peak (VmHWM) during the export alone, after
resetting it through /proc/self/clear_refs. (getrusage's ru_maxrss would not do here: Linux
carries the parent's peak over fork and exec into the child.) The second process the
package starts is sampled every 20 ms (its resident size, the largest seen). Linux only.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from pathlib import Path

import yaml
from sqlalchemy import insert, select

from survey.db import models
from survey.db.engine import make_engine, session_factory
from survey.db.schema import create_schema
from survey.exports import research
from survey.exports.selection import ExportFilter, select_rounds
from survey.instruments.catalog import load_directory

ROOT = Path(__file__).resolve().parent.parent
KINDS = (
    "xlsxwriter-xlsx",
    "openpyxl-xlsx",
    "pandas-wide-xlsx",
    "pandas-xlsx",
    "ours-csv",
    "pandas-csv",
    "ours-zip",
)
DEFAULT_KINDS = ("xlsxwriter-xlsx", "pandas-wide-xlsx", "ours-csv", "pandas-csv", "ours-zip")
FULL_KINDS = ("ours-zip", "xlsxwriter-xlsx", "pandas-wide-xlsx")
FULL_SIZE, FULL_ITEMS = 130_000, 50
ASSOCIATIONS = 40
CHUNK = 50_000
#: The goals of issue 23 at 130,000 × 50.
PACKAGE_SECONDS_GOAL, PEAK_MB_GOAL = 60, 200


def questionnaire(folder: Path, items: int) -> Path:
    """The questionnaire (version 1, 40 statements) with statements added up to `items`,
    spread over its dimensions, written into `folder`."""
    source = ROOT / "questionnaires" / "integrerad-samverkan-v1.yaml"
    definition = yaml.safe_load(source.read_text(encoding="utf-8"))
    dimensions = definition["dimensions"]
    have = sum(len(d["items"]) for d in dimensions)
    for n in range(items - have):
        dim = dimensions[n % len(dimensions)]
        text = {"sv": f"Tillagt påstående {n + 1}.", "en": f"Added statement {n + 1}."}
        dim["items"].append({"code": f"{dim['code']}X{n + 1}", "text": text})
    (folder / source.name).write_text(yaml.safe_dump(definition, allow_unicode=True))
    return folder


def build(path: Path, responses: int, items: int = 40) -> None:
    """`responses` submitted responses × every item (about 5% "vet ej", 2% skipped),
    spread over 40 förbund in one round, inserted with executemany in chunks."""
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    rng = random.Random(responses)
    folder = path.parent / "questionnaires"
    folder.mkdir(exist_ok=True)
    with session_factory(engine)() as session:
        load_directory(session, questionnaire(folder, items))
        q = session.scalar(select(models.Questionnaire))
        item_ids = [item.id for item in q.items]
        round_ids = []
        for n in range(ASSOCIATIONS):
            assoc = models.Association(slug=f"bench-{n:02d}", name=f"Bänkförbund {n:02d}")
            rnd = models.Round(
                association=assoc, questionnaire=q, label="2026", sequence=1, state="published"
            )
            session.add_all([assoc, rnd])
            session.flush()
            round_ids.append(rnd.id)
        session.execute(
            insert(models.Response),
            [
                {
                    "round_id": round_ids[i % ASSOCIATIONS],
                    "role": rng.choice(["handlaggare", "chef", "styrelse"]),
                    "agency": rng.choice(["fk", "af", "kommun", "region"]),
                }
                for i in range(responses)
            ],
        )
        responses_of = session.execute(select(models.Response.id, models.Response.round_id))
        batch = []
        for rid, round_id in responses_of.all():
            for item_id in item_ids:
                roll = rng.random()
                if roll < 0.02:
                    continue
                batch.append(
                    {
                        "round_id": round_id,
                        "response_id": rid,
                        "item_id": item_id,
                        "value": None if roll < 0.07 else rng.randint(1, 5),
                    }
                )
            if len(batch) >= CHUNK:
                session.execute(insert(models.Answer), batch)
                batch = []
        if batch:
            session.execute(insert(models.Answer), batch)
        session.commit()
    engine.dispose()


def status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # children that have ended
    return usage.ru_utime + usage.ru_stime


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # 5: reset the peak resident size


class ChildPeak:
    """The largest resident size of this process's children, sampled every 20 ms."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            total = 0.0
            for listing in Path("/proc/self/task").glob("*/children"):
                for pid in listing.read_text().split():
                    try:
                        status = Path(f"/proc/{pid}/status").read_text()
                    except OSError:
                        continue  # ended meanwhile
                    for line in status.splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) / 1024
            self.peak_mb = max(self.peak_mb, total)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


def pandas_export(engine, kind: str, out: Path) -> None:
    """What one would write by hand: load the answers and scores, pivot, save."""
    import pandas as pd

    from survey.results import scoring

    answers = pd.read_sql(
        select(
            models.Response.id.label("svar_id"),
            models.Round.label.label("omgang"),
            models.Association.slug.label("forbund"),
            models.Response.role.label("roll"),
            models.Response.agency.label("part"),
            models.Item.code.label("pastaende"),
            models.Answer.value.label("varde"),
        )
        .join(models.Round, models.Round.id == models.Response.round_id)
        .join(models.Association, models.Association.id == models.Round.association_id)
        .join(models.Answer, models.Answer.response_id == models.Response.id)
        .join(models.Item, models.Item.id == models.Answer.item_id),
        engine,
    )
    scores = pd.read_sql(scoring.respondent_scores(), engine)
    head = ["svar_id", "omgang", "forbund", "roll", "part"]
    values = answers.pivot(index="svar_id", columns="pastaende", values="varde")
    score_wide = scores.pivot(index="response_id", columns="dimension", values="score")
    score_wide.columns = [f"{c}_medel" for c in score_wide.columns]
    wide = (
        answers[head]
        .drop_duplicates("svar_id")
        .merge(values, left_on="svar_id", right_index=True)
        .merge(score_wide, left_on="svar_id", right_index=True, how="left")
    )
    if kind == "csv":
        wide.to_csv(out, index=False, encoding="utf-8-sig")
    elif kind == "wide":
        with pd.ExcelWriter(out) as writer:
            wide.to_excel(writer, sheet_name="Svar", index=False)
    else:
        with pd.ExcelWriter(out) as writer:
            wide.to_excel(writer, sheet_name="Svar", index=False)
            answers[["svar_id", "pastaende", "varde"]].to_excel(
                writer, sheet_name="Svar_lång", index=False
            )


def openpyxl_workbook(session, selection, fh) -> None:
    """The wide and long sheets of the same record stream through openpyxl's write-only
    mode, as the research workbook was written before XlsxWriter (same neutralising)."""
    from openpyxl import Workbook

    from survey.exports import codebook
    from survey.exports.dataset import Export
    from survey.exports.worksheets import header_sheet, safe

    export = Export.prepare(session, selection, 5, True)
    codes = [item.code for item in export.q.items()]
    wb = Workbook(write_only=True)
    wide = header_sheet(wb, "Svar", codebook.wide_columns(export.q))
    long = header_sheet(wb, "Svar_lång", codebook.LONG_HEAD)
    for record in export.records(session):
        wide.append(safe(wide, [*record.head, *record.values, *record.scores]))
        rid, demo = record.head[0], record.head[-1]
        for code, value, answered in zip(codes, record.values, record.answered, strict=True):
            if answered:
                long.append([rid, code, value, demo])
    wb.save(fh)


def ours(kind: str, session, out: Path) -> None:
    selection = select_rounds(session, ExportFilter())
    with out.open("wb") as fh:
        if kind == "ours-csv":
            fh.writelines(research.research_csv(session, selection, k=5))
        elif kind in ("ours-zip", "before-zip"):
            from survey.exports.package import write_package  # not in a --before checkout

            write_package(session, selection, fh, k=5)
        elif kind == "openpyxl-xlsx":
            openpyxl_workbook(session, selection, fh)
        else:  # xlsxwriter-xlsx, before-xlsx: the research workbook of the code imported
            research.write_research_workbook(session, selection, fh, k=5)


def measure(database: Path, kind: str) -> dict:
    engine = make_engine(f"sqlite:///{database}")
    sessions = session_factory(engine)
    if kind.startswith("pandas"):
        import pandas  # noqa: F401 - imported before "rss before" like ours is
    if kind.endswith("zip"):
        import survey.exports.package  # noqa: F401 - its imports (pyarrow) are not the export
    before = status_mb("VmRSS")
    reset_peak()
    out = database.with_name(f"{kind}.{kind.rsplit('-', 1)[1]}")
    start, cpu, children = time.perf_counter(), time.process_time(), children_cpu()
    child_peak = ChildPeak()
    if kind.startswith("pandas"):
        pandas_export(engine, PANDAS[kind], out)
    else:
        with sessions() as session:
            ours(kind, session, out)
    seconds = time.perf_counter() - start
    peak = status_mb("VmHWM")
    return {
        "seconds": seconds,
        # CPU time of the export's own process and of the processes it started (the
        # package writes its statistics files in a second process when large)
        "cpu": time.process_time() - cpu + children_cpu() - children,
        "child_cpu": children_cpu() - children,
        "before_mb": before,
        "peak_mb": peak,
        "child_peak_mb": child_peak.stop(),
        "size_mb": out.stat().st_size / 1e6,
        "file": str(out),
    }


#: Ours → the same export by the checkout given as --before.
BEFORE = {"xlsxwriter-xlsx": "before-xlsx", "ours-zip": "before-zip"}
PANDAS = {"pandas-wide-xlsx": "wide", "pandas-xlsx": "xlsx", "pandas-csv": "csv"}
RATIOS = (
    ("workbook: XlsxWriter / openpyxl write-only", "xlsxwriter-xlsx", "openpyxl-xlsx"),
    ("workbook: ours / pandas to_excel of Svar alone", "xlsxwriter-xlsx", "pandas-wide-xlsx"),
    ("workbook: ours / pandas to_excel of Svar + Svar_lång", "xlsxwriter-xlsx", "pandas-xlsx"),
    ("workbook: after / before", "xlsxwriter-xlsx", "before-xlsx"),
    ("every form (zip): after / before", "ours-zip", "before-zip"),
    ("CSV: ours / pandas to_csv", "ours-csv", "pandas-csv"),
    ("every form (zip) / pandas to_excel of Svar alone", "ours-zip", "pandas-wide-xlsx"),
)


def run(database: Path, kind: str, before: Path | None) -> dict:
    env = dict(os.environ)
    if kind.startswith("before-"):
        env["PYTHONPATH"] = str(before)  # that checkout's survey package comes first
    run = subprocess.run(
        [sys.executable, __file__, "--measure", kind, "--database", str(database)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(run.stdout)


def child_note(result: dict) -> str:
    child = result.get("child_cpu", 0.0)  # not measured by a --before checkout's bench
    return f", {child:.1f} s of it in a second process" if child >= 0.05 else ""


def figure(key: str, ours: float, unit: str, name: str, base: float, goal: str) -> None:
    ratio = ours / base if base else float("nan")
    print(
        f"FIGURE {key} ours={ours:.3g} {unit} baseline={name}:{base:.3g} {unit} "
        f"ratio={ratio:.2f} goal={goal}",
        flush=True,
    )


#: (figure, ours, baseline, goal): the figures printed for each size, in CPU time.
CPU_FIGURES = (
    ("workbook.cpu", "xlsxwriter-xlsx", "pandas-wide-xlsx", "<=1 (pandas to_excel of Svar)"),
    ("csv.cpu", "ours-csv", "pandas-csv", "<=1 (pandas to_csv)"),
    ("package.cpu", "ours-zip", "pandas-wide-xlsx", "every form; pandas writes one sheet"),
)


def figures(size: int, items: int, results: dict) -> None:
    """The FIGURE lines of one size."""
    label = f"{size / 1000:g}k_x{items}"
    full = size >= FULL_SIZE
    for key, ours_kind, base_kind in ((k, o, b) for k, o, b, _ in CPU_FIGURES):
        if (size, ours_kind) in results and (size, base_kind) in results:
            goal = next(g for k, _, _, g in CPU_FIGURES if k == key)
            ours, base = results[size, ours_kind]["cpu"], results[size, base_kind]["cpu"]
            figure(f"export.{label}.{key}", ours, "s", f"{base_kind}", base, goal)
    package = results.get((size, "ours-zip"))
    pandas = results.get((size, "pandas-wide-xlsx"))
    if package is None:
        return
    goal_s = f"<{PACKAGE_SECONDS_GOAL} s at 130k×50" + ("" if full else " (reduced size)")
    base_name = "pandas-wide-xlsx" if pandas else "none"  # not asked for (--kinds)
    base_s = pandas["seconds"] if pandas else float("nan")
    figure(f"export.{label}.package.wall", package["seconds"], "s", base_name, base_s, goal_s)
    goal_mb = f"<{PEAK_MB_GOAL} MB"
    base_mb = pandas["peak_mb"] if pandas else float("nan")
    for key, peak in (("peak_mb", package["peak_mb"]), ("child_peak_mb", package["child_peak_mb"])):
        if peak:
            figure(f"export.{label}.package.{key}", peak, "MB", base_name, base_mb, goal_mb)


def growth(sizes: list[int], items: int, kinds: list[str], results: dict) -> None:
    """Peak memory from the smallest size to the largest: flat is the goal."""
    small, large = sizes[0], sizes[-1]
    for kind in kinds:
        grow = results[large, kind]["peak_mb"] - results[small, kind]["peak_mb"]
        print(f"peak RSS {kind:<17} {small} → {large} responses: {grow:+.0f} MB")
    if ("ours-zip" in kinds) and ("pandas-wide-xlsx" in kinds):
        ours = results[large, "ours-zip"]["peak_mb"] / results[small, "ours-zip"]["peak_mb"]
        base = (
            results[large, "pandas-wide-xlsx"]["peak_mb"]
            / results[small, "pandas-wide-xlsx"]["peak_mb"]
        )
        figure(
            f"export.package.memory_growth_{small / 1000:g}k_to_{large / 1000:g}k",
            ours,
            "×",
            "pandas-wide-xlsx",
            base,
            "~1.0 (flat)",
        )


DEFLATE_LEVELS = (1, 2, 3, 4, 6, 9)


def deflate_table(package: Path) -> dict[tuple[str, int], tuple[float, int]]:
    """(file, level) → (CPU seconds, compressed bytes) for every file of the package and
    the workbook's wide sheet (as XlsxWriter deflates it), the best of two runs."""
    table = {}
    with zipfile.ZipFile(package) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(io.BytesIO(parts["svar.xlsx"])) as book:
        parts["svar.xlsx: Svar sheet"] = book.read("xl/worksheets/sheet1.xml")
    for name, data in parts.items():
        if name.endswith((".parquet", ".xlsx", ".txt", ".R")):
            continue  # compressed already (stored in the zip), or a few kB
        for level in DEFLATE_LEVELS:
            best = None
            for _ in range(2):
                cpu = time.process_time()
                deflate = zlib.compressobj(level, zlib.DEFLATED, -15)
                size = sum(
                    len(deflate.compress(data[n : n + 65536])) for n in range(0, len(data), 65536)
                )
                size += len(deflate.flush())
                seconds = time.process_time() - cpu
                best = seconds if best is None else min(best, seconds)
            table[name, level] = (best, size)
        table[name, 0] = (0.0, len(data))
    return table


def print_deflate(table: dict[tuple[str, int], tuple[float, int]]) -> None:
    names = sorted({name for name, _ in table})
    print("deflate: CPU s / MB per zlib level (0: the file as it is)")
    print("| file | MB | " + " | ".join(f"level {n}" for n in DEFLATE_LEVELS) + " |")
    print("|---|---|" + "---|" * len(DEFLATE_LEVELS))
    for name in names:
        cells = [
            f"{table[name, n][0]:.2f} s, {table[name, n][1] / 1e6:.1f} MB" for n in DEFLATE_LEVELS
        ]
        print(f"| {name} | {table[name, 0][1] / 1e6:.1f} | " + " | ".join(cells) + " |")
    print_deflate_figures(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="130,000 responses × 50 statements")
    parser.add_argument("--sizes", help="responses, comma-separated (default 5000,20000)")
    parser.add_argument("--items", type=int, help="statements (at least 40; default 50)")
    parser.add_argument("--kinds", help="comma-separated, from: " + ", ".join(KINDS))
    parser.add_argument("--before", type=Path, help="a checkout of the code before")
    parser.add_argument("--deflate", action="store_true", help="print the deflate-level table")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.database, args.measure)))
        return
    sizes = [
        int(s) for s in (args.sizes or ("" if not args.full else str(FULL_SIZE))).split(",") if s
    ]
    sizes = sorted(sizes or [10_000, 20_000])  # both written in two processes (PARALLEL_FROM)
    items = args.items or FULL_ITEMS
    asked = (
        args.kinds.split(",") if args.kinds else list(FULL_KINDS if args.full else DEFAULT_KINDS)
    )
    before = [BEFORE[kind] for kind in asked if kind in BEFORE] if args.before else []
    kinds = asked + before
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    results = {}
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
            database = Path(folder) / "bench.db"
            start = time.perf_counter()
            build(database, size, items)
            print(
                f"{size:>6} responses × {items} items: built in {time.perf_counter() - start:.1f} s"
            )
            for kind in kinds:
                results[size, kind] = r = run(database, kind, args.before)
                report(kind, r)
            for label, ours_kind, base_kind in RATIOS:
                if (size, ours_kind) in results and (size, base_kind) in results:
                    ours, base = results[size, ours_kind], results[size, base_kind]
                    print(
                        f"  {label}: CPU time {ours['cpu'] / base['cpu']:.2f}, "
                        f"wall time {ours['seconds'] / base['seconds']:.2f}"
                    )
            figures(size, items, results)
            if size == sizes[-1] and (size, "ours-zip") in results:
                table = deflate_table(Path(results[size, "ours-zip"]["file"]))
                if args.deflate:
                    print_deflate(table)
                else:
                    print_deflate_figures(table)
    if len(sizes) > 1:
        growth(sizes, items, kinds, results)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


def print_deflate_figures(table: dict[tuple[str, int], tuple[float, int]]) -> None:
    from survey.exports.streamed_workbook import DEFLATE_LEVEL

    sheet = "svar.xlsx: Svar sheet"
    chosen, default = table[sheet, DEFLATE_LEVEL], table[sheet, 6]
    figure(
        "export.workbook.deflate_cpu", chosen[0], "s", "zlib_level_6", default[0], "chosen level"
    )
    mb = (chosen[1] / 1e6, default[1] / 1e6)
    figure("export.workbook.deflate_size", mb[0], "MB", "zlib_level_6", mb[1], "chosen level")


def report(kind: str, r: dict) -> None:
    own = r["peak_mb"] - r["before_mb"]
    child = f", second process {r['child_peak_mb']:.0f} MB" if r.get("child_peak_mb") else ""
    print(
        f"  {kind:<17} {r['seconds']:6.1f} s (CPU {r['cpu']:6.1f} s{child_note(r)})   "
        f"peak RSS {r['peak_mb']:5.0f} MB "
        f"= {r['before_mb']:3.0f} MB after imports + {own:4.0f} MB for the export{child}   "
        f"file {r['size_mb']:5.1f} MB",
        flush=True,
    )


if __name__ == "__main__":
    main()
