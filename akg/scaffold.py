"""Scaffold a new document folder in a data folder (``akg init DIR --document ID --language zh|en``).

:func:`scaffold_document` writes ``documents/<id>/`` with

- ``document.yaml``: the metadata to fill in (empty values the loader names one by one) and the layout
  rules of the language's usual numbering, commented: 一、（一）1. for Chinese, 1. (1) 1. for English;
- ``source.txt``: empty, for the text as published;
- ``obligations/obligations.yaml``: no obligations yet, with a commented example entry;
- ``README.md``: a short guide to the steps that follow;

and, where the data folder has no registry yet (neither ``organizations.yaml`` nor ``organizations/``,
likewise for cited documents), a minimal ``organizations.yaml`` and ``cited-documents.yaml``.

The contract: either every file is written or none is. The files are staged in a temporary folder
inside the data folder (or beside it, when it does not exist yet) and moved into place by renames;
a failure undoes the renames already done. An existing document id, a bad id and a language other
than zh or en raise :class:`ScaffoldError` before anything is written.

``akg validate --data DIR`` on a fresh scaffold exits 2 and names, by file and line, what is still to
do: copy the text into source.txt, give the title, the level, the issuers.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DOCUMENT_ID", "LANGUAGES", "Scaffold", "ScaffoldError", "scaffold_document"]

#: A document id: the folder name and the last segment of the document's IRI.
DOCUMENT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID_LENGTH = 80
#: The languages whose usual numbering the scaffold knows.
LANGUAGES = ("zh", "en")


class ScaffoldError(ValueError):
    """The scaffold cannot be written; the message says why. Nothing has been written."""


@dataclass(frozen=True)
class Scaffold:
    """What :func:`scaffold_document` wrote: the document folder and every file, relative to the data folder."""

    data_dir: Path
    folder: Path
    files: tuple[str, ...]


def check_document_id(document_id: str) -> None:
    """Raise :class:`ScaffoldError` unless ``document_id`` is a well-formed document id."""
    if not DOCUMENT_ID.match(document_id) or len(document_id) > MAX_ID_LENGTH:
        raise ScaffoldError(
            f"bad document id {document_id!r}: use lower-case letters, digits and single hyphens, "
            f"at most {MAX_ID_LENGTH} characters, e.g. minfa-2019-62 or hubei-2022-child-welfare"
        )


def check_language(language: str) -> None:
    """Raise :class:`ScaffoldError` unless the scaffold knows ``language``'s numbering."""
    if language not in LANGUAGES:
        raise ScaffoldError(
            f"bad language {language!r}: choose zh (一、（一）1. numbering) or en (1. (1) 1. numbering); "
            "for another language, scaffold with the closer one and edit the layout rules"
        )


def _registry_missing(data_dir: Path, stem: str) -> bool:
    return not ((data_dir / f"{stem}.yaml").exists() or (data_dir / stem).is_dir())


def planned_files(data_dir: Path, document_id: str, language: str) -> dict[str, str]:
    """The files :func:`scaffold_document` would write, relative to ``data_dir``, with their text."""
    check_document_id(document_id)
    check_language(language)
    folder = f"documents/{document_id}"
    shown = data_dir.as_posix()
    files = {
        # str.replace, not str.format: the layout's regular expressions hold braces.
        f"{folder}/document.yaml": (ZH_DOCUMENT if language == "zh" else EN_DOCUMENT).replace("{id}", document_id),
        f"{folder}/source.txt": "",
        f"{folder}/obligations/obligations.yaml": OBLIGATIONS,
        f"{folder}/README.md": GUIDE.format(
            id=document_id, data=shown, numbering=ZH_NUMBERING if language == "zh" else EN_NUMBERING
        ),
    }
    if _registry_missing(data_dir, "organizations"):
        files["organizations.yaml"] = ORGANIZATIONS
    if _registry_missing(data_dir, "cited-documents"):
        files["cited-documents.yaml"] = CITED_DOCUMENTS
    return files


def scaffold_document(data_dir: Path, document_id: str, language: str) -> Scaffold:
    """Write a new document folder ``data_dir/documents/<document_id>`` (and missing registries).

    ``data_dir`` is created when it does not exist (its parent must). Raises :class:`ScaffoldError`
    for a bad id or language, an existing document, or a data folder that cannot be written; in
    every case nothing is left behind.
    """
    files = planned_files(data_dir, document_id, language)
    folder = data_dir / "documents" / document_id
    if data_dir.exists() and not data_dir.is_dir():
        raise ScaffoldError(f"{data_dir} is not a folder")
    if folder.exists() or folder.is_symlink():
        raise ScaffoldError(f"document {document_id!r} already exists: {folder}; choose another id")
    parent = data_dir if data_dir.is_dir() else data_dir.parent
    if not parent.is_dir():
        raise ScaffoldError(f"cannot create the data folder {data_dir}: {parent} does not exist")
    try:
        with tempfile.TemporaryDirectory(prefix=".akg-init-", dir=parent, ignore_cleanup_errors=True) as staging:
            tree = Path(staging) / "tree"
            for relative, text in files.items():
                path = tree / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            _move_into_place(tree, data_dir, document_id, files)
    except OSError as exc:
        raise ScaffoldError(f"cannot write the scaffold in {data_dir}: {exc.strerror or exc}") from exc
    return Scaffold(data_dir, folder, tuple(sorted(files)))


