"""Researcher exports on a large synthetic dataset: time and peak memory of each writer on
the same data, side by side, against a pandas baseline (read_sql + pivot + to_excel /
to_csv), at two sizes to show that our memory stays flat.

    python bench/export.py [--sizes 5000,20000] [--items 40] [--kinds K1,K2] [--before /work/main]

Kinds: xlsxwriter-xlsx (our workbook: XlsxWriter, constant memory), openpyxl-xlsx (the
same rows through openpyxl's write-only mode, the writer before), pandas-wide-xlsx
(pandas' to_excel of the wide sheet alone: the goal's baseline), pandas-xlsx (wide and
long), ours-csv, pandas-csv, ours-zip (the research package: every form), and with
--before PATH, before-xlsx and before-zip: the workbook and the package as written by the
checkout at PATH (before/after). `--items 50` adds statements to the questionnaire (40)
spread over its dimensions, for the issue's 130,000 × 50.

Each measurement runs in its own subprocess. Ratios are given in CPU time (the process's
own, time.process_time) as well as wall time: on a shared machine wall time mostly
measures the neighbours. Memory is read from /proc/self/status: the
resident size after imports ("before"), then the peak (VmHWM) during the export alone, after
resetting it through /proc/self/clear_refs. (getrusage's ru_maxrss would not do here: Linux
carries the parent's peak over fork and exec into the child.) Linux only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
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
ASSOCIATIONS = 40
CHUNK = 50_000


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
        response_ids = list(session.scalars(select(models.Response.id)))
        batch = []
        for rid in response_ids:
            for item_id in item_ids:
                roll = rng.random()
                if roll < 0.02:
                    continue
                batch.append(
                    {
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
    before = status_mb("VmRSS")
    reset_peak()
    out = database.with_name(f"{kind}.{kind.rsplit('-', 1)[1]}")
    start, cpu, children = time.perf_counter(), time.process_time(), children_cpu()
    if kind.startswith("pandas"):
        pandas_export(engine, PANDAS[kind], out)
    else:
        with sessions() as session:
            ours(kind, session, out)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        # CPU time of the export's own process and of the processes it started (the
        # package writes its statistics files in a second process when large)
        "cpu": time.process_time() - cpu + children_cpu() - children,
        "child_cpu": children_cpu() - children,
        "before_mb": before,
        "peak_mb": status_mb("VmHWM"),
        "size_mb": out.stat().st_size / 1e6,
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="5000,20000")
    parser.add_argument("--items", type=int, default=40, help="statements (at least 40)")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--before", type=Path, help="a checkout of the code before")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.database, args.measure)))
        return
    asked = args.kinds.split(",")
    before = [BEFORE[kind] for kind in asked if kind in BEFORE] if args.before else []
    kinds = asked + before
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
            database = Path(folder) / "bench.db"
            start = time.perf_counter()
            build(database, size, args.items)
            print(
                f"{size:>6} responses × {args.items} items: "
                f"built in {time.perf_counter() - start:.1f} s"
            )
            for kind in kinds:
                results[size, kind] = r = run(database, kind, args.before)
                own = r["peak_mb"] - r["before_mb"]
                print(
                    f"  {kind:<17} {r['seconds']:6.1f} s (CPU {r['cpu']:6.1f} s"
                    f"{child_note(r)})   "
                    f"peak RSS {r['peak_mb']:5.0f} MB "
                    f"= {r['before_mb']:3.0f} MB after imports + {own:4.0f} MB for the export   "
                    f"file {r['size_mb']:5.1f} MB",
                    flush=True,
                )
        for label, ours_kind, base_kind in RATIOS:
            if (size, ours_kind) in results and (size, base_kind) in results:
                ours, base = results[size, ours_kind], results[size, base_kind]
                print(
                    f"  {label}: CPU time {ours['cpu'] / base['cpu']:.2f}, "
                    f"wall time {ours['seconds'] / base['seconds']:.2f}"
                )
    sizes = sorted({size for size, _ in results})
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for kind in kinds:
            grow = results[large, kind]["peak_mb"] - results[small, kind]["peak_mb"]
            print(f"peak RSS {kind:<17} {small} → {large} responses: {grow:+.0f} MB")


if __name__ == "__main__":
    main()
