"""The root Mutation type: reports and reviews, written through :class:`akg.progress.ledger.Ledger`.

Each write is checked in this order, and the first refusal answers (nothing is written):

1. the service keeps reports (started with ``--store DIR``): FORBIDDEN otherwise;
2. a valid token: UNAUTHENTICATED otherwise;
3. the token's role and organisation (a reporter reports on its organisation's instances, a reviewer
   reviews reports addressed to its organisation): FORBIDDEN otherwise;
4. the input (ids of at most 200 characters, a duty instance that exists, SHACL on the new record):
   BAD_USER_INPUT with every problem in ``extensions.messages``.

A write runs in a worker thread, so that validation and the disk sync do not hold up other requests;
the ledger serialises writes, and a write is answered only once it is durable.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import TypeVar

import strawberry
from strawberry.types import Info

from akg.progress.ledger import ReportInput as LedgerReportInput
from akg.progress.records import WriteResult
from graphql_api.schema.auth import credential, ledger, refused
from graphql_api.schema.common import MAX_PAGE, QueryInputError, _text_arg
from graphql_api.schema.progress import ReportNode, ReportStatus, ReviewDecision, forget_reports

T = TypeVar("T")
#: Most reports one submitReports may carry.
MAX_BATCH = MAX_PAGE


@strawberry.input(description="One report on one duty instance.")
class ReportInput:
    obligation: strawberry.ID = strawberry.field(
        description='The obligation, "<document>/<obligation>", e.g. hubei-2022-child-welfare/closing-1.'
    )
    jurisdiction: strawberry.ID = strawberry.field(description="The six-digit division code, e.g. 420100.")
    status: ReportStatus
    summary: str = strawberry.field(
        description="1 to 2,000 characters about the duty; never personal data (no identity or mobile numbers)."
    )
    due: dt.date | None = strawberry.field(
        default=None, description="The occurrence of a recurring deadline (required for those)."
    )
    evidence_url: str | None = strawberry.field(default=None, description="One http(s) URL of the evidence.")
    evidence_sha256: str | None = strawberry.field(
        default=None, description="The SHA-256 of the evidence document: 64 hex digits."
    )
    reported_on: dt.date | None = strawberry.field(
        default=None, description="The date the report was made (default: today, UTC); not in the future."
    )

    def to_ledger(self) -> LedgerReportInput:
        return LedgerReportInput(
            obligation=_text_arg(str(self.obligation), "obligation") or "",
            jurisdiction=_text_arg(str(self.jurisdiction), "jurisdiction") or "",
            status=self.status.value,
            summary=self.summary,
            due=self.due,
            evidence_url=self.evidence_url,
            evidence_sha256=self.evidence_sha256,
            reported_on=self.reported_on,
        )


@strawberry.type(
    name="WriteResult", description="What an accepted write gives back: the report, and the validation Warnings."
)
class WriteResultNode:
    report: ReportNode
    messages: list[str] = strawberry.field(description="Validation messages that did not refuse the write.")


def _result(result: WriteResult) -> WriteResultNode:
    return WriteResultNode(report=ReportNode(record=result.report), messages=list(result.messages))


async def _write(info: Info, write: Callable[[], T]) -> T:
    """``write()`` in a worker thread, its refusals as client errors; this request's later reads see it."""
    try:
        return await asyncio.to_thread(refused, write)
    finally:
        forget_reports(info)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Report on one duty instance (a reporter token of its owner). The report supersedes the "
        "instance's latest; it is committed, with its audit entry, only if valid."
    )
    async def submit_report(self, info: Info, input: ReportInput) -> WriteResultNode:
        target = ledger(info)
        who = credential(info)
        report = input.to_ledger()
        return _result(await _write(info, lambda: target.submit_report(who, report)))

    @strawberry.mutation(
        description=f"Report on several duty instances at once, all or nothing (at most {MAX_BATCH}): one "
        "problem in any report refuses them all, with every problem, each prefixed `report N:`."
    )
    async def submit_reports(self, info: Info, inputs: list[ReportInput]) -> list[WriteResultNode]:
        target = ledger(info)
        who = credential(info)
        if not 1 <= len(inputs) <= MAX_BATCH:
            raise QueryInputError(f"inputs must hold 1 to {MAX_BATCH} reports")
        reports = [i.to_ledger() for i in inputs]
        return [_result(r) for r in await _write(info, lambda: target.submit_reports(who, reports))]

    @strawberry.mutation(
        description="Accept a report, or return it with a comment (a reviewer token of the body its instance's "
        "reports are addressed to). Only an instance's latest report may be reviewed, and only once."
    )
    async def review_report(
        self, info: Info, id: strawberry.ID, decision: ReviewDecision, comment: str | None = None
    ) -> WriteResultNode:
        target = ledger(info)
        who = credential(info)
        report_id = _text_arg(str(id), "id") or ""
        return _result(await _write(info, lambda: target.review_report(who, report_id, decision.value, comment)))