def _move_into_place(tree: Path, data_dir: Path, document_id: str, files: dict[str, str]) -> None:
    """Rename the staged tree's parts into ``data_dir``; undo what was moved if one rename fails."""
    if not data_dir.exists():
        os.rename(tree, data_dir)  # one rename: the whole data folder appears at once
        return
    moves = [(tree / name, data_dir / name) for name in files if "/" not in name]  # the registries
    if (data_dir / "documents").is_dir():
        moves.append((tree / "documents" / document_id, data_dir / "documents" / document_id))
    else:
        moves.append((tree / "documents", data_dir / "documents"))
    done: list[Path] = []
    try:
        for source, target in moves:
            # Never replace what is there: a file appearing meanwhile stops the whole scaffold.
            if target.exists() or target.is_symlink():
                raise FileExistsError(f"{target} appeared while scaffolding")
            if source.is_dir():
                os.rename(source, target)
            else:
                _link_or_rename(source, target)
            done.append(target)
    except OSError:
        for target in reversed(done):
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
        raise


def _link_or_rename(source: Path, target: Path) -> None:
    """Put a staged file at ``target`` without replacing one that is there (a link fails if it exists)."""
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        os.rename(source, target)  # a file system without hard links: checked for the target just before


# -- the files ---------------------------------------------------------------------------------

_HEAD = """\
# {id}: what the loader needs to know about this document that the text alone does not say.
# Fill in every empty value, then run `akg validate --data <data folder>`: it names, by file and
# line, each value still to give. The format is in akg's docs/model.md ("document.yaml").

# The document id equals the folder name; never change it once annotations and links use it.
id: {id}
"""

# Documents the text cites, links to other documents and inherited deadlines: uncomment where the text has them.
_OPTIONAL = """
# Documents the text cites, by the words that cite them (ids from cited-documents.yaml, or a corpus document).
# citations:
#   - {provision: preamble, quote: "<the citing words>", cited: <id>, relation: implements}   # or based_on, cites
# Provisions that carry out (or restate) a provision of another document of the corpus.
# links:
#   - {provision: "3.1", quote: "<the words that show it>", implements: [<document>/<provision>]}
# What obligations inherit when their sentence states no deadline: the document's goal, or a provision's.
# deadlines:
#   goal: {provision: "2.3", quote: "<the words of the goal>", date: 2025-12-31}
#   provisions: []
"""

ZH_DOCUMENT = (
    _HEAD
    + r"""title:
  zh: ""                         # the title as printed on line 1 of source.txt
  en: ""                         # the title in English
# number: 民发〔2019〕62号        # the document number as printed; omit where there is none
source: source.txt               # the text as published, verbatim (see README.md)
language: zh
jurisdiction_level: ""           # the level of the issuers: national, province, city, county or township
issuers: []                      # ids from organizations.yaml, e.g. [ministry-of-civil-affairs]
# addressees: []                 # the bodies the greeting names, ids from organizations.yaml
# date_signed: 2024-03-01        # only a date the source gives

# How the text is laid out: Python regular expressions, outermost level first. 一、 is section 1,
# （三） under 二、 is 2.3 and 1. under that is 2.3.1 (group cn reads a Chinese numeral, n an arabic
# one). A heading runs to its first 。 or to the end of its line; a paragraph with no marker belongs
# to the provision above it.
layout:
  header_lines: 1                # lines before the greeting (各……：): the title
  title_line: 1                  # this line of source.txt must equal title.zh
  levels:
    - name: section
      markers: ['(?P<cn>[一二三四五六七八九十]+)、']
    - name: subsection
      markers: ['（(?P<cn>[一二三四五六七八九十]+)）']
    - name: item
      markers: ['(?P<n>\d+)[.．]']
  heading_end: '。'
  closing_paragraphs: 1          # the unnumbered paragraphs after the last provision (0 for none)
  # end_marker: "- END -"        # a line after which the file holds no more of the text
  # signing_date: '^\d{4}年\d{1,2}月\d{1,2}日$'   # a signature block ending in its date; then give
# signatories:                   # the signatories, in the order printed, instead of issuers
#   - {printed: 民政部, org: ministry-of-civil-affairs}
"""
    + _OPTIONAL
)

