"""Bearer tokens: shown once, stored as a hash, refused with the right reason; the ``akg token`` commands."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from akg.progress.errors import InvalidInput, Unauthenticated
from akg.progress.layout import StoreLayout
from akg.progress.tokens import Credential, Role, TokenRegistry, UnknownToken
from akg_cli import main
from tests.conftest import FIXTURE_DATA

TOKEN_LINE = re.compile(r"akg_[0-9a-f]{10}_[A-Za-z0-9_-]{43}\n")
AKG = "https://w3id.org/akg/ontology#"
ORGANIZATIONS = ("civil-affairs@420100", "civil-affairs@420200", "hubei-child-welfare-office")


@pytest.fixture
def registry(tmp_path: Path) -> TokenRegistry:
    return TokenRegistry(tmp_path / "tokens.sqlite")


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """A store folder whose graph holds three organisations (and nothing else: the check reads what is there)."""
    layout = StoreLayout(tmp_path / "store")
    layout.root.mkdir()
    graph = ox.Store(str(layout.oxigraph))
    for org in ORGANIZATIONS:
        node = ox.NamedNode(f"https://w3id.org/akg/id/org/{org}")
        graph.add(
            ox.Quad(
                node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(AKG + "Department")
            )
        )
        graph.add(ox.Quad(node, ox.NamedNode(AKG + "identifier"), ox.Literal(org)))
    del graph
    return layout.root


def secret_of(text: str) -> str:
    return text.split("_", 2)[2]


# -- the registry --------------------------------------------------------------------------------------------


def test_an_issued_token_authenticates_as_its_organisation_and_role(registry: TokenRegistry) -> None:
    issued = registry.issue("civil-affairs@420100", Role.REPORTER)
    assert TOKEN_LINE.fullmatch(issued.text + "\n")
    assert registry.authenticate(issued.text) == Credential(issued.record.id, "civil-affairs@420100", Role.REPORTER)
    assert registry.authenticate(f"  {issued.text}\n").org == "civil-affairs@420100"  # pasted with white space
    assert [r.id for r in registry.list()] == [issued.record.id]
    assert registry.list()[0].last_used is not None


def test_only_a_hash_of_the_secret_is_stored(registry: TokenRegistry) -> None:
    issued = [registry.issue("civil-affairs@420100", role) for role in Role]
    files = b"".join(p.read_bytes() for p in registry.path.parent.iterdir())
    for token in issued:
        secret = secret_of(token.text)
        assert secret.encode() not in files
        assert token.text.encode() not in files
        assert hashlib.sha256(secret.encode()).hexdigest().encode() in files
    assert oct(registry.path.stat().st_mode & 0o777) == oct(0o600)


def test_records_never_carry_the_secret_or_its_hash(registry: TokenRegistry) -> None:
    issued = registry.issue("civil-affairs@420100", "reviewer")
    shown = repr(registry.list()) + repr(registry.get(issued.record.id))
    assert secret_of(issued.text) not in shown
    assert "sha256" not in shown


@pytest.mark.parametrize(
    "text",
    [
        "akg_0123456789",
        "Bearer akg_0123456789_" + "a" * 43,
        "akg_0123456789_" + "a" * 42,
        "akg_0123456789_" + "a" * 43 + "=",
        "akg_ABCDEF6789_" + "a" * 43,
        "akg_0123456789_" + "a" * 40 + "'--",
        "xyz_0123456789_" + "a" * 43,
    ],
)
def test_a_malformed_token_is_refused_as_malformed(registry: TokenRegistry, text: str) -> None:
    with pytest.raises(Unauthenticated) as refused:
        registry.authenticate(text)
    assert (refused.value.reason, refused.value.code) == ("malformed", "UNAUTHENTICATED")


@pytest.mark.parametrize("text", [None, "", "   "])
def test_no_token_is_refused_as_missing(registry: TokenRegistry, text: str | None) -> None:
    with pytest.raises(Unauthenticated) as refused:
        registry.authenticate(text)
    assert refused.value.reason == "missing"


def test_an_unknown_id_and_a_wrong_secret_are_both_unknown_and_echo_no_secret(registry: TokenRegistry) -> None:
    issued = registry.issue("civil-affairs@420100", Role.REPORTER)
    token_id, secret = issued.record.id, secret_of(issued.text)
    wrong_secret = f"akg_{token_id}_{secret[:-1]}{'B' if secret[-1] == 'A' else 'A'}"
    unknown_id = f"akg_{'0' * 10 if token_id != '0' * 10 else '1' * 10}_{secret}"
    for text in (wrong_secret, unknown_id):
        with pytest.raises(Unauthenticated) as refused:
            registry.authenticate(text)
        assert refused.value.reason == "unknown"
        assert secret[:8] not in refused.value.message


def test_a_revoked_token_is_refused_as_revoked(registry: TokenRegistry) -> None:
    issued = registry.issue("civil-affairs@420100", Role.REVIEWER)
    other = registry.issue("civil-affairs@420100", Role.REVIEWER)
    revoked = registry.revoke(issued.record.id)
    assert revoked.revoked is not None and revoked.status() == "revoked"
    with pytest.raises(Unauthenticated) as refused:
        registry.authenticate(issued.text)
    assert refused.value.reason == "revoked"
    assert issued.record.id in refused.value.message and secret_of(issued.text) not in refused.value.message
    assert registry.authenticate(other.text).token_id == other.record.id  # the other token is untouched
    assert registry.revoke(issued.record.id).revoked == revoked.revoked  # revoking again keeps the first time


def test_a_token_is_valid_through_its_expiry_day_utc(registry: TokenRegistry) -> None:
    last_day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3)
    issued = registry.issue("civil-affairs@420100", Role.REPORTER, expires=last_day)
    end_of_day = dt.datetime.combine(last_day, dt.time(23, 59, 59), dt.UTC)
    assert registry.authenticate(issued.text, now=end_of_day).org == "civil-affairs@420100"
    # 08:00 in Beijing on the next day is still the last day in UTC
    beijing = dt.timezone(dt.timedelta(hours=8))
    assert registry.authenticate(issued.text, now=end_of_day.astimezone(beijing)).token_id == issued.record.id
    with pytest.raises(Unauthenticated) as refused:
        registry.authenticate(issued.text, now=end_of_day + dt.timedelta(seconds=1))
    assert refused.value.reason == "expired"
    assert str(last_day) in refused.value.message


def test_revoking_an_unknown_id_names_the_id(registry: TokenRegistry) -> None:
    with pytest.raises(UnknownToken, match="'deadbeef00'"):
        registry.revoke("deadbeef00")


def test_issue_refuses_a_past_expiry_an_unknown_role_and_an_empty_org_all_at_once(registry: TokenRegistry) -> None:
    with pytest.raises(InvalidInput) as refused:
        registry.issue(" ", "boss", expires=dt.date(2020, 1, 1))
    assert refused.value.code == "BAD_USER_INPUT"
    assert len(refused.value.messages) == 3
    assert not registry.list()


_ISSUE_MANY = """
import sys
from pathlib import Path
from akg.progress.tokens import TokenRegistry
registry = TokenRegistry(Path(sys.argv[1]))
for n in range(int(sys.argv[2])):
    print(registry.issue(f"org-{sys.argv[3]}", "reporter").text, flush=True)
