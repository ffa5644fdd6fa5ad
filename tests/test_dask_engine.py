"""The Dask engine on a LocalCluster of two worker processes: the same rows as the local engine,
a worker killed mid-run, a lost partition, and the one-line message without the extra."""

from __future__ import annotations

import csv
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from scamscreen.batch import ScreenerSettings, run_batch
from scamscreen.io.readers import open_input
from scamscreen.partitions import input_files, read_partition, split_inputs

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples" / "ads.jsonl"
ADS = 2000  # the local/Dask equality run; the other runs use the first SMALL of them
SMALL = 300
BLOCKSIZE = 64 << 10  # ~20 partitions for the run: several per worker
SETTINGS = ScreenerSettings()


def make_records(count: int) -> list[dict[str, Any]]:
    """Variations of the sample ads (no shared data needed): each ad once as written, then with
    a reference number, a pay figure or a contact changed, plus a few rows that cannot be scored."""
    ads = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines()]
    records = []
    for number in range(count):
        ad = ads[number % len(ads)]
        text, round_ = ad["text"], number // len(ads)
        if round_ % 3 == 1:
            text = f"{text}\nRef. {number:05d}"
        elif round_ % 3 == 2:
            text = text.replace("0", str(round_ % 10)) + f"\nTelegram @hr_{number}"
        records.append({"ref": f"ad-{number}", "lang": ad["lang"], "text": text})
    for position, bad in ((7, "   "), (500, "\x00binary\x00"), (1999, "")):
        records[position % count]["text"] = bad
    return records


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return make_records(ADS)


@pytest.fixture(scope="module")
def jsonl_input(tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]) -> Path:
    path = tmp_path_factory.mktemp("input") / "ads.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def csv_input(tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]) -> Path:
    path = tmp_path_factory.mktemp("input") / "ads.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=["ref", "lang", "text"])
        writer.writeheader()
        writer.writerows(records[:SMALL])
    return path


@pytest.fixture(scope="module")
def small_jsonl(tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]) -> Path:
    path = tmp_path_factory.mktemp("input") / "few.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[:SMALL]),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def client() -> Any:
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       memory_limit="1GiB", dashboard_address=":0")
    with distributed.Client(cluster) as connected:
        yield connected
    cluster.close()


def local_output(path: Path, output_format: str = "jsonl") -> str:
    """What the local engine (``scamscreen batch`` without --engine) writes for ``path``."""
    target = path.with_name(f"{path.name}.local.{output_format}")
    run_batch(open_input(path), target, fmt=output_format, settings=SETTINGS, jobs=2)
    return target.read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def local_jsonl(jsonl_input: Path) -> str:
    return local_output(jsonl_input)


def run(client: Any, paths: list[Path], output: Path, **options: Any) -> tuple[Any, str]:
    """Run the dask engine into ``output`` (or a folder); the text written to ``output``."""
    from scamscreen import dask_engine

    options.setdefault("blocksize", BLOCKSIZE)
    options.setdefault("output_format", output.suffix.lstrip(".") or "jsonl")
    if "output_dir" not in options:
        options["output"] = output
    summary = dask_engine.run(paths, SETTINGS, client=client, **options)
    written = output.read_bytes().decode("utf-8") if output.is_file() else ""
    return summary, written


# ---------------------------------------------------------------- cutting (no cluster)


@pytest.mark.parametrize("name", ["ads.jsonl", "ads.csv"])
def test_partitions_hold_whole_records_numbered_as_in_the_file(
        name: str, jsonl_input: Path, csv_input: Path, records: list[dict[str, Any]]) -> None:
    path = jsonl_input if name.endswith("jsonl") else csv_input
    partitions, _ = split_inputs([path], blocksize=BLOCKSIZE)
    assert len(partitions) >= 3
    parts = [list(read_partition(p)) for p in partitions]
    assert [len(part) for part in parts] == [p.rows for p in partitions]
    read = [record for part in parts for record in part]
    assert read == list(open_input(path).records)
    assert [record.fields["ref"] for record in read] == [r["ref"] for r in records][:len(read)]


