"""The ``assessqa`` command line: thin Typer wrappers over functions that return data."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text

from assessqa import errors
from assessqa.config import Settings

app = typer.Typer(
    help="Grade children's social care assessments and plans on what inspectors look for. Runs offline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
annotations_app = typer.Typer(help="Validate, import and split the annotated corpus.", no_args_is_help=True)
app.add_typer(annotations_app, name="annotations")
models_app = typer.Typer(help="Sign model folders so a service can refuse any other.", no_args_is_help=True)
app.add_typer(models_app, name="models")

err = Console(stderr=True)
_debug = False


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="On an unexpected failure, print where in the code it happened (never document text).")] = False,
) -> None:
    global _debug
    _debug = debug


def _print_frames(exc: BaseException) -> None:
    summary = errors.exception_summary(exc)
    err.print(f"{summary['exception']} (message withheld: it may quote a document)", markup=False, highlight=False)
    for frame in summary["frames"]:
        err.print(f"  at {frame}", markup=False, highlight=False)


def _debug_failure(source: str, exc: BaseException) -> None:
    if _debug:
        err.print(f"{source}: unexpected failure", markup=False, highlight=False)
        _print_frames(exc)


def main() -> None:
    """The console entry point: any unexpected exception ends the run with a code, never a raw traceback,
    since a traceback's message can quote the document being read."""
    try:
        app()
    except Exception as exc:  # typer's own exits and usage errors are handled inside app()
        err.print(
            f"[E900] assessqa stopped unexpectedly ({type(exc).__name__}). Re-run with --debug to see where "
            "(code locations only) and report it.", style="red", markup=False, highlight=False,
        )
        if _debug:
            _print_frames(exc)
        raise SystemExit(3) from None


class OutputFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


class Engine(str, Enum):
    local = "local"
    spark = "spark"


def _fail(exc: errors.AssessQAError) -> None:
    err.print(str(exc), style="red", highlight=False, markup=False)
    raise typer.Exit(code=2)


# Documents from which worker processes repay their start-up (each imports the scoring path and loads its own copy
# of the model): measured with benchmarks/score_speed.py on 2 cores (model 0.4.3, scoring without scikit-learn),
# two workers' start-up of under 3 s is repaid from about 200 documents.
AUTO_JOBS_FROM = 200


def auto_jobs(documents: int, cores: int | None = None) -> int:
    """The scoring processes ``--jobs 0`` uses: one per core for large inputs, else one."""
    import os

    if cores is None:
        # The cores this process may run on (a container's CPU set), not the host's count.
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores) if documents >= AUTO_JOBS_FROM else 1


class _RateColumn(ProgressColumn):
    """Documents per second over the run so far."""

    def render(self, task) -> Text:
        return Text(f"{task.speed:.1f} docs/s" if task.speed else "")


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _RateColumn(), TimeElapsedColumn(),
        TextColumn("ETA"), TimeRemainingColumn(), console=console, transient=False,
    )


