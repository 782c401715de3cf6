"""The root Query type: every read of the accountability graph."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from akg.accountability import Profile
from graphql_api.schema.common import (
    MAX_PAGE,
    DeadlineKind,
    OrganizationKind,
    QueryInputError,
    Role,
    _acc,
    _checked,
    _role,
    _text_arg,
)
from graphql_api.schema.types import (
    CitedDocument,
    ConceptNode,
    Coverage,
    Document,
    JurisdictionNode,
    ObligationConnection,
    ObligationNode,
    OrganizationNode,
    Pathway,
    ProcedureNode,
    ProvisionNode,
    Responsibility,
    ResponsibilityMatrixNode,
    SearchResult,
    Validation,
    paginate,
)


def _ids(name: str, values: list[strawberry.ID] | None) -> list[str] | None:
    """A list argument, capped at MAX_PAGE ids."""
    if values is not None and len(values) > MAX_PAGE:
        raise QueryInputError(f"{name} lists more than {MAX_PAGE} ids")
    return None if values is None else [str(v) for v in values]


def _kinds(values: list[OrganizationKind] | None) -> list[str] | None:
    return None if values is None else [k.value for k in values]


@strawberry.input(
    description="A child's situation, for a pathway. It is only a query input: the service never stores or logs it."
)
class PathwayProfile:
    target_groups: list[strawberry.ID] = strawberry.field(
        description="The child's groups (an orphan with a disability is both)."
    )
    age: int | None = strawberry.field(default=None, description="Age in whole years, checked against the texts.")
    level: strawberry.ID | None = strawberry.field(
        default=None, description="The level of the child's place (county...): bodies are resolved to it."
    )
    jurisdiction: strawberry.ID | None = strawberry.field(
        default=None,
        description="The six-digit code of the child's division (420102): bodies named as a collective (县级民政部门) "
        "are resolved to that division's body, or its city's for a city-level collective. Without a level, the "
        "division's lowest level is used.",
    )


@strawberry.type
class Query:
    @strawberry.field(description="An organisation by id.")
    def organization(self, info: Info, id: strawberry.ID) -> OrganizationNode | None:
        found = _acc(info).organization(id)
        return OrganizationNode(record=found) if found else None

    @strawberry.field(description="Organisations of a sector, level and kind, by id.")
    def organizations(
        self,
        info: Info,
        sector: strawberry.ID | None = None,
        level: strawberry.ID | None = None,
        kind: OrganizationKind | None = None,
    ) -> list[OrganizationNode]:
        found = _checked(lambda: _acc(info).organizations(sector, level, kind.value if kind else None))
        return [OrganizationNode(record=o) for o in found]

    @strawberry.field(
        description="Administrative divisions in code order: at a level (the directly administered units at both "
        "city and county), directly within a parent division. An unknown level or parent is an error."
    )
    def jurisdictions(
        self, info: Info, level: strawberry.ID | None = None, parent: strawberry.ID | None = None
    ) -> list[JurisdictionNode]:
        found = _checked(lambda: _acc(info).jurisdictions(level, parent))
        return [JurisdictionNode(code=j.id) for j in found]

    @strawberry.field(description="An administrative division by its six-digit code (420100 is Wuhan).")
    def jurisdiction(self, info: Info, id: strawberry.ID) -> JurisdictionNode | None:
        found = _acc(info).jurisdiction(id)
        return JurisdictionNode(code=found.id) if found else None

    @strawberry.field(description="The sectors, in vocabulary order.")
    def sectors(self, info: Info) -> list[ConceptNode]:
        return [ConceptNode(record=c) for c in _acc(info).concepts("sectors")]

    @strawberry.field(description="The administrative levels, province to village.")
    def levels(self, info: Info) -> list[ConceptNode]:
        return [ConceptNode(record=c) for c in _acc(info).concepts("levels")]

    @strawberry.field(description="The target groups.")
    def target_groups(self, info: Info) -> list[ConceptNode]:
        return [ConceptNode(record=c) for c in _acc(info).concepts("groups")]

    @strawberry.field(description="The child needs: a tree, each right followed by its narrower needs.")
    def needs(self, info: Info, top: bool = False) -> list[ConceptNode]:
        return [ConceptNode(record=c) for c in _acc(info).concepts("needs") if not top or c.broader is None]

    @strawberry.field(description="The institutional capacities.")
    def capacities(self, info: Info) -> list[ConceptNode]:
        return [ConceptNode(record=c) for c in _acc(info).concepts("capacities")]

    @strawberry.field(description="The RASCI roles, lead first.")
    def roles(self, info: Info) -> list[ConceptNode]:
        return [ConceptNode(record=c) for c in _acc(info).concepts("roles")]

    @strawberry.field(description="The kinds of deadline, with their labels and definitions.")
    def deadline_kinds(self, info: Info) -> list[ConceptNode]:
        return [ConceptNode(record=c) for c in _acc(info).concepts("deadline-kinds")]

    @strawberry.field(description='An obligation by id ("<document-id>/<obligation-id>").')
    def obligation(self, info: Info, id: strawberry.ID) -> ObligationNode | None:
        found = _acc(info).obligation(id)
        return ObligationNode(record=found) if found else None

    @strawberry.field(
        description="Obligations matching every filter, in document order. need takes in narrower needs; "
        "level takes in duties addressed to all levels or to no level in particular; targetGroup and "
        "targetGroups are strict (tagged with one of them); sector, organization and role must hold in one "
        "assignment; dueBefore/dueAfter (inclusive) look at every dated instance of a deadline; deadlineKind "
        "picks one kind (NONE_STATED: the duties the policy gives no deadline); ownerKinds keeps duties with "
        "an owner of those kinds; document narrows to those documents (default: all); text is a "
        "case-insensitive substring of the quoted text (Chinese or English) or of the English action."
    )
    def obligations(
        self,
        info: Info,
        need: strawberry.ID | None = None,
        sector: strawberry.ID | None = None,
        organization: strawberry.ID | None = None,
        target_group: strawberry.ID | None = None,
        level: strawberry.ID | None = None,
        role: Role | None = None,
        modality: strawberry.ID | None = None,
        due_before: dt.date | None = None,
        due_after: dt.date | None = None,
        text: str | None = None,
        first: int | None = None,
        after: str | None = None,
        document: list[strawberry.ID] | None = None,
        capacity: strawberry.ID | None = None,
        deadline_kind: DeadlineKind | None = None,
        target_groups: list[strawberry.ID] | None = None,
        owner_kinds: list[OrganizationKind] | None = None,
    ) -> ObligationConnection:
        _text_arg(text, "text")
        documents, groups = _ids("document", document), _ids("targetGroups", target_groups)
        records = _checked(
            lambda: _acc(info).obligations(
                need=need,
                sector=sector,
                organization=organization,
                target_group=target_group,
                level=level,
                role=role.value if role else None,
                modality=modality,
                due_before=due_before,
                due_after=due_after,
                text=text,
                document=documents,
                capacity=capacity,
                deadline_kind=deadline_kind.value if deadline_kind else None,
                target_groups=groups,
                owner_kinds=_kinds(owner_kinds),
            )
        )
        return paginate(records, first, after)

    @strawberry.field(
        description="Who leads, who supports: every organisation holding a role in the duties serving a need "
        "(a broad need takes in its narrower ones) or concerning a capacity (need may name a capacity: "
        '"funding"), across every document unless document narrows them, leads first. targetGroup and '
        "targetGroups take in duties for any of the groups and those tagged with no group (an orphan with a "
        "disability is both); level takes in duties addressed to all levels or to no level in particular; "
        "ownerKinds keeps owners of those kinds (e.g. [DEPARTMENT, GOVERNMENT] for government bodies only)."
    )
    def responsible_for(
        self,
        info: Info,
        need: strawberry.ID | None = None,
        target_group: strawberry.ID | None = None,
        level: strawberry.ID | None = None,
        capacity: strawberry.ID | None = None,
        target_groups: list[strawberry.ID] | None = None,
        document: list[strawberry.ID] | None = None,
        owner_kinds: list[OrganizationKind] | None = None,
    ) -> list[Responsibility]:
        documents, groups = _ids("document", document), _ids("targetGroups", target_groups)
        found = _checked(
            lambda: _acc(info).responsible_for(
                need,
                target_group,
                level,
                capacity=capacity,
                target_groups=groups,
                document=documents,
                owner_kinds=_kinds(owner_kinds),
            )
        )
        return [
            Responsibility(
                organization=OrganizationNode(record=e.organization),
                role=_role(e.role),
                obligations=[ObligationNode(record=o) for o in e.obligations],
            )
            for e in found
        ]

    @strawberry.field(description="For every need and capacity: its leads, duty count, supporting sectors, gaps.")
    def coverage(
        self, info: Info, level: strawberry.ID | None = None, document: list[strawberry.ID] | None = None
    ) -> list[Coverage]:
        documents = _ids("document", document)
        return [Coverage(entry=e) for e in _checked(lambda: _acc(info).coverage(level, documents))]

    @strawberry.field(description="The RASCI matrix: sectors (rows) against needs or capacities (columns).")
    def responsibility_matrix(
        self,
        info: Info,
        needs: list[strawberry.ID] | None = None,
        sectors: list[strawberry.ID] | None = None,
        level: strawberry.ID | None = None,
        target_group: strawberry.ID | None = None,
        document: list[strawberry.ID] | None = None,
        target_groups: list[strawberry.ID] | None = None,
    ) -> ResponsibilityMatrixNode:
        columns, rows = _ids("needs", needs), _ids("sectors", sectors)
        documents, groups = _ids("document", document), _ids("targetGroups", target_groups)
        matrix = _checked(
            lambda: _acc(info).responsibility_matrix(
                columns, rows, level, target_group, document=documents, target_groups=groups
            )
        )
        return ResponsibilityMatrixNode(record=matrix)

    @strawberry.field(
        description="The procedures the documents set out (application, checking, confirmation...), in document "
        "order; need takes in narrower needs."
    )
    def procedures(
        self,
        info: Info,
        document: strawberry.ID | None = None,
        need: strawberry.ID | None = None,
        target_group: strawberry.ID | None = None,
    ) -> list[ProcedureNode]:
        found = _checked(lambda: _acc(info).procedures(document, need, target_group))
        return [ProcedureNode(record=p) for p in found]

    @strawberry.field(
        description="One child's pathway: the conditions the texts state for the child's groups, the needs and "
        "duties owed (across all documents, bodies resolved to the child's level), and each procedure that "
        "applies with every step's latest due date counted from start on China's working-day calendar."
    )
    def pathway(self, info: Info, profile: PathwayProfile, start: dt.date | None = None) -> Pathway:
        groups = _ids("targetGroups", profile.target_groups) or []
        wanted = Profile(tuple(groups), profile.age, profile.level, profile.jurisdiction)
        return Pathway(pathway=_checked(lambda: _acc(info).pathway(wanted, start)))

    @strawberry.field(description="The policy documents.")
    def documents(self, info: Info) -> list[Document]:
        return [Document(record=d) for d in _acc(info).documents()]

    @strawberry.field
    def document(self, info: Info, id: strawberry.ID) -> Document | None:
        found = _acc(info).document(id)
        return Document(record=found) if found else None

    @strawberry.field(description="A provision by number (without a document: the first document holding it).")
    def provision(self, info: Info, number: str, document: strawberry.ID | None = None) -> ProvisionNode | None:
        found = _checked(lambda: _acc(info).provision(number, document))
        return ProvisionNode(record=found) if found else None

    @strawberry.field(description="Every provision (of one document), in document order.")
    def provisions(self, info: Info, document: strawberry.ID | None = None) -> list[ProvisionNode]:
        return [ProvisionNode(record=p) for p in _checked(lambda: _acc(info).provisions(document))]

    @strawberry.field(description="The documents, laws and plans the policy documents cite.")
    def citations(self, info: Info) -> list[CitedDocument]:
        return [CitedDocument(record=c) for c in _acc(info).cited_documents()]

    @strawberry.field(description="Provisions and obligations whose text holds `text` (case-insensitive).")
    def search(self, info: Info, text: str) -> SearchResult:
        found = _acc(info).search(_text_arg(text, "text") or "")
        return SearchResult(
            provisions=[ProvisionNode(record=p) for p in found.provisions],
            obligations=[ObligationNode(record=o) for o in found.obligations],
        )

    @strawberry.field(description="The SHACL validation report of the served graph.")
    def validation(self, info: Info) -> Validation | None:
        return info.context.get("validation_view")