@pytest.mark.parametrize("content", [
    "\ufeff\n\nref\tad\n" + "".join(f'r{n}\t"line {n}\n\n""quoted"" {n}"\n\n' for n in range(40)),
    "".join(json.dumps({"ad": f"ad {n}", "ref": n}) + ("\n\n" if n % 7 else "\nnot json\n")
            for n in range(40)),
    "".join(json.dumps(f"just a string {n}") + "\n" for n in range(40)),
], ids=["tsv-bom-blank-lines-quotes", "jsonl-bad-lines", "jsonl-strings"])
def test_cut_files_read_as_the_local_reader_reads_them(tmp_path: Path, content: str) -> None:
    path = tmp_path / ("ads.tsv" if content.startswith("\ufeff") else "ads.jsonl")
    path.write_text(content, encoding="utf-8")
    id_column = None if "string" in content else "ref"
    partitions, _ = split_inputs([path], blocksize=64, id_column=id_column)
    assert len(partitions) > 5
    cut = [record for partition in partitions for record in read_partition(partition)]
    assert cut == list(open_input(path, id_column=id_column).records)


def test_a_utf16_file_is_one_partition(tmp_path: Path) -> None:
    path = tmp_path / "ads.csv"
    path.write_text('id,text\n1,"line one\nline two"\n2,second\n', encoding="utf-16")
    (partition,), _ = split_inputs([path], blocksize=8)
    assert partition.rows == 2 and partition.whole_file
    assert [r.text for r in read_partition(partition)] == ["line one\nline two", "second"]


# ---------------------------------------------------------------- on the cluster


def test_dask_output_equals_the_local_output(client: Any, jsonl_input: Path, tmp_path: Path,
                                             local_jsonl: str) -> None:
    summary, written = run(client, [jsonl_input], tmp_path / "out.jsonl")
    assert written == local_jsonl
    assert summary.complete and summary.rows.read == ADS and summary.partitions >= 3
    assert (summary.rows.scored, summary.rows.failed) == (ADS - 3, 3)

    def builds() -> int:
        from scamscreen.partitions import worker_screener

        return worker_screener.cache_info().misses

    assert set(client.run(builds).values()) == {1}  # each worker built its Screener once


def test_a_csv_with_newlines_in_fields_is_cut_between_rows(client: Any, csv_input: Path,
                                                           tmp_path: Path) -> None:
    summary, written = run(client, [csv_input], tmp_path / "out.csv", blocksize=16384)
    assert written == local_output(csv_input, "csv")
    assert summary.complete and summary.rows.read == SMALL and summary.partitions >= 6


def test_sort_score_orders_as_the_local_engine(client: Any, small_jsonl: Path,
                                               tmp_path: Path) -> None:
    local = tmp_path / "local.jsonl"
    run_batch(open_input(small_jsonl), local, fmt="jsonl", sort=True, settings=SETTINGS, jobs=2)
    _, written = run(client, [small_jsonl], tmp_path / "out.jsonl", sort=True, blocksize=16384)
    assert written == local.read_bytes().decode("utf-8")