@app.command()
def score(
    inputs: Annotated[list[Path], typer.Argument(help="JSONL, CSV, .txt or .docx files, or folders of them.")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write records here (default: standard output). Written as OUT.partial and renamed when the run completes; never an input or inside an input folder. Error records also go to OUT.errors.jsonl.")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Record format.")] = OutputFormat.jsonl,
    model: Annotated[Optional[Path], typer.Option("--model", "-m", help="Model folder (default: the shipped model).")] = None,
    summary: Annotated[bool, typer.Option(help="Print the QA summary at the end.")] = True,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="Scoring processes; each loads the model, so it pays off on large batches. 0 (the default): one per CPU core once the input holds enough documents to repay the start-up, else one.")] = 0,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted run into --out: documents already scored are skipped, none twice.")] = False,
    engine: Annotated[Engine, typer.Option(help="local: this machine's processes. spark: Apache Spark (pip install 'assessqa[spark]'), reading JSONL/CSV/Parquet and writing --out as a folder of JSONL or Parquet part files.")] = Engine.local,
    spark_master: Annotated[Optional[str], typer.Option(help="With --engine spark: the master URL (local[2], spark://host:7077, yarn). Default: the one spark-submit or the platform configures, else local[*].")] = None,
    partitions: Annotated[Optional[int], typer.Option(min=1, help="With --engine spark: partitions to score in (default: one per 2,000 records, at least one per core).")] = None,
) -> None:
    """Score documents; one record per document. Exit code 1 if any record could not be scored."""
    if engine is Engine.spark:
        _score_spark(inputs, out, fmt, model, summary, resume, spark_master, partitions)
        return
    if fmt is OutputFormat.parquet:
        _fail(errors.engine_option("local", "--format parquet", "use --engine spark, or --format jsonl or csv"))
    from itertools import islice

    from assessqa.batch import score_items
    from assessqa.ingest import output_clash, read_inputs, scan_inputs, expand_inputs
    from assessqa.report import BatchSummary, RecordWriter, errors_path, output_file, read_resumable, render_summary
    from assessqa.schemas import ErrorRecord
    from assessqa.scoring import Scorer

    if out is not None:
        clash = output_clash(out, inputs)
        if clash is not None:
            _fail(errors.output_is_input(str(out), str(clash)))
        if out.is_dir():
            _fail(errors.unreadable_file(str(out), "--out names a folder; name a file"))
    elif resume:
        _fail(errors.resume_mismatch("standard output", "--resume needs --out"))
    settings = Settings()
    try:
        scorer = Scorer.from_directory(model, settings)
    except errors.AssessQAError as exc:
        _fail(exc)
    files = expand_inputs(inputs)
    if not files:
        _fail(errors.unreadable_file(", ".join(map(str, inputs)), "no supported files found"))
    total, metadata_keys = scan_inputs(files)
    done = read_resumable(out, fmt.value) if resume and out is not None else None
    skipped = 0
    if done is not None and done.ids:
        skipped = len(done.ids)
        if skipped > total:
            _fail(errors.resume_mismatch(str(out), f"it holds {skipped} records but the inputs only {total}"))
        # Records are written in input order, so the first records of the inputs are the ones already done.
        for n, item in enumerate(islice(read_inputs(files), skipped)):
            if item.record_id is not None and done.ids[n] is not None and item.record_id != done.ids[n]:
                _fail(errors.resume_mismatch(str(out), f"record {n + 1} of the inputs is not record {n + 1} of the output"))
    report = Console(stderr=out is None)
    tally = BatchSummary().add_all(done.records if done else [])
    continued = resume and out is not None and (skipped > 0)
    with (
        _progress(err) as bar,
        (output_file(out, resume=continued) if out else nullcontext(sys.stdout)) as handle,
        (open(errors_path(out), "a" if continued else "w", encoding="utf-8") if out else nullcontext(None)) as error_log,
    ):
        writer = RecordWriter(handle, fmt.value, metadata_keys, header=not continued, errors=error_log)
        task = bar.add_task("Scoring", total=total, completed=skipped)
        workers = jobs or auto_jobs(total - skipped)
        for record in score_items(scorer, islice(read_inputs(files), skipped, None), jobs=workers, on_failure=_debug_failure):
            writer.write(record)
            tally.add(record)
            if isinstance(record, ErrorRecord):
                bar.console.print(f"{record.source}: [{record.error['code']}] {record.error['message']}", style="yellow", markup=False, highlight=False)
            bar.advance(task)
    if summary:
        if skipped and fmt.value == "csv":
            report.print(f"Continued after {skipped} record(s) of the interrupted run (the summary counts this run's records).")
        elif skipped:
            report.print(f"Continued after {skipped} record(s) of the interrupted run.")
        render_summary(tally, report)
        report.print(f"Model: {scorer.model_version}" + (f"; records written to {out}" if out else ""))
    if tally.errors:
        raise typer.Exit(code=1)


