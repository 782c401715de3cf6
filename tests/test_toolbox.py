"""The data repository's toolbox: the pre-commit hook, the CI templates and their reports, ``akg init``.

A data repository here is a temporary folder holding ``data/`` (a copy of tests/fixtures/data), the
layout docs/toolbox.md describes; each tool is run the way its host runs it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlparse

import jsonschema
import pytest
import yaml
from junitparser import JUnitXml
from rdflib import Literal

from akg.reports import SRCROOT, SourceRoot, render
from akg.scaffold import ScaffoldError, scaffold_document
from akg.store import build_graph
from akg.validation import Finding, Severity, ValidationReport
from akg_cli import main
from loader.namespaces import AKG

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ROOT / ".pre-commit-hooks.yaml"
TOOLBOX = ROOT / "docs" / "toolbox.md"
GITHUB = ROOT / "docs" / "ci" / "github-actions.yml"
GITLAB = ROOT / "docs" / "ci" / "gitlab-ci.yml"
SARIF_SUBSET_SCHEMA = ROOT / "tests" / "fixtures" / "sarif-2.1.0-subset.json"
BIN = Path(sys.executable).parent  # the environment akg is installed in, as pre-commit's would be

OBLIGATIONS = "documents/county-notice-2024/obligations/all.yaml"


def _tool_env(**extra: str) -> dict[str, str]:
    """The environment a hook or CI step sees: akg's environment first on PATH."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "VIRTUAL_ENV": sys.prefix, **extra}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


@pytest.fixture
def repo(fixture_data: Path) -> Path:
    """A data repository whose data/ conforms: the fixture's one undated duty says the text sets no deadline."""
    _edit(
        fixture_data / OBLIGATIONS,
        "    capacities: [records-and-data]\n",
        "    capacities: [records-and-data]\n    deadline: none\n",
    )
    return fixture_data.parent


def _plant(repo: Path, defect: str) -> None:
    obligations = repo / "data" / OBLIGATIONS
    if defect == "violation":  # an obligation with no deadline decided
        _edit(obligations, "    deadline: none\n", "")
    elif defect == "input error":  # an owner the registry does not hold
        _edit(obligations, "org: test-county-education, role: lead", "org: test-county-schools, role: lead")


# -- pre-commit -----------------------------------------------------------------------------------


def _hook() -> dict[str, object]:
    (hook,) = [h for h in yaml.safe_load(HOOKS.read_text(encoding="utf-8")) if h["id"] == "akg-validate"]
    return hook


def _documented_config() -> str:
    """The .pre-commit-config.yaml that docs/toolbox.md tells a data repository to write."""
    blocks = re.findall(r"```yaml\n(.*?)```", TOOLBOX.read_text(encoding="utf-8"), re.S)
    (config,) = [b for b in blocks if "id: akg-validate" in b]
    return config


