"""SYNTHETIC progress reports for a synthetic corpus: CSV files that ``akg reports import`` reads, one per bureau.

A report is made by the bureau that owns its duty instance, with that bureau's token, so each reporting bureau
has its own file, ``<owner>.csv`` (``civil-affairs@130100.csv``), beside an ``import.sh`` that issues the
tokens and imports every file into a store folder. Which bureaus report, what each instance's latest status is,
whether it was done on time and when each report was made all follow from the seed: the same seed gives the same
bytes. No report is dated after ``reports.as_of`` of ``akg/synth/synth.yaml`` (so the files do not depend on the
day they are made) nor before the document was signed, and every summary begins with SYNTHETIC.

The instances are those the loader derives (loader/instances.py): each obligation of the Hubei document that
binds the city or county level, in every division at that level, once per due date. They are read off the
shipped graph's Hubei instances and spread over the provinces in scope, as the synthetic documents repeat the
Hubei obligations.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from akg.store import open_store
from akg.synth import HUBEI, MARK, SETTINGS, Say, SynthError, _digest, _read_yaml, _write
from loader.jurisdictions import Jurisdiction, Jurisdictions

COLUMNS = ("obligation", "jurisdiction", "due", "status", "summary", "reported_on")
_LEVELS = ("city", "county")  # as loader/instances.py: a unit at both levels binds once, at the first

_HUBEI_INSTANCES = """
    PREFIX akg: <https://w3id.org/akg/ontology#>
    SELECT ?id ?level ?owner ?due ?signed WHERE {{
      ?i a akg:DutyInstance ; akg:identifier ?id ; akg:dutyLevel ?level ; akg:owner/akg:identifier ?owner ;
         akg:instanceOf/akg:provision/akg:inDocument ?d .
      ?d akg:identifier "{document}" .
      OPTIONAL {{ ?d akg:dateSigned ?signed }}
      OPTIONAL {{ ?i akg:due ?due }}
    }}"""


@dataclass(frozen=True)
class Duty:
    """An obligation of the Hubei document as it binds a level: its id, the sector of its owner, its due dates."""

    obligation: str
    level: str
    sector: str
    dues: tuple[dt.date | None, ...]
    recurring: bool


@dataclass(frozen=True)
class Instance:
    document: str
    obligation: str
    jurisdiction: str
    due: dt.date | None
    owner: str
    recurring: bool

    @property
    def id(self) -> str:
        """As the loader names it: ``<document>/<obligation>@<code>[/<due>]``."""
        suffix = f"/{self.due}" if self.recurring and self.due else ""
        return f"{self.document}/{self.obligation}@{self.jurisdiction}{suffix}"


@dataclass(frozen=True)
class Reports:
    """What :func:`write_reports` wrote: the folder, the bureaus that report and how many reports."""

    folder: Path
    bureaus: list[str]
    reports: int


def hubei_duties(document: str) -> tuple[list[Duty], dt.date]:
    """The Hubei document's duties by level, as the shipped graph's instances show them, and its signing date."""
    rows = open_store().select(_HUBEI_INSTANCES.format(document=document))
    if not rows:
        raise SynthError(f"the shipped graph has no duty instances of {document}")
    dues: dict[tuple[str, str, str], set[dt.date | None]] = defaultdict(set)
    recurring: set[str] = set()
    signed = dt.date(2022, 8, 30)
    for row in rows:
        obligation, rest = str(row["id"]).split("/", 1)[1].split("@", 1)  # <document>/<obligation>@<code>[/<due>]
        level = str(row["level"]).rsplit("/", 1)[-1]
        dues[(obligation, level, str(row["owner"]).split("@", 1)[0])].add(row["due"])  # type: ignore[arg-type]
        if "/" in rest:
            recurring.add(obligation)
        if isinstance(row["signed"], dt.date):
            signed = row["signed"]
    duties = [
        Duty(obligation, level, sector, tuple(sorted(found, key=str)), obligation in recurring)
        for (obligation, level, sector), found in sorted(dues.items())
    ]
    return duties, signed


def instances(duties: Sequence[Duty], jurisdictions: Jurisdictions, documents: dict[str, str]) -> list[Instance]:
    """Every duty instance of ``duties`` in each province of ``documents`` (province code -> document id)."""
    by_province: dict[str, list[Jurisdiction]] = defaultdict(list)
    for j in jurisdictions.by_code.values():
        by_province[_province(j, jurisdictions)].append(j)
    found = []
    for province, document in sorted(documents.items()):
        within = by_province[province]
        for obligation in sorted({d.obligation for d in duties}):
            seen: set[str] = set()
            for level in _LEVELS:
                for duty in (d for d in duties if d.obligation == obligation and d.level == level):
                    for j in within:
                        if level not in j.levels or j.code in seen:
                            continue
                        seen.add(j.code)
                        owner = f"{duty.sector}@{j.code}"
                        found += [
                            Instance(document, obligation, j.code, due, owner, duty.recurring) for due in duty.dues
                        ]
    return found


def _province(j: Jurisdiction, jurisdictions: Jurisdictions) -> str:
    while j.parent is not None:
        j = jurisdictions.by_code[j.parent]
    return j.code


def write_reports(
    folder: Path,
    jurisdictions: Jurisdictions,
    provinces: Sequence[str],
    seed: int,
    bureaus_per_province: int = 2,
    say: Say = lambda _m: None,
) -> Reports:
    """Write the synthetic reports of ``bureaus_per_province`` bureaus of each province into ``folder``.

    ``folder`` must be missing or empty. Raises :class:`SynthError` when it is not.
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise SynthError(f"{folder} exists and is not an empty folder: give a new one")
    settings = _read_yaml(SETTINGS)
    rules = settings["reports"]
    say("reading the Hubei document's duty instances")
    duties, signed = hubei_duties(settings["source_document"])
    documents = {
        code: settings["source_document"] if code == HUBEI else settings["document_id"].format(code=code)
        for code in provinces
    }
    by_owner: dict[str, list[Instance]] = defaultdict(list)
    for instance in instances(duties, jurisdictions, documents):
        by_owner[instance.owner].append(instance)
    chosen = []
    for province in sorted(provinces):
        chosen += _sample(by_owner, jurisdictions, province, seed)[:bureaus_per_province]
    say(f"writing the reports of {len(chosen)} bureaus")
    count = 0
    for owner in sorted(chosen):
        rows = [row for i in sorted(by_owner[owner], key=lambda i: i.id) for row in _reports(i, rules, signed, seed)]
        if rows:
            _write(folder / f"{owner}.csv", _csv(rows))
            count += len(rows)
    written = sorted(p.stem for p in folder.glob("*.csv")) if folder.is_dir() else []
    _write(folder / "README.md", _readme(seed, written, count))
    _write(folder / "import.sh", _IMPORT)
    (folder / "import.sh").chmod(0o755)
    return Reports(folder, written, count)