def _score_spark(
    inputs: list[Path], out: Optional[Path], fmt: OutputFormat, model: Optional[Path], summary: bool, resume: bool,
    master: Optional[str], partitions: Optional[int],
) -> None:
    from assessqa.ingest import output_clash
    from assessqa.report import errors_path, render_summary
    from assessqa.scoring import Scorer
    from assessqa import spark_batch

    if out is None:
        _fail(errors.engine_option("spark", "writing to standard output", "name an output folder with --out"))
    if resume:
        _fail(errors.engine_option("spark", "--resume", "Spark retries failed tasks itself; re-run to rewrite the folder"))
    if fmt is OutputFormat.csv:
        _fail(errors.engine_option("spark", "--format csv", "write jsonl or parquet"))
    clash = output_clash(out, inputs)
    if clash is not None:
        _fail(errors.output_is_input(str(out), str(clash)))
    settings = Settings()
    folder = Path(model or settings.model_dir)
    try:
        # Loaded once here too, so a missing, corrupt or unsigned model stops the run before Spark starts.
        checked = Scorer.from_directory(folder, settings)
        spark = spark_batch.spark_session(master)
        err.print(f"Scoring on Spark ({spark.sparkContext.master}, {spark.sparkContext.defaultParallelism} cores)...")
        written = spark_batch.score_with_spark(spark, inputs, out, folder, settings, fmt.value, partitions)
        tally = spark_batch.collect_summary(written, errors_path(out))
    except errors.AssessQAError as exc:
        _fail(exc)
    report = Console()
    if summary:
        render_summary(tally, report)
        report.print(f"Model: {checked.model_version}; records written to {out}/ ({fmt.value} part files, in input order)")
    if tally.errors:
        raise typer.Exit(code=1)


@app.command("report")
def report_cmd(
    scores: Annotated[Path, typer.Argument(help="Score records (JSONL) written by assessqa score.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")] = Path("report.html"),
    texts: Annotated[Optional[list[Path]], typer.Option("--texts", help="The scored inputs again, to show each document's text with its evidence highlighted (the report then holds document text).")] = None,
) -> None:
    """Write one self-contained HTML report for a QA manager (opens offline; no external assets)."""
    from assessqa.ingest import read_inputs
    from assessqa.report.html import write_report

    if out.resolve() == scores.resolve():
        _fail(errors.output_is_input(str(out), str(scores)))
    by_id: dict[str, str] = {}
    for item in read_inputs(texts or []):
        if item.document is not None and item.document.id:
            by_id[item.document.id] = item.document.text
    try:
        data = write_report(scores, out, by_id)
    except errors.AssessQAError as exc:
        _fail(exc)
    err.print(f"Report on {data.scored} document(s) ({data.errors} could not be scored) written to {out}")


@app.command()
def drift(
    scores: Annotated[Path, typer.Argument(help="Score records (JSONL) of a new batch, written by assessqa score.")],
    model: Annotated[Optional[Path], typer.Option("--model", "-m", help="Model folder whose reference profile to compare with (default: the shipped model).")] = None,
) -> None:
    """Say whether a batch's grades, review flags, lengths and layouts moved away from the model's reference,
    and whether retraining is advised. Exit code 1 when retraining is advised."""
    from assessqa.report.drift import compare, load_reference, profile, read_scored

    try:
        reference = load_reference(model or Settings().model_dir)
        records = read_scored(scores)
    except errors.AssessQAError as exc:
        _fail(exc)
    report = compare(profile(records), reference)
    Console().print(report.summary(), markup=False, highlight=False)
    if report.retrain_advised:
        raise typer.Exit(code=1)


@app.command()
def train(
    data: Annotated[Path, typer.Option(help="Annotation folder (with corpus/ and splits.json) or a JSONL file.")] = Path("annotations"),
    out: Annotated[Path, typer.Option(help="Folder to write the model to.")] = Path("models/new"),
    config: Annotated[Optional[Path], typer.Option(help="JSON file overriding the training configuration.")] = None,
    splits: Annotated[str, typer.Option(help="Comma-separated splits to train on.")] = "train,dev",
    evaluate_on: Annotated[str, typer.Option("--evaluate-on", help="Held-out split to measure and record in meta.json ('' to skip).")] = "test",
    version: Annotated[Optional[str], typer.Option(help="Model version string (default: date and time).")] = None,
) -> None:
    """Train a model on the annotated corpus and record its held-out metrics."""
    from assessqa.training.annotations import load_corpus, load_splits, split_documents
    from assessqa.training.evaluation import evaluate as run_evaluation
    from assessqa.models.store import save_model
    from assessqa.training.fit import train_model
    from assessqa.scoring import Scorer

    try:
        docs = load_corpus(data)
        split_map = load_splits(data) if Path(data).is_dir() and (Path(data) / "splits.json").exists() else {}
        parts = split_documents(docs, split_map)
        train_docs = [d for name in splits.split(",") if name for d in parts[name.strip()]]
        cfg = json.loads(config.read_text(encoding="utf-8")) if config else None
        err.print(f"Training on {len(train_docs)} documents ({splits}); held out: {evaluate_on or 'none'}")
        model = train_model(train_docs, cfg, progress=lambda m: err.print(f"  {m}"), model_version=version)
        if evaluate_on and parts.get(evaluate_on):
            held_out = parts[evaluate_on]
            metrics = run_evaluation(Scorer(model), held_out)
            model.meta["metrics"] = {"split": evaluate_on, **metrics}
            model.meta["training_data"]["splits"] = splits
        save_model(model, out)
    except errors.AssessQAError as exc:
        _fail(exc)
    err.print(f"Saved model {model.version} to {out}")
    if "metrics" in model.meta:
        _print_metrics(model.meta["metrics"])


