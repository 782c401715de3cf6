"""The root Query type: every read of the accountability graph."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from graphql_api.schema.common import (
    MAX_PAGE,
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
    ObligationConnection,
    ObligationNode,
    OrganizationNode,
    ProvisionNode,
    Responsibility,
    ResponsibilityMatrixNode,
    SearchResult,
    Validation,
    paginate,
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

    @strawberry.field(description='An obligation by id ("<document-id>/<obligation-id>").')
    def obligation(self, info: Info, id: strawberry.ID) -> ObligationNode | None:
        found = _acc(info).obligation(id)
        return ObligationNode(record=found) if found else None

    @strawberry.field(
        description="Obligations matching every filter, in document order. need takes in narrower needs; "
        "level takes in duties addressed to all levels or to no level in particular; targetGroup is strict; "
        "sector, organization and role must hold in one assignment; dueBefore/dueAfter (inclusive) look at "
        "every instance of a recurring deadline; text is a case-insensitive substring of the text or action."
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
    ) -> ObligationConnection:
        _text_arg(text, "text")
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
            )
        )
        return paginate(records, first, after)

    @strawberry.field(
        description="Who leads, who supports: every organisation holding a role in the duties serving a need "
        "(a broad need takes in its narrower ones), leads first. targetGroup takes in duties tagged with no "
        "group; level takes in duties addressed to all levels or to no level in particular."
    )
    def responsible_for(
        self,
        info: Info,
        need: strawberry.ID,
        target_group: strawberry.ID | None = None,
        level: strawberry.ID | None = None,
    ) -> list[Responsibility]:
        found = _checked(lambda: _acc(info).responsible_for(need, target_group, level))
        return [
            Responsibility(
                organization=OrganizationNode(record=e.organization),
                role=_role(e.role),
                obligations=[ObligationNode(record=o) for o in e.obligations],
            )
            for e in found
        ]

    @strawberry.field(description="For every need and capacity: its leads, duty count, supporting sectors, gaps.")
    def coverage(self, info: Info, level: strawberry.ID | None = None) -> list[Coverage]:
        return [Coverage(entry=e) for e in _checked(lambda: _acc(info).coverage(level))]

    @strawberry.field(description="The RASCI matrix: sectors (rows) against needs or capacities (columns).")
    def responsibility_matrix(
        self,
        info: Info,
        needs: list[strawberry.ID] | None = None,
        sectors: list[strawberry.ID] | None = None,
        level: strawberry.ID | None = None,
        target_group: strawberry.ID | None = None,
    ) -> ResponsibilityMatrixNode:
        for name, values in (("needs", needs), ("sectors", sectors)):
            if values is not None and len(values) > MAX_PAGE:
                raise QueryInputError(f"{name} lists more than {MAX_PAGE} ids")
        matrix = _checked(lambda: _acc(info).responsibility_matrix(needs, sectors, level, target_group))
        return ResponsibilityMatrixNode(record=matrix)

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
