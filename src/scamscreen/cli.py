"""The ``scamscreen`` command: a thin shell over the library. Each command parses its options,
calls the library, and hands the result to a renderer."""

from __future__ import annotations

import contextlib
import json
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from scamscreen.batch import BatchResult, BatchSummary, ScreenerSettings, WorkerPool
    from scamscreen.io.readers import Source
    from scamscreen.scoring import Assessment
    from scamscreen.screener import Screener

from scamscreen.errors import InputError, ScamscreenError
from scamscreen.i18n import translator
from scamscreen.scoring import BAND_NAMES, band_threshold

app = typer.Typer(
    rich_markup_mode="rich",
    no_args_is_help=True,
    add_completion=False,
    help="Screen job adverts for scam and trafficking-recruitment risk, offline, with every "
    "point of the score explained.",
)
EXIT_USAGE = 2


def fail(message: str, status: int = EXIT_USAGE) -> NoReturn:
    """One line on standard error, exit status 2: never a traceback for bad input."""
    Console(stderr=True, highlight=False).print(f"[bold red]scamscreen: error:[/] {message}",
                                                 markup=True, soft_wrap=True)
    raise typer.Exit(status)


def _read_advert(text: str | None, file: Path | None, encoding: str | None) -> str:
    from scamscreen.textio import decode, read_limited, read_text_file

    if text is not None and file is not None:
        fail("give the advert as an argument or with --file, not both")
    if file is not None:
        if str(file) == "-":
            return decode(read_limited(sys.stdin.buffer, "standard input"), encoding)
        return read_text_file(file, encoding)
    if text is not None and text != "-":
        if any("\udc80" <= char <= "\udcff" for char in text):
            # argv bytes that were not UTF-8 arrive as lone surrogates: decode them as a file's.
            with contextlib.suppress(UnicodeEncodeError):  # other surrogates: screen as given
                return decode(text.encode("utf-8", "surrogateescape"), encoding)
        return text
    if sys.stdin.isatty():
        Console(stderr=True).print("Paste the advert, then press Ctrl-D (Ctrl-Z Enter on Windows):")
    return decode(read_limited(sys.stdin.buffer, "standard input"), encoding)


def _screener(
    prior: float | None, model: Path | None, trust_model: bool, no_model: bool
) -> Screener:
    from scamscreen.model import load_model
    from scamscreen.screener import Screener

    loaded = None
    if model is not None and not no_model:
        loaded = load_model(model, trust=trust_model)
    return Screener(model=loaded, use_model=not no_model, prior=prior)


PriorOption = Annotated[
    float | None,
    typer.Option(help="How common scams are among the ads you screen (0-1). Default 0.10; "
                 "a caseworker's inbox of suspicious leads might use 0.5, a job board 0.02."),
]
ModelOption = Annotated[
    Path | None, typer.Option(help="Use this model file instead of the shipped one.")
]
TrustOption = Annotated[
    bool,
    typer.Option(
        "--trust-model",
        help="Accept a model file whose checksum is not the shipped model's (you vouch for it).",
    ),
]
NoModelOption = Annotated[bool, typer.Option("--no-model", help="Rules only: skip the classifier.")]
EncodingOption = Annotated[
    str | None, typer.Option(help="Text encoding of the input (default: detect).")
]


LangOption = Annotated[str | None, typer.Option(
    "--lang", help="Language of the human text: en, zh-Hant, zh-Hans, th, vi, id, tl, ja, ko "
    "(default: the locale, LANG/LC_MESSAGES; --json stays English unless --lang is given).")]
NoColorOption = Annotated[bool, typer.Option(
    "--no-color", help="Plain text, the same layout (also when NO_COLOR is set or the "
    "output is not a terminal).")]


def _language(lang: str | None, machine: bool = False) -> str:
    from scamscreen.i18n import choose_language

    try:
        return choose_language(lang, machine=machine)
    except ScamscreenError as error:
        fail(str(error))