def _print_metrics(metrics: dict) -> None:
    from rich.table import Table

    console = Console()
    table = Table(title=f"Held-out metrics ({metrics.get('split', 'given data')}, {metrics['documents']} documents)")
    for col in ("dimension", "n", "QWK", "exact", "within one"):
        table.add_column(col)
    for dim, m in metrics["dimensions"].items():
        table.add_row(dim, str(m["n"]), f"{m['qwk']:.3f}", f"{m['exact']:.3f}", f"{m['within_one']:.3f}")
    console.print(table)
    ex = metrics["actions"]["extraction"]
    console.print(f"Action extraction: precision {ex['precision']:.3f}, recall {ex['recall']:.3f} ({ex['gold']} annotated)")
    flags = metrics["actions"]["flags"]
    console.print("Action flags (kappa / macro-F1): " + ", ".join(
        f"{f} {v['kappa']:.2f}/{v['macro_f1']:.2f}" for f, v in flags.items() if v["kappa"] is not None))
    console.print("Evidence sentence F1: " + ", ".join(f"{d} {v:.2f}" for d, v in metrics["evidence_sentence_f1"].items() if v is not None))
    console.print(f"Document type detection accuracy: {metrics['doc_type_accuracy']}")


@app.command()
def evaluate(
    model: Annotated[Optional[Path], typer.Option(help="Model folder (default: the shipped model).")] = None,
    data: Annotated[Path, typer.Option(help="Annotation folder or JSONL file of annotated documents.")] = Path("annotations"),
    split: Annotated[str, typer.Option(help="Split to evaluate when --data is a folder with splits.json ('all' for every document).")] = "test",
    out: Annotated[Optional[Path], typer.Option(help="Also write the metrics as JSON here.")] = None,
) -> None:
    """Per-dimension QWK, exact and within-one accuracy, confusion matrices, action and evidence figures."""
    from assessqa.training.annotations import load_corpus, load_splits, split_documents
    from assessqa.training.evaluation import evaluate as run_evaluation
    from assessqa.scoring import Scorer

    try:
        scorer = Scorer.from_directory(model)
        docs = load_corpus(data)
        if split != "all" and Path(data).is_dir() and (Path(data) / "splits.json").exists():
            docs = split_documents(docs, load_splits(data))[split]
        trained_on = set(scorer.model.meta.get("training_data", {}).get("batches", []))
        overlap = sorted({d.batch for d in docs} & trained_on)
        if overlap:
            err.print(f"[yellow]Warning: {len(overlap)} batch(es) here were used to train this model; these figures are not held-out.[/yellow]")
        with _progress(err) as bar:
            task = bar.add_task("Evaluating", total=len(docs))
            metrics = run_evaluation(scorer, docs, progress=lambda: bar.advance(task))
    except errors.AssessQAError as exc:
        _fail(exc)
    metrics["split"] = split
    metrics["model_version"] = scorer.model_version
    _print_metrics(metrics)
    for dim, m in metrics["dimensions"].items():
        Console().print(f"{dim} confusion (rows gold 1-4, columns predicted 1-4): {m['confusion']}")
    if out:
        out.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (keep 127.0.0.1 behind a reverse proxy).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    model: Annotated[Optional[Path], typer.Option(help="Model folder (default: the shipped model).")] = None,
    workers: Annotated[Optional[int], typer.Option(help="Worker processes (default: ASSESSQA_WORKERS, else 1).")] = None,
    score_processes: Annotated[Optional[int], typer.Option(help="Scoring processes sharing one request queue behind each worker (default: ASSESSQA_SCORE_PROCESSES, else 0: score on the worker's threads).")] = None,
    insecure_no_auth: Annotated[bool, typer.Option("--insecure-no-auth", help="Serve without API keys; loopback addresses only, for local use.")] = False,
) -> None:
    """Run the REST API (see api/README.md). Needs ASSESSQA_API_KEYS or ASSESSQA_API_KEY_FILE."""
    import os

    from pydantic import ValidationError

    from assessqa.api.server import serve as run_service

    # Worker processes read their settings from the environment, so the options travel that way. Only the
    # flag turns auth off: a stray ASSESSQA_INSECURE_NO_AUTH in the environment does not.
    if model is not None:
        os.environ["ASSESSQA_MODEL_DIR"] = str(model)
    if workers is not None:
        os.environ["ASSESSQA_WORKERS"] = str(workers)
    if score_processes is not None:
        os.environ["ASSESSQA_SCORE_PROCESSES"] = str(score_processes)
    os.environ["ASSESSQA_INSECURE_NO_AUTH"] = "true" if insecure_no_auth else "false"
    try:
        run_service(Settings(), host, port)
    except errors.AssessQAError as exc:  # AuthConfigError (A001-A005) and ModelError alike
        _fail(exc)
    except ValidationError as exc:
        for problem in exc.errors():
            name = "ASSESSQA_" + "_".join(str(p) for p in problem["loc"]).upper()
            err.print(f"{name}: {problem['msg']}", style="red", highlight=False, markup=False)
        raise typer.Exit(code=2)