def _sample(by_owner: dict[str, list[Instance]], jurisdictions: Jurisdictions, province: str, seed: int) -> list[str]:
    """The bureaus of ``province`` that own instances, in the order they are chosen: a city's and a county's in
    turn (a city bureau owns more kinds of duty), each level in an order the seed fixes."""
    levels: dict[str, list[str]] = {level: [] for level in _LEVELS}
    for owner in by_owner:
        j = jurisdictions.by_code[owner.split("@", 1)[1]]
        if _province(j, jurisdictions) == province:
            levels[j.level].append(owner)
    ordered = [sorted(owners, key=lambda o: _digest(seed, o)) for owners in levels.values()]
    return [o for turn in itertools.zip_longest(*ordered) for o in turn if o is not None]


def _fraction(digest: bytes, n: int) -> float:
    """The n-th number in [0, 1) that ``digest`` gives (n < 16)."""
    return int.from_bytes(digest[2 * n : 2 * n + 2], "big") / 65536


def _reports(instance: Instance, rules: dict, signed: dt.date, seed: int) -> list[dict[str, str]]:
    """An instance's reports, oldest first (the later supersedes the earlier), or none."""
    as_of = rules["as_of"]
    due = instance.due
    if due is not None and due > as_of:
        return []
    digest = _digest(seed, instance.id)
    status, edge = None, 0.0
    for name, share in rules["statuses"].items():
        edge += share
        if _fraction(digest, 0) < edge:
            status = name
            break
    if status is None:
        return []
    first, last = signed + dt.timedelta(days=1), as_of
    target = due or as_of
    if status == "done" and _fraction(digest, 1) < rules["late"]:
        day = target + dt.timedelta(days=1 + int(_fraction(digest, 2) * 90))
    else:
        day = target - dt.timedelta(days=int(_fraction(digest, 2) * 30))
    day = min(max(day, first), last)
    made = [(status, day)]
    if status == "done" and _fraction(digest, 3) < rules["history"]:
        earlier = max(day - dt.timedelta(days=10 + int(_fraction(digest, 4) * 50)), first)
        made.insert(0, ("in-progress", earlier))
    return [
        {
            "obligation": f"{instance.document}/{instance.obligation}",
            "jurisdiction": instance.jurisdiction,
            "due": due.isoformat() if due else "",
            "status": name,
            "summary": rules["summaries"][name].format(seed=seed),
            "reported_on": when.isoformat(),
        }
        for name, when in made
    ]


def _csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


_IMPORT = f"""#!/bin/sh
# {MARK} reports made by akg synth: not reports of any real bureau (see README.md beside this file).
# Imports every <bureau>.csv of this folder into a store folder, each with a reporter token issued for its bureau.
# Usage: import.sh STORE [URL]   (with URL, e.g. http://127.0.0.1:8000, through the server holding STORE)
set -eu
store=$1
url=${{2:-}}
here=$(dirname "$0")
for file in "$here"/*.csv; do
  org=$(basename "$file" .csv)
  AKG_TOKEN=$(akg token issue --org "$org" --role reporter --store "$store")
  export AKG_TOKEN
  if [ -n "$url" ]; then
    akg reports import "$file" --url "$url"
  else
    akg reports import "$file" --store "$store"
  fi
done
"""


def _readme(seed: int, bureaus: list[str], count: int) -> str:
    return f"""# {MARK} progress reports

Made by `akg synth --reports` with seed {seed}: {count} reports of {len(bureaus)} bureaus on the duty
instances of a synthetic corpus. They are not reports of any real bureau; every summary begins with
{MARK}. Each `<bureau>.csv` is a sheet for `akg reports import`, made with that bureau's reporter token.

Fill a store folder (made by `akg serve --store STORE --data DATA`, with DATA the synthetic data folder):

    sh import.sh STORE                          # the server stopped
    sh import.sh STORE http://127.0.0.1:8000    # through the running server
"""
