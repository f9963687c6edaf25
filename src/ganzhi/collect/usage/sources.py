"""Open the audit's input files (CSV or Parquet, one file or a directory) as DuckDB relations.

Each input becomes a view `<kind>_src` with its required (and known optional) columns under canonical
lower-case names, plus `src_file` and `src_row` (1-based: the data row for Parquet, the physical line
for CSV) so every warning can name the file and the row. Parquet is streamed, never copied; a CSV is
read with every column as text (so a bad value cannot abort the read) into a disk-backed table, and
lines DuckDB cannot split into columns go to `<kind>_csv_rejects` with their line numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ganzhi.errors import GanzhiError, InputError

PARQUET_SUFFIXES = (".parquet", ".pq")
CSV_SUFFIXES = (".csv", ".csv.gz", ".txt", ".tsv")

#: Required and optional columns per input kind.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "plans": (("plan_id", "quota_bytes"), ("cycle", "province")),
    "events": (("subscriber_id", "ts", "bytes", "plan_id"), ()),
    "reminders": (("subscriber_id", "ts", "threshold"), ()),
}


@dataclass(frozen=True, slots=True)
class Source:
    """One opened input: its files, its format and the DuckDB type of each canonical column."""

    kind: str
    path: Path
    files: tuple[Path, ...]
    fmt: str
    types: dict[str, str]

    def type_of(self, column: str) -> str | None:
        """DuckDB type of `column` (upper case), or None when the optional column is absent."""
        return self.types.get(column)


def sql_str(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def list_files(path: Path, kind: str) -> tuple[tuple[Path, ...], str]:
    """The files behind `path` (a file or a directory of same-format files) and their format."""
    if not path.exists():
        raise InputError(str(path), f"{kind} input not found")
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    parquet = [p for p in files if p.name.lower().endswith(PARQUET_SUFFIXES)]
    csv = [p for p in files if p.name.lower().endswith(CSV_SUFFIXES)]
    if parquet and csv:
        raise InputError(str(path), f"{kind}: expected one format, found both Parquet and CSV files")
    if parquet:
        return tuple(parquet), "parquet"
    if csv:
        return tuple(csv), "csv"
    raise InputError(
        str(path), f"{kind}: expected a .parquet or .csv file (or a directory of them), found {[p.name for p in files]}"
    )


def _column_map(con: duckdb.DuckDBPyConnection, relation_sql: str, kind: str, where: str) -> dict[str, tuple[str, str]]:
    """canonical name → (actual column name, DuckDB type); raises when a required column is missing."""
    described = con.execute(f"DESCRIBE SELECT * FROM {relation_sql}").fetchall()
    actual = {str(row[0]).strip().lower(): (str(row[0]), str(row[1]).upper()) for row in described}
    required, optional = COLUMNS[kind]
    missing = [c for c in required if c not in actual]
    if missing:
        found = [str(row[0]) for row in described]
        raise InputError(where, f"{kind}: missing column(s) {missing}; expected {list(required)}, found {found}")
    return {c: actual[c] for c in (*required, *optional) if c in actual}


def open_source(con: duckdb.DuckDBPyConnection, path: Path, kind: str) -> Source:
    """Create the view `<kind>_src` over `path`; InputError when unreadable or a column is missing."""
    files, fmt = list_files(path, kind)
    try:
        if fmt == "parquet":
            return _open_parquet(con, path, files, kind)
        return _open_csv(con, path, files, kind)
    except duckdb.Error as exc:
        raise InputError(str(path), f"{kind}: cannot read {fmt}: {(str(exc).splitlines() or [''])[0]}") from exc
    except GanzhiError:
        raise
    except (Exception, MemoryError) as exc:  # the boundary: any other library failure names the input
        raise InputError(str(path), f"{kind}: cannot read {fmt} ({type(exc).__name__}: {str(exc)[:300]})") from None


def _check_parquet_footers(files: tuple[Path, ...], kind: str) -> None:
    """Every file's footer must open with pyarrow too (the audit reads row counts with it), else InputError."""
    import pyarrow.parquet as pq

    for file in files:
        try:
            pq.ParquetFile(file).close()
        except (Exception, MemoryError) as exc:  # ArrowInvalid, OSError, ...: the file is named, no traceback
            first = (str(exc).splitlines() or [""])[0][:300]
            raise InputError(
                str(file), f"{kind}: not a readable Parquet file ({type(exc).__name__}: {first})"
            ) from None


def _open_parquet(con: duckdb.DuckDBPyConnection, path: Path, files: tuple[Path, ...], kind: str) -> Source:
    _check_parquet_footers(files, kind)
    file_list = "[" + ", ".join(sql_str(str(f)) for f in files) + "]"
    reader = f"read_parquet({file_list}, filename=true, file_row_number=true, union_by_name=true)"
    cols = _column_map(con, reader, kind, str(path))
    select = ", ".join(f"{_ident(actual)} AS {name}" for name, (actual, _) in cols.items())
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {kind}_src AS SELECT {select}, filename AS src_file, "
        f"file_row_number + 1 AS src_row FROM {reader}"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {kind}_csv_rejects (src_file VARCHAR, src_row BIGINT, reason VARCHAR)")
    return Source(kind, path, files, "parquet", {name: typ for name, (_, typ) in cols.items()})


def _open_csv(con: duckdb.DuckDBPyConnection, path: Path, files: tuple[Path, ...], kind: str) -> Source:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {kind}_csv_rejects (src_file VARCHAR, src_row BIGINT, reason VARCHAR)")
    parts: list[str] = []
    types: dict[str, str] = {}
    for i, file in enumerate(files):
        table, rej_t, rej_s = f"{kind}_csv_{i}", f"{kind}_rej_t_{i}", f"{kind}_rej_s_{i}"
        reader = (
            f"read_csv({sql_str(str(file))}, header=true, all_varchar=true, store_rejects=true, "
            f"rejects_table={sql_str(rej_t)}, rejects_scan={sql_str(rej_s)}, max_line_size=1048576)"
        )
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {reader}")
        cols = _column_map(con, table, kind, str(file))
        types = dict.fromkeys(cols, "VARCHAR")
        con.execute(
            f"INSERT INTO {kind}_csv_rejects SELECT {sql_str(str(file))}, line, "
            f"'line: ' || error_type || ' (' || error_message || ')' FROM {rej_t}"
        )
        # Physical line of the k-th accepted row (0-based): k + 2 + #{i : r_i - i < k + 2}, where r_1 < r_2 < …
        # are the rejected lines; `r_i - i` never decreases, so an ASOF join counts them.
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {kind}_rej_keys_{i} AS SELECT key, max(n) AS n FROM (SELECT "
            f"line - row_number() OVER (ORDER BY line) AS key, row_number() OVER (ORDER BY line) AS n "
            f"FROM (SELECT DISTINCT line FROM {rej_t})) GROUP BY key"
        )
        select = ", ".join(f"t.{_ident(actual)} AS {name}" for name, (actual, _) in cols.items())
        parts.append(
            f"SELECT {select}, {sql_str(str(file))} AS src_file, "
            f"t.rowid + 2 + coalesce(k.n, 0) AS src_row FROM (SELECT rowid, * FROM {table}) t "
            f"ASOF LEFT JOIN {kind}_rej_keys_{i} k ON t.rowid + 2 > k.key"
        )
    con.execute(f"CREATE OR REPLACE TEMP VIEW {kind}_src AS " + " UNION ALL ".join(parts))
    return Source(kind, path, files, "csv", types)
