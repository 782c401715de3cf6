"""Hubei's administrative divisions as jurisdictions, their civil-affairs bureaus, the queries and the pathway."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal
from rdflib.namespace import SKOS

from akg import resources
from akg.accountability import Accountability, Profile, UnknownIdentifier
from graphql_api.schema import make_context, schema
from loader.build import load_data_folder, new_graph
from loader.errors import LoadError, ProblemLog
from loader.jurisdictions import Jurisdictions, load_jurisdictions
from loader.namespaces import AKG, organization_iri
from loader.registry import load_organizations
from loader.vocabulary import read_ontology, vocabulary_from

DIRECT = ["429004", "429005", "429006", "429021"]  # Xiantao, Qianjiang, Tianmen, Shennongjia


@pytest.fixture(scope="module")
def loaded() -> tuple[Jurisdictions, Graph]:
    """The shipped division list as the loader reads it, with the registry it links the bureaus to."""
    vocab = vocabulary_from(read_ontology(resources.ontology_dir()))
    graph, log = new_graph(), ProblemLog()
    organizations = load_organizations(resources.data_dir(), vocab, graph, log)
    found = load_jurisdictions(resources.data_dir(), vocab, organizations, graph, log)
    assert log.problems == []
    return found, graph


@pytest.fixture(scope="module")
def acc(shipped_store) -> Accountability:
    return Accountability.from_store(shipped_store)


def run(acc: Accountability, query: str):
    return schema.execute_sync(query, context_value=make_context(acc))


# -- the division list --------------------------------------------------------------------------------------


def test_hubei_has_17_city_level_and_103_county_level_units(loaded) -> None:
    found, _ = loaded
    assert [j.code for j in found.at_level("province")] == ["420000"]
    assert len(found.at_level("city")) == 17
    assert len(found.at_level("county")) == 103
    assert len(found.by_code) == 1 + 17 + 103 - 4  # the directly administered units are counted at both levels
    both = [j.code for j in found.by_code.values() if j.levels == ("city", "county")]
    assert both == DIRECT
    assert {found.by_code[c].parent for c in DIRECT} == {"420000"}
    assert list(found.by_code) == sorted(found.by_code)  # code order, whatever order the package lists


def test_wuhan_and_its_thirteen_districts(acc: Accountability) -> None:
    wuhan = acc.jurisdiction("420100")
    assert wuhan is not None and wuhan.label("en") == "Wuhan" and wuhan.label("zh") == "武汉市"
    assert wuhan.level == "city" and wuhan.parent == "420000" and wuhan.type("zh") == "地级市"
    districts = acc.jurisdictions(parent="420100")
    assert len(districts) == 13 and all(d.label("en").endswith(" District") for d in districts)
    assert [d.id for d in districts] == list(wuhan.children)


@pytest.mark.parametrize(
    ("code", "english"),
    [
        ("420000", "Hubei"),
        ("420102", "Jiang'an District"),  # GB/T 16159 apostrophe before a syllable starting with a
        ("421202", "Xian'an District"),
        ("421022", "Gong'an County"),
        ("420222", "Yangxin County"),
        ("420281", "Daye"),  # a county-level city drops "City"
        ("420528", "Changyang Tujia Autonomous County"),  # pypinyin reads 长 zhang here
        ("420581", "Yidu"),  # pypinyin reads 都 dou
        ("421303", "Zengdu District"),  # pypinyin reads 曾 ceng
        ("422800", "Enshi Tujia and Miao Autonomous Prefecture"),
        ("429021", "Shennongjia Forestry District"),
    ],
)
def test_english_names_follow_the_official_romanisation(loaded, code: str, english: str) -> None:
    found, _ = loaded
    assert found.by_code[code].en == english


def test_every_division_has_a_name_in_each_language_and_its_type(acc: Accountability) -> None:
    every = acc.jurisdictions()
    assert len(every) == 117
    for j in every:
        assert j.label("en") != j.id and j.label("zh") != j.id, j.id
        assert j.type("zh") and j.type("en"), j.id
    assert acc.jurisdiction("429004").type("zh") == "县级市"


# -- the bureaus --------------------------------------------------------------------------------------------


def test_the_wuhan_civil_affairs_bureau(acc: Accountability, loaded) -> None:
    bureau = acc.organization("civil-affairs@420100")
    assert bureau is not None
    assert bureau.labels == {"en": "Wuhan Civil Affairs Bureau", "zh": "武汉市民政局"}
    assert (bureau.kind, bureau.sector, bureau.level, bureau.jurisdiction) == (
        "DEPARTMENT",
        "civil-affairs",
        "city",
        "420100",
    )
    assert bureau.member_of == ("city-civil-affairs",)
    assert bureau.counterparts == ("hubei-civil-affairs",)
    assert "civil-affairs@420100" in acc.organization("hubei-civil-affairs").counterparts
    _, graph = loaded
    iri = organization_iri("civil-affairs@420100")
    assert str(iri) == "https://w3id.org/akg/id/org/civil-affairs@420100"
    assert (iri, AKG.sourceFile, Literal("jurisdictions.yaml")) in graph


def test_a_county_bureau_and_a_directly_administered_one(acc: Accountability, loaded) -> None:
    county = acc.organization("civil-affairs@420528")
    assert county.labels["en"] == "Changyang Tujia Autonomous County Civil Affairs Bureau"
    assert county.labels["zh"] == "长阳土家族自治县民政局"
    assert county.member_of == ("county-civil-affairs",)
    xiantao = acc.organization("civil-affairs@429004")
    assert xiantao.levels == ("city", "county") and xiantao.level == "city"
    assert xiantao.member_of == ("city-civil-affairs", "county-civil-affairs")
    assert xiantao in acc.organizations(level="county") and xiantao in acc.organizations(level="city")
    found, _ = loaded
    assert found.counterpart("civil-affairs", "420000").id == "hubei-civil-affairs"  # the registry's own
    assert found.counterpart("civil-affairs", "429021").id == "civil-affairs@429021"
    assert len(found.counterparts) == 117


def test_bureaus_are_labelled_like_the_registry(loaded) -> None:
    _, graph = loaded
    bureaus = set(graph.subjects(AKG.jurisdiction, None))
    assert len(bureaus) == 116
    for bureau in bureaus:
        assert {label.language for label in graph.objects(bureau, SKOS.prefLabel)} == {"en", "zh"}


# -- GraphQL ------------------------------------------------------------------------------------------------


def test_graphql_lists_the_divisions_by_level_and_parent(acc: Accountability) -> None:
    result = run(acc, '{ jurisdictions(level: "city") { id label level { id } levels { id } parent { id } } }')
    assert result.errors is None
    cities = result.data["jurisdictions"]
    assert len(cities) == 17
    xiantao = next(c for c in cities if c["id"] == "429004")
    assert xiantao == {
        "id": "429004",
        "label": "Xiantao",
        "level": {"id": "city"},
        "levels": [{"id": "city"}, {"id": "county"}],
        "parent": {"id": "420000"},
    }
    result = run(acc, '{ jurisdictions(parent: "420100") { id label(lang: "zh") type(lang: "zh") } }')
    assert len(result.data["jurisdictions"]) == 13
    assert result.data["jurisdictions"][0] == {"id": "420102", "label": "江岸区", "type": "市辖区"}
    result = run(acc, '{ jurisdiction(id: "422800") { label parent { label } type } }')
    assert result.data["jurisdiction"] == {
        "label": "Enshi Tujia and Miao Autonomous Prefecture",
        "parent": {"label": "Hubei"},
        "type": "autonomous prefecture",
    }
    assert run(acc, '{ jurisdiction(id: "420199") { id } }').data == {"jurisdiction": None}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [('level: "prefecture"', "unknown level 'prefecture'"), ('parent: "4201"', "unknown jurisdiction '4201'")],
)
def test_graphql_refuses_an_unknown_level_or_parent(acc: Accountability, arguments: str, message: str) -> None:
    result = run(acc, f"{{ jurisdictions({arguments}) {{ id }} }}")
    (error,) = result.errors
    assert error.message == message and error.extensions == {"code": "BAD_USER_INPUT"}


# -- pathways -----------------------------------------------------------------------------------------------


def test_a_pathway_in_a_county_names_the_county_bureau(acc: Accountability) -> None:
    pathway = acc.pathway(Profile(("factually-unattended-children",), age=5, jurisdiction="420102"))
    assert pathway.profile.level == "county"  # a county's own level, when none is given
    (confirmation,) = [p for p in pathway.procedures if p.procedure.id == "minfa-2019-62/confirmation"]
    actors = {s.step.id: s.actor for s in confirmation.steps}
    assert actors["confirmation"].organization.id == "civil-affairs@420102"
    assert actors["confirmation"].resolved_from == "county-civil-affairs"
    holders = {h.organization.id: h.resolved_from for d in pathway.duties for h in d.holders}
    assert holders["civil-affairs@420102"] in {"county-civil-affairs", "civil-affairs-departments"}
    assert "county-civil-affairs" not in holders
    assert holders.get("county-education") == "education-departments"  # no education bureaus: the collective stays


def test_a_city_level_collective_resolves_to_the_city_of_a_county(acc: Accountability) -> None:
    holder = acc.resolve_holder("city-civil-affairs", "lead", "city", "420102")
    assert (holder.organization.id, holder.resolved_from) == ("civil-affairs@420100", "city-civil-affairs")
    direct = acc.resolve_holder("county-civil-affairs", "lead", "county", "429005")
    assert direct.organization.id == "civil-affairs@429005"  # Qianjiang's bureau is both
    assert acc.resolve_holder("county-civil-affairs", "lead", "county", "420100").organization.id == (
        "county-civil-affairs"  # a city names no one county
    )


def test_a_pathway_refuses_an_unknown_jurisdiction(acc: Accountability) -> None:
    with pytest.raises(UnknownIdentifier, match="unknown jurisdiction '420199'"):
        acc.pathway(Profile(("orphans",), jurisdiction="420199"))
    result = run(acc, '{ pathway(profile: {targetGroups: ["orphans"], jurisdiction: "420199"}) { needs { id } } }')
    assert result.errors[0].extensions == {"code": "BAD_USER_INPUT"}


# -- input errors -------------------------------------------------------------------------------------------


@pytest.fixture
def data_copy(fixture_data: Path) -> Path:
    """The small fixture data folder with the shipped division list, to break."""
    shutil.copy(resources.data_dir() / "jurisdictions.yaml", fixture_data / "jurisdictions.yaml")
    return fixture_data


def _lines(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_a_bad_override_or_province_is_named_with_file_and_line(data_copy: Path) -> None:
    path = data_copy / "jurisdictions.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('"421303": Zengdu', '"421399": Zengdu').replace('["420000"]', '["420000", "990000"]')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_data_folder(data_copy, resources.ontology_dir())
    messages = [str(p) for p in caught.value.problems]
    override, province = _lines(path, '"421399"'), _lines(path, "990000")
    assert f"jurisdictions.yaml:{override}: unknown division code '421399' in romanisation" in "\n".join(messages)
    assert f"jurisdictions.yaml:{province}: unknown province '990000'" in "\n".join(messages)


def test_an_unknown_sector_or_a_pattern_without_name_is_refused(data_copy: Path) -> None:
    path = data_copy / "jurisdictions.yaml"
    text = path.read_text(encoding="utf-8").replace("sector: civil-affairs", "sector: civil-affair")
    path.write_text(text.replace('en: "{name} Civil Affairs Bureau"', 'en: "Civil Affairs Bureau"'), encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_data_folder(data_copy, resources.ontology_dir())
    text = str(caught.value)
    assert f"jurisdictions.yaml:{_lines(path, 'sector: civil-affair')}: unknown sector 'civil-affair'" in text
    assert "did you mean civil-affairs?" in text
    pattern = _lines(path, 'en: "Civil Affairs Bureau"')
    assert f"jurisdictions.yaml:{pattern}: the en name pattern 'Civil Affairs Bureau' lacks {{name}}" in text


def test_the_fixture_folder_loads_with_and_without_the_division_list(data_copy: Path) -> None:
    graph = load_data_folder(data_copy, resources.ontology_dir())
    assert len(list(graph.subjects(RDF.type, AKG.Jurisdiction))) == 117  # its registry has no collectives to join
    (data_copy / "jurisdictions.yaml").unlink()
    graph = load_data_folder(data_copy, resources.ontology_dir())
    assert not list(graph.subjects(RDF.type, AKG.Jurisdiction))
    assert not list(graph.subjects(AKG.jurisdiction, None))