def _pre_commit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_the_hook_manifest_is_what_pre_commit_accepts() -> None:
    result = _pre_commit("validate-manifest", str(HOOKS), cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    hook = _hook()
    assert {"id", "name", "entry", "language"} <= set(hook)  # the keys pre-commit requires of a hook
    assert hook["language"] == "python"  # pre-commit pip-installs akg's repository: the akg command comes with it
    assert shlex.split(str(hook["entry"])) == ["akg", "validate"]
    assert hook["pass_filenames"] is False  # the whole data folder is one check
    files = re.compile(str(hook["files"]))
    for changed in ("data/documents/x/document.yaml", "data/documents/x/source.txt", "data/organizations.yml"):
        assert files.search(changed), changed
    assert not files.search("data/documents/x/README.md")


def test_the_documented_config_is_what_pre_commit_accepts(tmp_path: Path) -> None:
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(_documented_config(), encoding="utf-8")
    result = _pre_commit("validate-config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    (entry,) = yaml.safe_load(config.read_text(encoding="utf-8"))["repos"][0]["hooks"]
    assert entry == {"id": "akg-validate", "args": ["--data", "data"], "files": r"^data/.*\.(ya?ml|txt)$"}


@pytest.mark.parametrize(("defect", "status"), [(None, 0), ("violation", 1), ("input error", 2)])
def test_the_hook_runs_as_pre_commit_runs_it(repo: Path, defect: str | None, status: int) -> None:
    if defect:
        _plant(repo, defect)
    hook = _hook()
    (configured,) = yaml.safe_load(_documented_config())["repos"][0]["hooks"]
    # pre-commit runs a hook when a staged file passes its filter: the configuration's files, else the hook's.
    files = re.compile(configured.get("files", hook["files"]))
    assert files.search(f"data/{OBLIGATIONS}") and files.search("data/documents/x/source.txt")
    assert not files.search("data/documents/x/README.md") and not files.search(".github/workflows/akg.yml")
    # ... at the repository root, with its environment on PATH, as entry + args (no file names).
    command = [*shlex.split(str(hook["entry"])), *configured["args"]]
    result = subprocess.run(command, capture_output=True, text=True, cwd=repo, env=_tool_env(), check=False)
    assert result.returncode == status, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    if defect == "violation":
        line = _line_of(repo / "data" / OBLIGATIONS, 'quote: "Township governments should report')
        assert f"{OBLIGATIONS}:{line - 2}: The obligation needs exactly one akg:hasDeadline" in result.stdout
    if defect == "input error":
        line = _line_of(repo / "data" / OBLIGATIONS, "test-county-schools")
        assert f"{OBLIGATIONS}:{line}: unknown organisation 'test-county-schools'" in result.stderr


# -- CI templates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("template", "schema"), [(GITHUB, "github-workflows"), (GITLAB, "gitlab-ci")])
def test_each_ci_template_matches_its_platform_schema(template: Path, schema: str) -> None:
    # check-jsonschema carries the schemas (from SchemaStore) in the package: nothing is downloaded.
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", f"vendor.{schema}", str(template)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _workflow() -> dict[str, object]:
    return yaml.safe_load(GITHUB.read_text(encoding="utf-8"))


def _steps() -> list[dict[str, object]]:
    (job,) = _workflow()["jobs"].values()
    return job["steps"]


def _step(uses: str | None = None, runs: str | None = None) -> dict[str, object]:
    (step,) = [
        s for s in _steps() if (uses and str(s.get("uses", "")).startswith(uses)) or (runs and runs in s.get("run", ""))
    ]
    return step


def test_the_github_workflow_validates_then_uploads_sarif_then_fails() -> None:
    workflow = _workflow()
    triggers = workflow.get("on", workflow.get(True))  # PyYAML reads the bare key `on` as a boolean
    assert set(triggers) == {"push", "pull_request"}
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"  # needed to upload to code scanning
    env = workflow["env"]
    assert env["AKG_DATA"] == "data" and env["AKG_FAIL_ON"] == "violation" and "akg" in env["AKG_PACKAGE"]
    steps = _steps()
    order = [
        steps.index(_step(uses="actions/checkout")),
        steps.index(_step(runs="pip install")),
        steps.index(_step(runs="--format sarif")),
        steps.index(_step(uses="github/codeql-action/upload-sarif")),
    ]
    assert order == sorted(order)
    assert '"$AKG_PACKAGE"' in _step(runs="pip install")["run"]
    validate = _step(runs="--format sarif")
    command = validate["run"]
    assert '--data "$AKG_DATA"' in command and '--sarif-root "$AKG_DATA"' in command  # one path, two meanings
    written = re.search(r">\s*(\S+)", command).group(1)
    upload = _step(uses="github/codeql-action/upload-sarif")
    assert upload["with"]["sarif_file"] == written
    assert upload["with"]["category"] == "akg"
    assert "status != '2'" in upload["if"]  # an input error writes no report
    last = _steps()[-1]
    assert last["if"] == "steps.validate.outputs.status != '0'" and validate["id"] == "validate"
    assert last["run"].startswith('akg validate --data "$AKG_DATA"')


def _run_step(script: str, repo: Path, env: dict[str, object], **extra: str) -> subprocess.CompletedProcess[str]:
    variables = {key: str(value) for key, value in env.items()}
    return subprocess.run(
        ["bash", "-e", "-c", script],
        capture_output=True,
        text=True,
        cwd=repo,
        env=_tool_env(**variables, **extra),
        check=False,
    )


def test_the_github_validate_step_writes_sarif_that_code_scanning_maps_to_repository_files(repo: Path) -> None:
    _plant(repo, "violation")
    outputs = repo / "github-output"
    step = _step(runs="--format sarif")
    result = _run_step(step["run"], repo, _workflow()["env"], GITHUB_OUTPUT=str(outputs))
    assert result.returncode == 0, result.stderr  # the step itself passes; the last step fails the job
    assert outputs.read_text().splitlines() == ["status=1"]
    sarif = json.loads((repo / _step(uses="github/codeql-action/upload-sarif")["with"]["sarif_file"]).read_text())
    jsonschema.validate(sarif, json.loads(SARIF_SUBSET_SCHEMA.read_text(encoding="utf-8")))
    (run,) = sarif["runs"]
    bases = run["originalUriBaseIds"]
    assert bases == {SRCROOT: {"uri": repo.as_uri() + "/", "description": bases[SRCROOT]["description"]}}
    located = [r for r in run["results"] if "physicalLocation" in r["locations"][0]]
    assert located and len(located) == len(run["results"])
    assert any(r["level"] == "error" for r in located)
    for result_ in located:
        physical = result_["locations"][0]["physicalLocation"]
        artifact = physical["artifactLocation"]
        assert artifact["uriBaseId"] == SRCROOT and artifact["uriBaseId"] in bases
        # Code scanning reads the uri from the repository root; a SARIF viewer resolves it against the base.
        assert artifact["uri"].startswith("data/documents/county-notice-2024/")
        assert (repo / unquote(artifact["uri"])).is_file()
        resolved = Path(unquote(urlparse(bases[SRCROOT]["uri"] + artifact["uri"]).path))
        assert resolved == repo / unquote(artifact["uri"])
        assert physical["region"]["startLine"] <= len(resolved.read_text(encoding="utf-8").splitlines())


def test_the_github_validate_step_reports_an_input_error_as_status_2(repo: Path) -> None:
    _plant(repo, "input error")
    outputs = repo / "github-output"
    result = _run_step(_step(runs="--format sarif")["run"], repo, _workflow()["env"], GITHUB_OUTPUT=str(outputs))
    assert result.returncode == 0
    assert outputs.read_text().splitlines() == ["status=2"]  # the upload is skipped; the last step fails
    assert "unknown organisation 'test-county-schools'" in result.stderr


def _gitlab_job() -> tuple[dict[str, object], dict[str, object]]:
    document = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    return document["variables"], document["akg-validate"]


@pytest.mark.parametrize(("defect", "status"), [("violation", 1), ("input error", 2)])
def test_the_gitlab_job_keeps_a_junit_report_of_the_findings(repo: Path, defect: str, status: int) -> None:
    _plant(repo, defect)
    variables, job = _gitlab_job()
    assert job["artifacts"]["when"] == "always"  # the report is kept when the job fails
    report = job["artifacts"]["reports"]["junit"]
    assert any("--format junit" in line and f"> {report}" in line for line in job["script"])
    assert any("pip install" in line and '"$AKG_PACKAGE"' in line for line in job["before_script"])
    # GitLab runs a job's script lines in one shell, stopping at the first failing line.
    result = _run_step("\n".join(job["script"]), repo, variables)
    assert result.returncode == status, result.stderr
    if defect == "input error":
        assert not (repo / report).exists()  # no empty report for GitLab to choke on
        assert "unknown organisation 'test-county-schools'" in result.stderr
        return
    suites = list(JUnitXml.fromstring((repo / report).read_bytes()))
    assert [s.name for s in suites] == ["akg.shapes.Violation", "akg.shapes.Warning", "akg.shapes.Info"]
    assert suites[0].failures == 1
    (case,) = ET.parse(repo / report).getroot().find("testsuite").iter("testcase")
    line = _line_of(repo / "data" / OBLIGATIONS, 'quote: "Township governments should report')
    assert (case.get("file"), case.get("line")) == (OBLIGATIONS, str(line - 2))


# -- SARIF with a source root ---------------------------------------------------------------------

FINDING = Finding(
    Severity.VIOLATION,
    "The obligation has no owner.",
    "https://w3id.org/akg/id/doc/d/obligation/1-1",
    "https://w3id.org/akg/ontology#hasAssignment",
    "https://w3id.org/akg/shapes#Obligation-hasOwner",
    "documents/d/obligations/第一部分 general.yaml",
    7,
)


def test_a_source_root_is_the_data_folder_less_its_path_from_the_repository(tmp_path: Path) -> None:
    data = tmp_path / "repo" / "corpus" / "data"
    assert SourceRoot.locate(data, "corpus/data") == SourceRoot("corpus/data", (tmp_path / "repo").as_uri() + "/")
    assert SourceRoot.locate(data, "./data/") == SourceRoot("data", (tmp_path / "repo" / "corpus").as_uri() + "/")
    assert SourceRoot.locate(data, ".") == SourceRoot("", data.as_uri() + "/")  # the data folder is the root
    for wrong in ("other", "/abs/data", "../data", "repo/data"):
        with pytest.raises(ValueError, match="--sarif-root"):
            SourceRoot.locate(data, wrong)


def test_a_source_root_changes_only_the_locations_of_the_sarif_report(tmp_path: Path) -> None:
    report = ValidationReport((FINDING,))
    plain = json.loads(render(report, {"obligations": 1}, "sarif"))
    root = SourceRoot.locate(tmp_path / "data", "data")
    rooted = json.loads(render(report, {"obligations": 1}, "sarif", source_root=root))
    artifact = rooted["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    encoded = "documents/d/obligations/%E7%AC%AC%E4%B8%80%E9%83%A8%E5%88%86%20general.yaml"
    assert artifact == {"uri": f"data/{encoded}", "uriBaseId": SRCROOT}
    assert unquote(artifact["uri"]) == f"data/{FINDING.source_file}"
    assert plain["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": encoded}
    del rooted["runs"][0]["originalUriBaseIds"]
    for document in (plain, rooted):
        del document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert rooted == plain
    with pytest.raises(ValueError, match="sarif format only"):
        render(report, {}, "junit", source_root=root)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "text", "--sarif-root", "data"], "--sarif-root applies to --format sarif only"),
        (["--format", "sarif", "--sarif-root", "elsewhere"], "does not match the data folder"),
        (["--format", "sarif", "--sarif-root", "../data"], "relative to the repository root"),
    ],
)
def test_a_wrong_sarif_root_stops_validate_at_once(
    repo: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--data", str(repo / "data"), *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


# -- akg init -------------------------------------------------------------------------------------

SAMPLES = {
    "zh": (
        "测试县民政局关于做好困境儿童关爱保护工作的通知\n"
        "各乡镇人民政府，县直有关部门：\n"
        "为做好困境儿童关爱保护工作，现就有关事项通知如下。\n"
        "一、明确职责。县民政局负责统筹协调困境儿童关爱保护工作。\n"
        "（一）摸底排查。乡镇人民政府应当每季度开展一次摸底排查。\n"
        "1.建立台账。乡镇人民政府要建立困境儿童信息台账。\n"
        "2．及时更新。台账信息应当及时更新。\n"
        "（二）落实保障\n"
        "县民政局应当按时发放基本生活费。\n"
        "二、加强保障。县财政局要保障工作经费。\n"
        "请各单位认真贯彻执行。\n"
    ),
    "en": (
        "Notice on the care of children in difficulty\n"
        "To the township governments and relevant departments:\n"
        "To protect children in difficulty, this notice is issued.\n"
        "1. Clarify duties. The county civil affairs bureau is responsible for coordination.\n"
        "(1) Survey. Township governments shall survey every quarter.\n"
        "1. Keep records. Township governments should keep a record of each child.\n"
        "2. Update records. Records shall be updated promptly.\n"
        "(2) Benefits\n"
        "The county civil affairs bureau shall pay the basic living allowance on time.\n"
        "Second, Funding. The county finance bureau should fund the work.\n"
        "Please implement this notice conscientiously.\n"
    ),
}
HEADINGS = {
    "zh": {
        "1": "明确职责",
        "1.1": "摸底排查",
        "1.1.1": "建立台账",
        "1.1.2": "及时更新",
        "1.2": "落实保障",
        "2": "加强保障",
    },
    "en": {
        "1": "Clarify duties",
        "1.1": "Survey",
        "1.1.1": "Keep records",
        "1.1.2": "Update records",
        "1.2": "Benefits",
        "2": "Funding",
    },
}


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_init_scaffolds_a_document_and_the_missing_registries(
    tmp_path: Path, language: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"  # not there yet: a new data repository
    assert main(["init", str(data), "--document", "county-notice-2025", "--language", language]) == 0
    folder = data / "documents" / "county-notice-2025"
    assert set(_tree(data)) == {
        "organizations.yaml",
        "cited-documents.yaml",
        "documents/county-notice-2025/document.yaml",
        "documents/county-notice-2025/source.txt",
        "documents/county-notice-2025/obligations/obligations.yaml",
        "documents/county-notice-2025/README.md",
    }
    out = capsys.readouterr().out
    assert "documents/county-notice-2025/document.yaml" in out and f"akg validate --data {data}" in out
    document = yaml.safe_load((folder / "document.yaml").read_text(encoding="utf-8"))
    assert document["id"] == "county-notice-2025" and document["language"] == language
    assert document["source"] == "source.txt" and document["issuers"] == []
    markers = [m for level in document["layout"]["levels"] for m in level["markers"]]
    expected = (
        ["（(?P<cn>", "(?P<cn>[一二三四五六七八九十]+)、"]
        if language == "zh"
        else [r"\((?P<n>\d+)\)", "(?P<ordinal>First"]
    )
    assert all(any(e in m for m in markers) for e in expected), markers
    assert yaml.safe_load((folder / "obligations" / "obligations.yaml").read_text()) == {"obligations": []}
    assert yaml.safe_load((data / "organizations.yaml").read_text()) == {"organizations": []}
    assert yaml.safe_load((data / "cited-documents.yaml").read_text()) == {"cited_documents": []}
    guide = (folder / "README.md").read_text(encoding="utf-8")
    assert f"akg validate --data {data}" in guide and "source.txt" in guide
    assert not list(tmp_path.glob(".akg-init-*"))  # no staging folder left


@pytest.mark.parametrize("language", ["zh", "en"])
def test_validate_on_a_fresh_scaffold_names_the_next_steps(
    tmp_path: Path, language: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert main(["init", str(data), "--document", "new-notice", "--language", language]) == 0
    capsys.readouterr()
    assert main(["validate", "--data", str(data)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    name = "documents/new-notice/document.yaml"
    yaml_path = data / name
    title_key = "  zh: " if language == "zh" else "title: "
    expected = [
        "documents/new-notice/source.txt:1: the source text is empty: copy the document's text into this file",
        f"{name}:{_line_of(yaml_path, title_key)}: title{'.zh' if language == 'zh' else ''} is empty: give the title",
        f"{name}:{_line_of(yaml_path, 'jurisdiction_level:')}: jurisdiction_level is empty: give the level",
        f"{name}:{_line_of(yaml_path, 'issuers: []')}: document lacks issuers: give 'issuers'",
    ]
    for message in expected:
        assert any(line.strip().startswith(message) for line in captured.err.splitlines()), (message, captured.err)


def _fill(data: Path, document: str, language: str) -> None:
    """What an annotator does first: the text, the title, the level, an issuer and its registry entry."""
    folder = data / "documents" / document
    (folder / "source.txt").write_text(SAMPLES[language], encoding="utf-8")
    title = SAMPLES[language].splitlines()[0]
    path = folder / "document.yaml"
    if language == "zh":
        _edit(path, 'zh: ""', f"zh: {title}")
        _edit(path, 'en: ""', 'en: "Notice on the care of children in difficulty"')
    else:
        _edit(path, 'title: ""', f'title: "{title}"')
    _edit(path, 'jurisdiction_level: ""', "jurisdiction_level: county")
    _edit(path, "issuers: []", "issuers: [test-county-civil-affairs]")
    _edit(
        data / "organizations.yaml",
        "organizations: []",
        "organizations:\n  - id: test-county-civil-affairs\n    kind: department\n"
        "    label: {en: Test County Civil Affairs Bureau, zh: 测试县民政局}\n"
        "    sector: civil-affairs\n    level: county",
    )


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_scaffold_layout_numbers_the_languages_usual_numbering(tmp_path: Path, language: str) -> None:
    data = tmp_path / "data"
    scaffold_document(data, "county-notice-2025", language)
    _fill(data, "county-notice-2025", language)
    assert main(["validate", "--data", str(data)]) == 0
    graph = build_graph(data)
    headings = {
        str(graph.value(p, AKG.number)): str(h)
        for p in graph.subjects(AKG.inDocument, None)
        if (h := graph.value(p, AKG.heading)) is not None
    }
    assert headings == HEADINGS[language]
    numbers = {str(n) for p in graph.subjects(AKG.inDocument, None) for n in graph.objects(p, AKG.number)}
    assert {"greeting", "preamble", "closing"} <= numbers
    title = Literal(SAMPLES[language].splitlines()[0], lang=language)
    assert (None, AKG.title, title) in graph


def test_init_in_a_data_folder_with_registries_adds_only_the_document(repo: Path) -> None:
    data = repo / "data"
    before = _tree(data)
    scaffold = scaffold_document(data, "county-notice-2025", "en")
    after = _tree(data)
    assert {k: v for k, v in after.items() if k in before} == before  # nothing existing is touched
    added = ("document.yaml", "source.txt", "obligations/obligations.yaml", "README.md")
    assert set(after) - set(before) == {f"documents/county-notice-2025/{name}" for name in added}
    assert scaffold.folder == data / "documents" / "county-notice-2025"
    # A registry kept as a folder of files counts too.
    (data / "organizations.yaml").rename(data / "organizations.yml.bak")
    (data / "organizations").mkdir()
    scaffold_document(data, "county-notice-2026", "zh")
    assert not (data / "organizations.yaml").exists()


@pytest.mark.parametrize(
    ("document", "language", "message"),
    [
        ("county-notice-2024", "en", "document 'county-notice-2024' already exists"),
        ("County_Notice", "en", "bad document id 'County_Notice'"),
        ("../escape", "en", "bad document id '../escape'"),
        ("a--b", "zh", "bad document id"),
        ("", "zh", "bad document id ''"),
        ("x" * 81, "zh", "at most 80 characters"),
        ("county-notice-2025", "fr", "bad language 'fr'"),
    ],
)
def test_init_refuses_and_writes_nothing(repo: Path, document: str, language: str, message: str) -> None:
    data = repo / "data"
    before = _tree(repo)
    with pytest.raises(ScaffoldError, match=re.escape(message)):
        scaffold_document(data, document, language)
    assert _tree(repo) == before and not list(data.glob(".akg-init-*"))


def test_init_refusals_exit_2_with_the_reason(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(repo / "data")
    assert main(["init", data, "--document", "county-notice-2024", "--language", "en"]) == 2
    assert "akg init: document 'county-notice-2024' already exists" in capsys.readouterr().err
    assert main(["init", data, "--document", "Bad Id", "--language", "en"]) == 2
    assert "akg init: bad document id 'Bad Id'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["init", data, "--document", "new-notice", "--language", "fr"])
    assert exited.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err
    assert main(["init", str(repo / "missing" / "data"), "--document", "x", "--language", "en"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_init_undoes_its_renames_when_one_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    data.mkdir()  # empty: the registries are linked in first, then documents/ is renamed in, and fails

    def full_disk(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("akg.scaffold.os.rename", full_disk)
    with pytest.raises(ScaffoldError, match="No space left on device"):
        scaffold_document(data, "county-notice-2025", "zh")
    assert list(data.iterdir()) == []  # the registries linked before the failure are gone again