@models_app.command("list")
def models_list(root: Annotated[Path, typer.Argument(help="Folder holding model folders.")] = Path("models")) -> None:
    """Model folders under ROOT: version, when trained, on how many documents, test QWK, promotion."""
    from rich.table import Table

    from assessqa.training.registry import list_models

    table = Table(title=f"Models in {root}")
    for column in ("folder", "version", "trained", "documents", "test QWK (min-max)", "promoted"):
        table.add_column(column)
    for e in list_models(root):
        qwk = [v for v in e.test_qwk.values() if v is not None]
        table.add_row(
            str(e.path), e.version, e.trained_at[:16], str(e.documents or ""),
            f"{min(qwk):.3f}-{max(qwk):.3f}" if qwk else "", (e.promoted or {}).get("at", "")[:16],
        )
    Console().print(table)


def _held_out(data: Path, split: str):
    from assessqa.training.annotations import load_corpus, load_splits, split_documents

    docs = load_corpus(data)
    if split == "all":
        return docs
    return split_documents(docs, load_splits(data / "splits.json"))[split]


def _print_comparison(comparison) -> None:
    from rich.table import Table

    table = Table(title=f"{comparison.b} against {comparison.a} on {comparison.documents} held-out documents")
    for column in ("figure", comparison.a, comparison.b, "difference (95% interval)"):
        table.add_column(column)
    worse = set(comparison.worse())
    for name, (a, b, diff, low, high) in comparison.rows.items():
        fmt = lambda x: "" if x is None else f"{x:.3f}"  # noqa: E731
        interval = f"{diff:+.3f} ({low:+.3f} to {high:+.3f})" if diff is not None and low is not None else fmt(diff)
        table.add_row(name, fmt(a), fmt(b), interval + ("  WORSE" if name in worse else ""))
    Console().print(table)
    Console().print(f"{len(comparison.changed)} grade(s) changed" + (": " + ", ".join(f"{i} {d} {x}->{y}" for i, d, x, y in comparison.changed[:20]) if comparison.changed else ""))


@models_app.command("compare")
def models_compare(
    a: Annotated[Path, typer.Argument(help="The current model folder.")],
    b: Annotated[Path, typer.Argument(help="The candidate model folder.")],
    data: Annotated[Path, typer.Option(help="Annotation folder.")] = Path("annotations"),
    split: Annotated[str, typer.Option(help="Held-out split to score: test, dev or all.")] = "test",
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples.")] = 500,
) -> None:
    """Score the same held-out documents with both models: per-dimension QWK, action P/R, flag kappa and ECE,
    each with a paired 95% bootstrap interval of the difference, and the documents whose grades changed."""
    from assessqa.scoring import Scorer
    from assessqa.training.registry import compare

    try:
        comparison = compare(Scorer.from_directory(a), Scorer.from_directory(b), _held_out(data, split), resamples)
    except errors.AssessQAError as exc:
        _fail(exc)
    _print_comparison(comparison)