EN_DOCUMENT = (
    _HEAD
    + r"""title: ""                        # the title as printed on line 1 of source.txt
# number: "Minfa [2021] No. 44"  # the document number as printed; omit where there is none
source: source.txt               # the text as published, verbatim (see README.md)
language: en
jurisdiction_level: ""           # the level of the issuers: national, province, city, county or township
issuers: []                      # ids from organizations.yaml, e.g. [county-civil-affairs]
# addressees: []                 # the bodies the greeting names, ids from organizations.yaml
# date_signed: 2024-03-01        # only a date the source gives

# How the text is laid out: Python regular expressions, outermost level first. "1." or "First," is
# section 1, "(3)" under section 2 is 2.3 and "1." under that is 2.3.1 (group n reads an arabic
# numeral, ordinal an English ordinal); a marker counts at the level whose next number it is. A
# heading runs to its first full stop or to the end of its line; a paragraph with no marker belongs
# to the provision above it. For "Article 1" numbering: markers: ['Article (?P<n>\d+)\s'].
layout:
  header_lines: 1                # lines before the greeting ("To the ...:"): the title
  title_line: 1                  # this line of source.txt must equal the title
  levels:
    - name: section
      markers: ['(?P<n>\d+)\.\s', '(?P<ordinal>First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth),\s']
    - name: subsection
      markers: ['\((?P<n>\d+)\)\s?']
    - name: item
      markers: ['(?P<n>\d+)\.\s']
  heading_end: '\.\s'
  closing_paragraphs: 1          # the unnumbered paragraphs after the last provision (0 for none)
  # end_marker: "- END -"        # a line after which the file holds no more of the text
  # signing_date: '^[A-Z][a-z]+ \d{1,2}, \d{4}$'   # a signature block ending in its date (March 1, 2024)
# signatories:                   # with a signing_date: the signatories, in the order printed, instead of issuers
#   - {printed: "County Civil Affairs Bureau", org: county-civil-affairs}
"""
    + _OPTIONAL
)

OBLIGATIONS = """\
# One entry per duty the text sets, section by section; the conventions are in akg's
# docs/annotating.md, the format in docs/model.md ("obligations.yaml"). Split the annotations into
# several files (1-general.yaml, 2-institutions.yaml ...) whenever that reads better.
#
#   - id: 1.1-1                      # "<provision>-<n>", unique in the document
#     provision: "1.1"
#     quote: "…"                     # copied character for character from that provision
#     modality: must                 # must | should | encouraged | may
#     action: Restate the duty in plain English.
#     assignments:
#       - {org: <id from organizations.yaml>, role: lead}   # lead | responsible | supporting | consulted | informed
#     deadline: none                 # or {wording: …, date: …}, relative, recurring, periodic, prompt
#     needs: []
#     groups: []

obligations: []
"""

ORGANIZATIONS = """\
# The bodies the documents name, one entry each; documents refer to them by id. The same body is one
# id across documents. More files may go in organizations/*.yaml. Format: akg's docs/model.md.
#
#   - id: county-civil-affairs
#     kind: department               # department | institution | government | community | family | society | other
#     label: {en: "County Civil Affairs Bureau", zh: 县民政局}
#     sector: civil-affairs          # a sector id (docs/model.md, "Vocabularies")
#     level: county                  # national | province | city | county | township | village
#   - id: relevant-departments
#     kind: other
#     label: {en: "Relevant departments (unspecified)", zh: 有关部门}
#     collective: true
#     vague: true                    # the text names no definite body: validation warns about it

organizations: []
"""

CITED_DOCUMENTS = """\
# Documents, laws and plans that the documents cite but that are not documents of this corpus.
# More files may go in cited-documents/*.yaml.
#
#   - id: law-on-protection-of-minors
#     title: "Law of the People's Republic of China on the Protection of Minors"
#     issuer: "Standing Committee of the National People's Congress"
#     year: 2020

cited_documents: []
"""

ZH_NUMBERING = "一、 (sections), （一） (subsections) and 1. (items)"
EN_NUMBERING = '"1." or "First," (sections), "(1)" (subsections) and "1." (items)'

GUIDE = """\
# {id}

A new document for the accountability graph. Work through these steps; after each, run

```sh
akg validate --data {data}
```

It names, as `file:line: message`, what is still missing, every problem at once (exit status 2
until the document loads; then 0, or 1 while there are violations).

1. **The text.** Copy the document's text, verbatim, into `source.txt`: the title on line 1, the
   greeting, the numbered provisions, the closing. Never edit the wording; where the text is garbled,
   say in the annotations how you read it.
2. **The metadata.** In `document.yaml`, give the title (as printed on line 1), the level of the
   issuers (`jurisdiction_level`) and the issuers, by their ids in `organizations.yaml`; add any body
   the registry lacks there. Uncomment `number`, `addressees`, `citations` or `deadlines` where the
   text has them.
3. **The layout.** The `layout` in `document.yaml` reads the usual numbering:
   {numbering}. If the text numbers otherwise, change the patterns until
   `akg validate` reports no layout problem; the provisions are then numbered 1, 1.1, 1.1.1 as the
   text numbers them.
4. **The duties.** Add one entry per duty to `obligations/*.yaml`, section by section, following
   akg's docs/annotating.md: quote, modality, owners and their roles, deadline, needs and groups.
5. **A second reading.** Someone else checks every entry against the text before it is merged.

`akg validate --fail-on warning` also fails on the warnings that mark what the text leaves open
(vague owners, duties with no lead or no deadline stated): a coordination meeting settles those.
"""