@app.command(epilog="Examples:\n\n"
             "  scamscreen check --file ad.txt\n\n"
             "  scamscreen check --explain --lang zh-Hant --file ad.txt\n\n"
             "  scamscreen check --brief \"Customer service in Sihanoukville, Telegram @hr88\"\n\n"
             "  scamscreen check --json --file ad.txt")
def check(
    text: Annotated[str | None, typer.Argument(help="The advert's text; omit it (or give -) "
                                               "to read standard input.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the advert from a file.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead.")] = False,
    brief: Annotated[bool, typer.Option(
        "--brief", help="One line: score, band and the top reasons.")] = False,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Add each flag's full advice, why it matters and its sources.")] = False,
    lang: LangOption = None,
    no_color: NoColorOption = False,
    fail_on: Annotated[str | None, typer.Option(
        help="Exit 1 when the band is this or higher: low, medium or high (for scripts).")] = None,
    prior: PriorOption = None,
    model: ModelOption = None,
    trust_model: TrustOption = False,
    no_model: NoModelOption = False,
    encoding: EncodingOption = None,
) -> None:
    """Screen one advert: score 0-100 and band, then each red flag with the advert line it
    matched, what to check next, the contacts found and the score's arithmetic."""
    if fail_on is not None and fail_on not in BAND_NAMES:
        fail(f"--fail-on must be one of {', '.join(BAND_NAMES)}, not '{fail_on}'")
    if sum((as_json, brief, explain)) > 1 and (as_json or brief):
        fail("choose one of --json, --brief and --explain")
    translate = translator(_language(lang, machine=as_json))
    try:
        advert = _read_advert(text, file, encoding)
        assessment = _screener(prior, model, trust_model, no_model).screen(advert)
    except ScamscreenError as error:
        fail(str(error))
    if as_json:
        from scamscreen.i18n import localised_dict

        data = localised_dict(assessment.to_dict(),
                              {result.flag.id: result.flag for result in assessment.flags},
                              translate)
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        from scamscreen.diagnostics import Diagnostics, console_for

        diagnostics = Diagnostics(console_for(no_color), translate)
        if brief:
            diagnostics.console.print(diagnostics.brief(assessment), soft_wrap=True)
        else:
            diagnostics.assessment(assessment, explain=explain)
    if fail_on is not None and assessment.score >= band_threshold(fail_on):
        raise typer.Exit(1)


@app.command()
def rules(
    flag_id: Annotated[
        str | None, typer.Argument(help="A flag's id, name or alias to show in full.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead.")] = False,
) -> None:
    """List the red-flag catalogue, or show one flag in full."""
    from scamscreen.catalogue import default_catalogue
    from scamscreen.render import catalogue_table, render_flag

    try:
        catalogue = default_catalogue()
    except ScamscreenError as error:
        fail(str(error))
    console = Console()
    if flag_id is None:
        if as_json:
            rows = [{"id": f.id, "name": f.name, "title": f.title, "group": f.group,
                     "points": f.points, "languages": list(f.languages)} for f in catalogue]
            sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        else:
            console.print(catalogue_table(catalogue))
        return
    flag = catalogue.get(flag_id)
    if flag is None:
        fail(f"no flag '{flag_id}'; `scamscreen rules` lists them")
    if as_json:
        data = {"id": flag.id, "name": flag.name, "title": flag.title, "kind": flag.kind,
                "group": flag.group, "points": flag.points, "severity": flag.severity,
                "confidence": flag.confidence, "rationale": flag.rationale, "advice": flag.advice,
                "sources": [s.to_dict() for s in flag.sources],
                "patterns": {k: list(v) for k, v in flag.patterns.items()},
                "requires": list(flag.requires), "examples": {
                    "match": list(flag.examples_match), "no_match": list(flag.examples_no_match)}}
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        render_flag(console, flag, catalogue)