def test_a_glob_into_an_output_dir_parts_and_manifest(client: Any, tmp_path: Path,
                                                      records: list[dict[str, Any]]) -> None:
    inputs, output_dir = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    for number, start in enumerate(range(0, 300, 100)):
        (inputs / f"ads-{number}.jsonl").write_text(
            "".join(json.dumps({"text": r["text"]}, ensure_ascii=False) + "\n"
                    for r in records[start:start + 100]), encoding="utf-8")
    whole = tmp_path / "whole.jsonl"
    whole.write_text("".join((inputs / f"ads-{n}.jsonl").read_text(encoding="utf-8")
                             for n in range(3)), encoding="utf-8")
    summary, _ = run(client, input_files(str(inputs / "ads-*.jsonl")), output_dir / "x.jsonl",
                     output_dir=output_dir, blocksize=16384)
    assert summary.complete and summary.rows.read == 300 and summary.partitions >= 6
    manifest = json.loads((output_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is True and len(manifest["parts"]) == summary.partitions
    joined = "".join((output_dir / part["file"]).read_bytes().decode("utf-8")
                     for part in manifest["parts"])
    assert joined == local_output(whole)  # row numbers run on from file to file


def test_a_worker_killed_mid_run_loses_no_row(client: Any, small_jsonl: Path,
                                              tmp_path: Path) -> None:
    victim = next(iter(client.run(os.getpid).values()))
    killed: list[int] = []

    def kill_once(lines: list[str]) -> None:
        if not killed:  # the first partition is in: kill a worker while others are running
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    summary, written = run(client, [small_jsonl], tmp_path / "out.jsonl", blocksize=16384,
                           on_lines=kill_once)
    assert killed and summary.complete and summary.rows.read == SMALL
    assert written == local_output(small_jsonl)
    client.wait_for_workers(2, timeout=60)  # the nanny restarts it for the next tests
    assert victim not in client.run(os.getpid).values()


def test_lost_partitions_are_reported_and_no_output_put_in_place(client: Any,
                                                                  tmp_path: Path) -> None:
    from scamscreen import dask_engine

    path = tmp_path / "ads.jsonl"
    line = json.dumps({"text": "Customer service job in Bavet, contact Telegram @hr88"})
    path.write_text(f"{line}\n" * 400, encoding="utf-8")
    output = tmp_path / "out.jsonl"

    def vanish(lines: list[str]) -> None:  # the input disappears once the run is under way
        path.unlink(missing_ok=True)

    summary = dask_engine.run([path], SETTINGS, client=client, output=output, blocksize=1024,
                              retries=1, on_lines=vanish)
    assert not summary.complete and summary.lost
    assert summary.rows.read + sum(lost.rows for lost in summary.lost) == 400
    assert "FileNotFoundError" in summary.lost[0].error
    assert not output.exists()
    assert not list(tmp_path.glob(".out.jsonl*"))  # nor a temporary file left behind


# ---------------------------------------------------------------- the command


def test_batch_engine_dask_on_an_existing_scheduler(client: Any, tmp_path: Path,
                                                    records: list[dict[str, Any]]) -> None:
    from typer.testing import CliRunner

    from scamscreen.cli import app

    path = tmp_path / "ads.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=["ref", "lang", "text"])
        writer.writeheader()
        writer.writerows(records[:60])
    runner = CliRunner()
    local = runner.invoke(app, ["batch", str(path), "-o", str(tmp_path / "local.csv"), "-q",
                                "--id-column", "ref"])
    on_dask = runner.invoke(app, ["batch", str(path), "-o", str(tmp_path / "dask.csv"),
                                  "--id-column", "ref", "--engine", "dask",
                                  "--scheduler", client.scheduler.address])
    assert (local.exit_code, on_dask.exit_code) == (0, 0), on_dask.output
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
    assert "60 rows read" in on_dask.output.replace(",", "")


def test_batch_engine_dask_refuses_what_it_cannot_do(tmp_path: Path, small_jsonl: Path) -> None:
    from typer.testing import CliRunner

    from scamscreen.cli import app

    runner = CliRunner()
    for extra, message in ((["--link", "-o", "x.csv"], "--link and --report"),
                           ([], "give -o FILE or --output-dir DIR"),
                           (["-o", "x.csv", "--output-dir", "d"], "give -o FILE or --output-dir")):
        result = runner.invoke(app, ["batch", str(small_jsonl), "--engine", "dask", *extra])
        assert result.exit_code == 2 and message in result.output
    result = runner.invoke(app, ["batch", str(small_jsonl), "--output-dir", str(tmp_path)])
    assert result.exit_code == 2 and "go with --engine dask" in result.output


# ---------------------------------------------------------------- without the extra


def test_without_dask_the_engine_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from scamscreen import dask_engine

    for name in [n for n in sys.modules if n == "dask" or n.startswith(("dask.", "distributed"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "dask", None)  # `import dask` now raises ImportError
    with pytest.raises(dask_engine.EngineUnavailable) as raised:
        dask_engine.require_dask()
    assert str(raised.value) == "--engine dask needs Dask, an optional extra: " \
                                "pip install 'scamscreen[dask]'"


def test_batch_engine_dask_without_dask_is_one_line_and_exit_2(
        monkeypatch: pytest.MonkeyPatch, small_jsonl: Path) -> None:
    from typer.testing import CliRunner

    from scamscreen.cli import app

    for name in [n for n in sys.modules if n == "dask" or n.startswith(("dask.", "distributed"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "dask", None)
    result = CliRunner().invoke(app, ["batch", str(small_jsonl), "--engine", "dask",
                                      "-o", "out.csv"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "scamscreen: error: --engine dask needs Dask, an optional extra: "
        "pip install 'scamscreen[dask]'"]