@models_app.command("promote")
def models_promote(
    candidate: Annotated[Path, typer.Argument(help="The model folder to promote.")],
    to: Annotated[Path, typer.Option("--to", help="The folder scoring loads.")] = Path("models/default"),
    data: Annotated[Path, typer.Option(help="Annotation folder.")] = Path("annotations"),
    split: Annotated[str, typer.Option(help="Held-out split the decision is made on.")] = "test",
    force: Annotated[bool, typer.Option(help="Promote even if worse beyond an interval (needs --reason).")] = False,
    reason: Annotated[Optional[str], typer.Option(help="Why, recorded in meta.json.")] = None,
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples.")] = 500,
) -> None:
    """Compare CANDIDATE with the model in --to and, unless it is worse beyond an interval, copy it there; the
    decision and the comparison are recorded in its meta.json (re-sign it afterwards if you sign models)."""
    from assessqa.scoring import Scorer
    from assessqa.training.registry import compare, promote

    try:
        comparison = compare(Scorer.from_directory(to), Scorer.from_directory(candidate), _held_out(data, split), resamples)
        _print_comparison(comparison)
        record = promote(candidate, to, comparison, force, reason)
    except errors.AssessQAError as exc:
        _fail(exc)
    Console().print(f"promoted {candidate} to {to}: {record['reason']}")


@models_app.command("keygen")
def models_keygen(folder: Annotated[Path, typer.Argument(help="Folder for model-signing.key (private) and model-signing.pub.")]) -> None:
    """Make an Ed25519 key pair for signing models. Keep the private key where models are trained."""
    from assessqa.models.signing import generate_keypair

    try:
        private, public = generate_keypair(folder)
    except FileExistsError:
        _fail(errors.signing_key_invalid(str(folder / "model-signing.key"), "it already exists; not overwritten"))
    Console().print(f"private key: {private} (keep it secret)\npublic key:  {public} (give it to the service as ASSESSQA_MODEL_PUBLIC_KEY)")


@models_app.command("sign")
def models_sign(
    model: Annotated[Path, typer.Argument(help="Model folder to sign.")],
    key: Annotated[Path, typer.Option(help="Ed25519 private key (PEM), from assessqa models keygen.")],
) -> None:
    """Sign a model folder's meta.json (which pins every file's hash), writing meta.json.sig beside it."""
    from assessqa.models.signing import sign_model
    from assessqa.models.store import verify_runtime

    try:
        verify_runtime(model)  # sign only what loads (types allowed, hashes matching) and twins that match it
        target = sign_model(model, key)
    except errors.AssessQAError as exc:
        _fail(exc)
    Console().print(f"signed {model}: {target}")


@annotations_app.command("validate")
def annotations_validate(path: Annotated[Path, typer.Argument(help="Annotation folder or JSONL file.")] = Path("annotations")) -> None:
    """Check schema, offsets, span texts, cue labels and action flags; exit 1 on any problem."""
    from assessqa.training.annotations import validate_corpus

    report = validate_corpus(path)
    for problem in report.problems:
        err.print(problem, markup=False, highlight=False)
    Console().print(f"{report.documents} document(s) checked, {len(report.problems)} problem(s)")
    if not report.ok:
        raise typer.Exit(code=1)


class AnnotationFormat(str, Enum):
    authored = "authored"
    label_studio = "label-studio"


@annotations_app.command("import")
def annotations_import(
    source: Annotated[Path, typer.Argument(help="Folder of authored JSONL files (spans and actions as quotes), or a Label Studio JSON export with --format label-studio.")],
    out: Annotated[Path, typer.Option(help="Corpus folder to write (one JSONL file per writing batch for Label Studio).")] = Path("annotations/corpus"),
    fmt: Annotated[AnnotationFormat, typer.Option("--format", help="What SOURCE is.")] = AnnotationFormat.authored,
) -> None:
    """Resolve authored quotes to character offsets, or read a Label Studio export, and write corpus files."""
    if fmt is AnnotationFormat.label_studio:
        from collections import defaultdict

        from assessqa.training.label_studio import import_tasks

        try:
            docs, problems = import_tasks(source)
        except errors.AssessQAError as exc:
            _fail(exc)
        by_batch = defaultdict(list)
        for doc in docs:
            by_batch[doc.batch].append(doc)
        out.mkdir(parents=True, exist_ok=True)
        for batch, members in by_batch.items():
            (out / f"{batch}.jsonl").write_text("".join(d.model_dump_json() + "\n" for d in members), encoding="utf-8")
        count = len(docs)
    else:
        from assessqa.training.annotations import import_authored

        count, problems = import_authored(source, out)
    for problem in problems:
        err.print(problem, markup=False, highlight=False)
    Console().print(f"imported {count} document(s) into {out}; {len(problems)} problem(s)")
    if problems:
        raise typer.Exit(code=1)