@app.command()
def train(
    data: Annotated[list[Path], typer.Argument(help="Labelled CSV or JSONL files.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the model (JSON).")
    ],
    text_column: Annotated[str | None, typer.Option(help="Text column (default: text).")] = None,
    label_column: Annotated[str | None, typer.Option(
        help="Label column, 1 = scam (default: label or fraudulent).")] = None,
    hold_out: Annotated[list[str] | None, typer.Option(
        help="FILE=FRACTION: keep a stratified share of that file out of training, for "
        "evaluation (ids recorded in the model). Repeatable.")] = None,
    seed: Annotated[
        int, typer.Option(help="Random seed for the hold-out split and CV.")
    ] = 20261125,
    c: Annotated[float | None, typer.Option("--c", help="Inverse regularisation strength "
                                             "(default: chosen by 5-fold CV).")] = None,
    recipe: Annotated[str, typer.Option(
        help="plain: every row as it is (the shipped model's recipe). scam-language: issue "
        "13's recipe (offsets for all-legitimate languages and files, fitted and dropped at "
        "serving; topical terms left out), see the model card.")] = "plain",
) -> None:
    """Train the TF-IDF classifier and write it as a data-only model file."""
    from scamscreen.training import RECIPES, train_from_files

    if recipe not in RECIPES:
        fail(f"--recipe is one of {', '.join(RECIPES)}, not '{recipe}'")
    try:
        report = train_from_files(data, output, text_column=text_column, label_column=label_column,
                                  hold_out=hold_out or [], seed=seed, c=c,
                                  recipe=RECIPES[recipe])
    except ScamscreenError as error:
        fail(str(error))
    Console().print(report)


@app.command()
def evaluate(
    data: Annotated[Path, typer.Argument(help="A labelled CSV or JSONL file (1 = scam).")],
    text_column: Annotated[str | None, typer.Option(help="Text column (default: text).")] = None,
    label_column: Annotated[str | None, typer.Option(
        help="Label column, 1 = scam (default: label or fraudulent).")] = None,
    id_column: Annotated[str | None, typer.Option(help="Id column (default: id).")] = None,
    ids_from_model: Annotated[bool, typer.Option(
        "--ids-from-model", help="Only the rows of this file that the model held out of "
        "training (its metadata records their ids).")] = False,
    bootstrap: Annotated[int, typer.Option(
        help="Bootstrap resamples for 95% confidence intervals (0: none).")] = 0,
    group_column: Annotated[list[str] | None, typer.Option(
        help="Also print the metrics per value of this column (e.g. lang, source_repo): "
        "share in medium or high, in high, ROC-AUC and classifier points. Repeatable.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead.")] = False,
    prior: PriorOption = None,
    model: ModelOption = None,
    trust_model: TrustOption = False,
    no_model: NoModelOption = False,
) -> None:
    """Measure the screener on labelled adverts: ROC-AUC, precision and recall per band,
    flag lift and a reliability table."""
    from scamscreen.evaluate import evaluate_file, render, render_groups

    try:
        result = evaluate_file(data, _screener(prior, model, trust_model, no_model),
                               text_column=text_column, label_column=label_column,
                               id_column=id_column, ids_from_model=ids_from_model,
                               bootstrap=bootstrap, group_columns=group_column or ())
    except ScamscreenError as error:
        fail(str(error))
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        console = Console()
        render(console, result)
        for column, groups in result.groups.items():
            render_groups(console, groups, column)


@app.command("model-card")
def model_card(
    data: Annotated[Path, typer.Option(help="The EMSCAD training CSV the model was trained from "
                                       "(its held-out rows are evaluated).")],
    quality: Annotated[Path | None, typer.Option(
        help="JSON written by bench/quality.py (cross-validated figures on the samples and "
        "the blind hold-out set).")] = None,
    analyzers: Annotated[Path | None, typer.Option(
        help="JSON written by scripts/compare-analyzers.py (why these features).")] = None,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples for intervals.")] = 1000,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write here instead of printing.")] = None,
    sets: Annotated[Path | None, typer.Option(
        help="JSON written by bench/quality_sets.py (bands per labelled set and language)."
    )] = None,
) -> None:
    """Write the model card from the shipped model and a fresh evaluation of it."""
    from scamscreen.modelcard import generate

    try:
        card = generate(data, quality=quality, analyzers=analyzers, bootstrap=bootstrap,
                        sets=sets)
    except ScamscreenError as error:
        fail(str(error))
    if output is None:
        sys.stdout.write(card)
    else:
        output.write_text(card, encoding="utf-8")
        Console(stderr=True).print(f"wrote {output}")