"""


def test_two_processes_issuing_at_once_lose_no_token(registry: TokenRegistry) -> None:
    count = 25
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _ISSUE_MANY, str(registry.path), str(count), name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    outputs = [writer.communicate(timeout=120) for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], [err for _, err in outputs]
    texts = [line for out, _ in outputs for line in out.splitlines()]
    assert len(texts) == 2 * count
    assert len(registry.list()) == 2 * count
    assert {registry.authenticate(text).org for text in texts} == {"org-a", "org-b"}


# -- the command -------------------------------------------------------------------------------------------


def issue(store: Path, *extra: str) -> list[str]:
    return ["token", "issue", "--store", str(store), *extra]


def test_cli_issue_prints_exactly_one_line_the_token(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(issue(store_dir, "--org", "civil-affairs@420100", "--role", "reporter", "--expires", "2099-12-31")) == 0
    out, err = capsys.readouterr()
    assert TOKEN_LINE.fullmatch(out)
    credential = TokenRegistry(StoreLayout(store_dir).tokens).authenticate(out)
    assert (credential.org, credential.role) == ("civil-affairs@420100", Role.REPORTER)
    assert credential.token_id in err and secret_of(out.strip()) not in err


def test_cli_list_shows_status_and_never_a_secret(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    texts = []
    for org in ORGANIZATIONS:
        assert main(issue(store_dir, "--org", org, "--role", "reviewer")) == 0
        texts.append(capsys.readouterr().out.strip())
    revoked_id = texts[0].split("_")[1]
    assert main(["token", "revoke", revoked_id, "--store", str(store_dir)]) == 0
    assert revoked_id in capsys.readouterr().out
    assert main(["token", "list", "--store", str(store_dir)]) == 0
    table = capsys.readouterr().out
    assert main(["token", "list", "--store", str(store_dir), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    for text in texts:
        assert secret_of(text)[:8] not in table + json.dumps(rows)
    assert {row["id"]: row["status"] for row in rows}[revoked_id] == "revoked"
    assert sorted(row["org"] for row in rows) == sorted(ORGANIZATIONS)
    assert table.splitlines()[0].split()[:3] == ["id", "org", "role"]
    assert len(table.splitlines()) == 1 + len(ORGANIZATIONS)
    assert re.search(rf"^{revoked_id}\s.*\srevoked\s", table, re.MULTILINE)


def test_cli_store_defaults_to_the_environment(
    store_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AKG_STORE", str(store_dir))
    assert main(["token", "issue", "--org", "hubei-child-welfare-office", "--role", "admin"]) == 0
    capsys.readouterr()
    assert main(["token", "list", "--format", "json"]) == 0
    assert [row["org"] for row in json.loads(capsys.readouterr().out)] == ["hubei-child-welfare-office"]
    assert StoreLayout(store_dir).tokens.exists()


def test_cli_unknown_org_exits_2_with_suggestions_and_issues_nothing(
    store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(issue(store_dir, "--org", "civil-afairs@420100", "--role", "reporter")) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "'civil-afairs@420100'" in err and "Did you mean: civil-affairs@420100" in err
    assert "Traceback" not in err
    assert not StoreLayout(store_dir).tokens.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--org", "civil-affairs@420100", "--role", "boss"], "invalid choice: 'boss'"),
        (["--org", "civil-affairs@420100", "--role", "admin", "--expires", "31/12/2099"], "not a date (YYYY-MM-DD)"),
        (["--org", "civil-affairs@420100", "--role", "admin", "--expires", "2001-01-01"], "is already past"),
    ],
)
def test_cli_bad_input_is_a_message_and_exit_2(
    store_dir: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    try:
        status = main(issue(store_dir, *arguments))
    except SystemExit as exit:  # argparse's own refusals
        status = exit.code
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert message in err and "Traceback" not in err


def test_cli_revoke_of_an_unknown_id_exits_2_naming_it(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "revoke", "0000000000", "--store", str(store_dir)]) == 2
    assert "'0000000000'" in capsys.readouterr().err


def test_cli_issue_reads_the_graph_while_a_server_holds_the_store(
    store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with holding(StoreLayout(store_dir)):
        assert main(issue(store_dir, "--org", "civil-affairs@420200", "--role", "reporter")) == 0
    assert TOKEN_LINE.fullmatch(capsys.readouterr().out)


def test_cli_issue_checks_the_data_folder_when_the_store_has_no_graph_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "new-store"
    assert main(issue(empty, "--data", str(FIXTURE_DATA), "--org", "test-county-education", "--role", "reporter")) == 0
    out, err = capsys.readouterr()
    assert TOKEN_LINE.fullmatch(out) and "holds no graph yet" in err
    assert main(issue(empty, "--data", str(FIXTURE_DATA), "--org", "civil-affairs@420100", "--role", "reporter")) == 2


_HOLD = """
import sys, pyoxigraph
store = pyoxigraph.Store(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
"""


@contextlib.contextmanager
def holding(layout: StoreLayout) -> Iterator[None]:
    """Another process holds the store's graph open for writing, as a running server does."""
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(layout.oxigraph)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == "holding\n"
        yield
    finally:
        process.communicate(timeout=30)