@annotations_app.command("export")
def annotations_export(
    corpus: Annotated[Path, typer.Argument(help="Annotation folder or JSONL file.")] = Path("annotations"),
    out: Annotated[Path, typer.Option(help="Label Studio tasks file to write.")] = Path("tasks.json"),
    fmt: Annotated[AnnotationFormat, typer.Option("--format", help="Only label-studio is written.")] = AnnotationFormat.label_studio,
    predictions: Annotated[Optional[Path], typer.Option("--predictions", help="Model folder whose grades, evidence and actions become pre-annotations.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="Also write the labelling config (XML) here.")] = None,
) -> None:
    """Write the corpus as Label Studio tasks (optionally with the model's predictions as pre-annotations)."""
    from assessqa.training.annotations import load_corpus
    from assessqa.training.label_studio import export_tasks, labelling_config, predictions_from_record

    if fmt is not AnnotationFormat.label_studio:
        _fail(errors.bad_annotation("--format", "export writes label-studio only"))
    try:
        docs = load_corpus(corpus)
    except errors.AssessQAError as exc:
        _fail(exc)
    preds = None
    if predictions is not None:
        from assessqa.schemas import InputDocument
        from assessqa.scoring import Scorer

        scorer = Scorer.from_directory(predictions)
        records = scorer.score_batch([InputDocument(id=d.id, text=d.text, doc_type=d.doc_type) for d in docs])
        preds = {d.id: predictions_from_record(r, scorer.model_version) for d, r in zip(docs, records)}
    n = export_tasks(docs, out, preds)
    if config is not None:
        config.write_text(labelling_config(), encoding="utf-8")
    Console().print(f"wrote {n} task(s) to {out}" + (f" and the labelling config to {config}" if config else ""))


@annotations_app.command("sample")
def annotations_sample(
    scores: Annotated[Path, typer.Argument(help="Score records (JSONL) of unannotated documents.")],
    n: Annotated[int, typer.Option("--n", min=1, help="How many documents to pick.")] = 50,
    out: Annotated[Optional[Path], typer.Option(help="Also write the picks as JSONL (id, dimension, grade, confidence, layout).")] = None,
) -> None:
    """Pick the documents the model is least sure of, spread across dimensions and layouts, to annotate next."""
    from rich.table import Table

    from assessqa.report.drift import read_scored
    from assessqa.training.sampling import sample

    try:
        picks = sample(read_scored(scores), n)
    except errors.AssessQAError as exc:
        _fail(exc)
    table = Table(title=f"{len(picks)} document(s) to annotate next")
    for column in ("id", "least sure of", "grade", "confidence", "layout"):
        table.add_column(column)
    for p in picks:
        table.add_row(p.id, p.dimension.replace("_", " "), str(p.grade), f"{p.confidence:.2f}", p.layout)
    Console().print(table)
    if out is not None:
        out.write_text("".join(json.dumps(p.__dict__) + "\n" for p in picks), encoding="utf-8")


@annotations_app.command("split")
def annotations_split(
    path: Annotated[Path, typer.Argument(help="Annotation folder.")] = Path("annotations"),
    seed: Annotated[int, typer.Option(help="Shuffle seed.")] = 13,
) -> None:
    """Write splits.json: whole writing batches to train/dev/test. Existing batches keep their split."""
    from assessqa.training.annotations import load_corpus, make_splits

    docs = load_corpus(path)
    target = Path(path) / "splits.json"
    fresh = make_splits(docs, seed=seed)
    if target.exists():
        old = json.loads(target.read_text(encoding="utf-8"))
        fresh["batches"] = {**fresh["batches"], **old["batches"]}  # never move a batch once it has a split
    target.write_text(json.dumps(fresh, indent=2) + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for doc in docs:
        name = fresh["batches"].get(doc.batch, "train")
        counts[name] = counts.get(name, 0) + 1
    Console().print(f"wrote {target}: {counts}")


if __name__ == "__main__":
    main()