def _batch_link_report(source: object, output: str | None, run: dict[str, object],
                       link_ads: bool, report_path: Path | None, quiet: bool,
                       errors: Console, language: str = "en") -> None:
    """batch --link / --report: rows are held, linked, then written (see triage.py)."""
    from scamscreen.catalogue import default_catalogue
    from scamscreen.io.console import summary_text
    from scamscreen.render import clusters_table
    from scamscreen.triage import screen_link_report

    try:
        summary, linking, _ = screen_link_report(
            source, output, fmt=run["fmt"], sort=run["sort"],  # type: ignore[arg-type]
            settings=run["settings"], jobs=run["jobs"], link=link_ads,  # type: ignore[arg-type]
            report=report_path, language=language)
    except ScamscreenError as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot write: {error.strerror or error}")
    if linking is not None and linking.clusters:
        (Console() if output is None else errors).print(clusters_table(linking))
    elif linking is not None and not quiet:
        errors.print("no ads linked: none share a contact or repeat a template")
    if not quiet:
        t = translator(language)
        titles = {flag.id: t.title(flag) for flag in default_catalogue()}
        errors.print(summary_text(summary, titles, source.replaced_bytes, t))  # type: ignore[attr-defined]
        for written in (output, report_path):
            if written not in (None, "-"):
                errors.print(t("batch.wrote", path=written))


def _read_ads(path: Path, text_column: str, id_column: str) -> list[tuple[str, str | InputError]]:
    """(id, text) per row of a JSONL or CSV file; a row without text keeps its place as an error
    value so that the report still lists it."""
    import csv

    rows: list[tuple[str, str | InputError]] = []
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
            records: list[object] = []
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        records.append(json.loads(line))
                    except json.JSONDecodeError as error:
                        records.append(InputError(f"line {number} is not JSON: {error.msg}"))
        else:
            records = list(csv.DictReader(handle))
    for number, record in enumerate(records, 1):
        if not isinstance(record, dict):
            rows.append((f"{path.stem}:{number}", record if isinstance(record, InputError)
                         else InputError("the row is not an object")))
            continue
        row_id = str(record.get(id_column) or f"{path.stem}:{number}")
        text = record.get(text_column)
        rows.append((row_id, text if isinstance(text, str) else
                     InputError(f"no text in column '{text_column}'")))
    return rows


@app.command()
def report(
    inputs: Annotated[list[Path], typer.Argument(help="JSONL or CSV files of adverts.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the HTML report.")],
    link_ads: Annotated[bool, typer.Option(
        "--link/--no-link", help="Group ads that share a contact or repeat one template.")] = True,
    text_column: Annotated[str, typer.Option(help="Text column or JSON key.")] = "text",
    id_column: Annotated[str, typer.Option(
        help="Id column or JSON key (rows without one are numbered).")] = "id",
    lang: LangOption = None,
    prior: PriorOption = None,
    model: ModelOption = None,
    trust_model: TrustOption = False,
    no_model: NoModelOption = False,
) -> None:
    """Screen a file of adverts and write a triage report: one HTML file to open in a browser,
    with the ads sortable and filterable, every match highlighted, contacts and linked ads."""
    from scamscreen.link import link_results
    from scamscreen.render import clusters_table
    from scamscreen.report import write_report

    try:
        screener = _screener(prior, model, trust_model, no_model)
        results: list[tuple[str, Assessment | InputError]] = []
        for path in inputs:
            for row_id, text in _read_ads(path, text_column, id_column):
                if isinstance(text, InputError):
                    results.append((row_id, text))
                    continue
                try:
                    results.append((row_id, screener.screen(text)))
                except InputError as error:
                    results.append((row_id, error))
        linking = link_results(results) if link_ads else None
        write_report(output, results, linking, language=_language(lang))
    except OSError as error:
        fail(f"cannot read or write: {error}")
    except ScamscreenError as error:
        fail(str(error))
    console = Console(stderr=True)
    if linking is not None and linking.clusters:
        console.print(clusters_table(linking))
    console.print(f"wrote {output} ({len(results):,} ads)")


@app.command(epilog="Examples:\n\n"
             "  scamscreen batch leads.csv -o screened.csv\n\n"
             "  scamscreen batch leads.xlsx --sheet Facebook -o screened.xlsx --lang zh-Hant\n\n"
             "  scamscreen batch ads.jsonl --text-column body --report triage.html")
def batch(
    input_path: Annotated[str, typer.Argument(
        metavar="INPUT", help="CSV/TSV, JSON Lines, an Excel workbook (.xlsx), plain text (ads "
        "separated by a '---' line or two blank lines), a folder of .txt files, or - for "
        "standard input.")],
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="Write every row here (.csv, .jsonl or .xlsx; - for standard "
        "output). An .xlsx has coloured bands, flag titles in the --lang language, a filter and "
        "a frozen header. "
        "Written to a temporary file and renamed when complete, so an interrupted run never "
        "leaves a truncated file. Without it, a table of the top rows is shown.")] = None,
    output_format: Annotated[str | None, typer.Option(
        "--format", help="csv, jsonl or xlsx (default: from the output's extension, else "
        "csv).")] = None,
    input_format: Annotated[str | None, typer.Option(
        help="csv, tsv, jsonl, xlsx, text or dir (default: from the name, else the "
        "content).")] = None,
    sheet: Annotated[str | None, typer.Option(
        help="The sheet of an .xlsx workbook to read (default: every sheet, with a 'sheet' "
        "column saying where each row came from).")] = None,
    text_column: Annotated[list[str] | None, typer.Option(
        help="Column or key holding the text; repeat to join several (default: the first of "
        "text, description, ad, body, content ...).")] = None,
    id_column: Annotated[str | None, typer.Option(
        help="Column or key carried through as the id (default: the row number).")] = None,
    delimiter: Annotated[str | None, typer.Option(
        help="CSV delimiter (default: sniffed; 'tab' for tabs).")] = None,
    sort: Annotated[str | None, typer.Option(help="'score': highest risk first.")] = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", help="Worker processes (default: the machine's cores).")] = None,
    top: Annotated[int, typer.Option(help="Rows in the table shown without -o.")] = 20,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, notes or "
                                        "summary: errors only.")] = False,
    link_ads: Annotated[bool, typer.Option(
        "--link", help="Group ads that share a contact or repeat one template into clusters: "
        "adds a 'cluster' column and prints the largest clusters.")] = False,
    report_path: Annotated[Path | None, typer.Option(
        "--report", help="Also write a self-contained HTML triage report here (open it in a "
        "browser: sortable, filterable, every match highlighted).")] = None,
    engine: Annotated[str, typer.Option(
        help="local (this machine's processes) or dask (a Dask cluster; needs "
        "pip install 'scamscreen\\[dask]'). INPUT may then be a folder or a glob of CSV/JSONL "
        "files.")] = "local",
    scheduler: Annotated[str | None, typer.Option(
        help="With --engine dask: an existing cluster's scheduler (tcp://host:8786). Without "
        "it a local cluster of --jobs workers starts and stops with the run.")] = None,
    output_dir: Annotated[Path | None, typer.Option(
        "--output-dir", help="With --engine dask, instead of -o: one part file per partition, "
        "written by the workers, and manifest.json written last.")] = None,
    encoding: EncodingOption = None,
    lang: LangOption = None,
    no_color: NoColorOption = False,
    prior: PriorOption = None,
    model: ModelOption = None,
    trust_model: TrustOption = False,
    no_model: NoModelOption = False,
) -> None:
    """Screen every advert in a file: one output row per input row, in order, with score, band,
    flags, reason, classifier probability and error."""
    from scamscreen.batch import ScreenerSettings, WorkerPool, default_jobs
    from scamscreen.io.writers import OUTPUT_FORMATS
    from scamscreen.io.writers import output_format as pick_format

    if sort not in (None, "score"):
        fail(f"--sort takes 'score', not '{sort}'")
    if output_format not in (None, *OUTPUT_FORMATS):
        fail(f"--format must be one of {', '.join(OUTPUT_FORMATS)}, not '{output_format}'")
    if jobs is not None and jobs < 1:
        fail("--jobs must be 1 or more")
    if output not in (None, "-") and Path(output).is_dir():
        fail(f"{output} is a directory; give a file name")
    if output == "-" and output_format == "xlsx":
        fail("an .xlsx workbook cannot go to standard output; give -o FILE.xlsx")
    settings = ScreenerSettings(prior, model, trust_model, not no_model)
    language = _language(lang)
    if engine not in ("local", "dask"):
        fail(f"--engine must be local or dask, not '{engine}'")
    if engine == "dask":
        if sheet is not None or pick_format(output, output_format) == "xlsx" or \
                input_format == "xlsx" or Path(input_path).suffix.lower() in (".xlsx", ".xlsm"):
            fail("--engine dask reads and writes CSV and JSON Lines; use the local engine for "
                 ".xlsx")
        _batch_on_dask(input_path, output, output_dir, settings, quiet=quiet,
                       input_format=input_format, encoding=encoding, delimiter=delimiter,
                       text_columns=text_column or (), id_column=id_column,
                       output_format=pick_format(str(output_dir or output), output_format),
                       sort=sort == "score", scheduler=scheduler, jobs=jobs or default_jobs(),
                       unsupported=link_ads or report_path is not None, language=language)
        return
    if scheduler is not None or output_dir is not None:
        fail("--scheduler and --output-dir go with --engine dask")
    workers = jobs or default_jobs()
    linking = link_ads or report_path is not None
    with contextlib.ExitStack() as cleanup:
        pool = None
        if workers > 1 and not linking and _worth_starting_workers(input_path):
            pool = cleanup.enter_context(WorkerPool(settings, workers))
        _batch_local(input_path, output, settings, pool, quiet=quiet, input_format=input_format,
                     encoding=encoding, delimiter=delimiter, text_columns=text_column or (),
                     id_column=id_column, fmt=pick_format(output, output_format),
                     sort=sort == "score", jobs=workers, top=top, link_ads=link_ads,
                     report_path=report_path, language=language, no_color=no_color,
                     sheet=sheet)


def _worth_starting_workers(input_path: str) -> bool:
    """Whether to start worker processes before opening the input: for a file big enough to
    be screened in workers anyway (a few hundred adverts or more)."""
    try:
        return Path(input_path).is_file() and Path(input_path).stat().st_size >= 1 << 20
    except OSError:
        return False


def _batch_local(input_path: str, output: str | None, settings: ScreenerSettings,
                 pool: WorkerPool | None, *, quiet: bool, input_format: str | None,
                 encoding: str | None, delimiter: str | None, text_columns: Sequence[str],
                 id_column: str | None, fmt: str, sort: bool, jobs: int, top: int,
                 link_ads: bool, report_path: Path | None, language: str = "en",
                 no_color: bool = False, sheet: str | None = None) -> None:
    from scamscreen.batch import run_batch
    from scamscreen.io.readers import open_input

    try:
        settings.validate()  # a bad model or prior stops here, before any work
        source = open_input(input_path, input_format=input_format, encoding=encoding,
                            delimiter=delimiter, text_columns=text_columns,
                            id_column=id_column, sheet=sheet)
    except ScamscreenError as error:
        fail(str(error))
    errors = Console(stderr=True, highlight=False)
    if not quiet:
        for note in source.notes:
            errors.print(f"[dim]{note}[/]")
    run = {"fmt": fmt, "sort": sort, "settings": settings, "jobs": jobs,
           "keep_top": top if output is None else 0, "pool": pool, "language": language}
    if link_ads or report_path is not None:
        _batch_link_report(source, output, run, link_ads, report_path, quiet, errors, language)
        return
    show_progress = not quiet and input_path != "-" and errors.is_terminal
    try:
        if show_progress:
            summary, best = _batch_with_progress(source, output, errors, run)
        else:
            summary, best = run_batch(source, output, **run)  # type: ignore[arg-type]
    except ScamscreenError as error:
        fail(str(error))
    except BrokenProcessPool:
        # A worker killed (out of memory?) or unable to start: the output file never appears.
        fail("a worker process stopped before the run finished; nothing was written (rerun, "
             "perhaps with fewer --jobs)", status=1)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror or error}")
    from scamscreen.catalogue import default_catalogue
    from scamscreen.diagnostics import console_for
    from scamscreen.io.console import summary_text, top_lines

    t = translator(language)
    if output is None:
        out = console_for(no_color)
        title = t("batch.top_title", shown=len(best), scored=f"{summary.scored:,}")
        for line in top_lines(best, title, out.width, t):
            out.print(line, soft_wrap=True)
    if not quiet:
        titles = {flag.id: t.title(flag) for flag in default_catalogue()}
        errors.print(summary_text(summary, titles, source.replaced_bytes, t))
        if output not in (None, "-"):
            errors.print(t("batch.wrote", path=output))


def _batch_on_dask(input_path: str, output: str | None, output_dir: Path | None,
                   settings: object, *, quiet: bool, unsupported: bool, language: str = "en",
                   **options: object) -> None:
    """``batch --engine dask``: the same rows as the local engine, scored on a Dask cluster."""
    from scamscreen import dask_engine
    from scamscreen.catalogue import default_catalogue
    from scamscreen.io.console import summary_text
    from scamscreen.partitions import input_files

    try:
        dask_engine.require_dask()
    except ScamscreenError as error:
        from rich.markup import escape

        fail(escape(str(error)))  # "[dask]" is not markup
    if unsupported:
        fail("--link and --report need every row in one process: use the local engine")
    if input_path == "-":
        fail("--engine dask reads files its workers can open, not standard input")
    if (output in (None, "-")) == (output_dir is None):
        fail("--engine dask writes rows to a file or a folder: give -o FILE or --output-dir DIR")
    try:
        summary = dask_engine.run(input_files(input_path), settings,  # type: ignore[arg-type]
                                  output=Path(output) if output else None, output_dir=output_dir,
                                  **options)  # type: ignore[arg-type]
    except ScamscreenError as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot write {output or output_dir}: {error.strerror or error}")
    errors = Console(stderr=True, highlight=False)
    for lost in summary.lost:
        errors.print(f"[bold red]scamscreen: lost[/] {lost.describe()}", soft_wrap=True)
    if not quiet:
        t = translator(language)
        titles = {flag.id: t.title(flag) for flag in default_catalogue()}
        errors.print(summary_text(summary.rows, titles, translate=t))
        errors.print(f"dask: {summary.partitions:,} partitions on {summary.workers} workers "
                     f"in {summary.seconds:,.1f} s")
    if summary.lost:
        outcome = "manifest.json says complete: false" if output_dir else "no output written"
        errors.print(f"[bold red]{len(summary.lost)} partition(s) lost: {outcome}[/]")
        raise typer.Exit(1)
    if not quiet:
        errors.print(f"wrote {output_dir / dask_engine.MANIFEST if output_dir else output}")


def _batch_with_progress(
    source: Source, output: Path | str | None, console: Console, run: dict[str, Any]
) -> tuple[BatchSummary, list[BatchResult]]:
    import time

    from scamscreen.batch import run_batch
    from scamscreen.io.console import progress_bar

    unit = "files" if source.format == "dir" else "bytes"
    started = time.monotonic()
    rows = [0]
    with progress_bar(console, unit) as progress:
        task = progress.add_task("screening", total=source.total, rows=0, rate=0.0)

        def advance(_result: object) -> None:
            rows[0] += 1
            if rows[0] % 64 == 0:
                rate = rows[0] / max(time.monotonic() - started, 1e-9)
                progress.update(task, completed=source.done(), rows=rows[0], rate=rate)

        return run_batch(source, output, on_result=advance, **run)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        Console(stderr=True).print("scamscreen: interrupted")
        sys.exit(130)
