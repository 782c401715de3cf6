"""The PNG heat map, for slide decks and word processors: a real picture of the matrix (decoded here, pixel by
pixel), from Python, from ``akg matrix`` and from ``/matrix/download/png``, and written atomically."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import httpx
import pytest

from akg import matrix as mx
from akg.accountability import Accountability
from akg.matrix.png import MAX_SIDE, SCALE
from akg_cli import main
from tests.graphql_support import running_server

SIGNATURE = b"\x89PNG\r\n\x1a\n"
WHITE, BLACK = (255, 255, 255), (0, 0, 0)
DARKEST, GAP_FILL = (0x08, 0x51, 0x9C), (0xF8, 0xD0, 0xD0)  # svg.py's busiest shade and gap mark


def read_png(data: bytes) -> tuple[int, int, int, bytes]:
    """Width, height, bytes per pixel and the filtered scanlines of an 8-bit RGB(A) non-interlaced PNG, after
    checking its signature, every chunk's CRC, the chunk order and the scanlines' length."""
    assert data[:8] == SIGNATURE
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 4 if colour == 6 else 3
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert len(raw) == height * (width * bpp + 1)
    return width, height, bpp, raw


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Width, height and the RGB pixels of a PNG :func:`read_png` accepts (the scanline filters undone)."""
    width, height, bpp, raw = read_png(data)
    stride, previous, pixels = width * bpp, bytearray(width * bpp), []
    for y in range(height):
        filter_type, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if filter_type == 2:
            line = bytearray((x + b) & 0xFF for x, b in zip(line, previous, strict=True))
        elif filter_type:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = previous[i], previous[i - bpp] if i >= bpp else 0
                if filter_type == 1:
                    line[i] = (line[i] + a) & 0xFF
                elif filter_type == 3:
                    line[i] = (line[i] + (a + b) // 2) & 0xFF
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        pixels.extend(zip(line[0::bpp], line[1::bpp], line[2::bpp], strict=True))
        previous = line
    return width, height, pixels


@pytest.fixture(scope="module")
def accountability(shipped_store) -> Accountability:
    return Accountability.from_store(shipped_store)


@pytest.fixture(scope="module")
def county_orphans(accountability) -> mx.MatrixPack:
    return mx.build_pack(accountability, level="county", target_group="orphans")


@pytest.fixture(scope="module")
def picture(county_orphans) -> tuple[int, int, list[tuple[int, int, int]]]:
    return decode_png(mx.render(county_orphans, "png"))


def _svg_size(pack: mx.MatrixPack) -> tuple[float, float]:
    root = mx.render_svg(pack).split(b">", 1)[0].decode()
    return tuple(float(root.split(f'{side}="')[1].split('"')[0]) for side in ("width", "height"))  # type: ignore[return-value]


def test_png_is_the_heat_map_at_twice_its_size(county_orphans, picture) -> None:
    width, height, pixels = picture
    svg_width, svg_height = _svg_size(county_orphans)
    assert (width, height) == (round(svg_width * SCALE), round(svg_height * SCALE))
    assert 1000 <= width <= MAX_SIDE and 600 <= height <= MAX_SIDE  # readable on a slide, not a poster
    assert len(pixels) == width * height


def test_png_shows_the_shades_the_leads_and_the_gaps(county_orphans, picture) -> None:
    _, _, pixels = picture
    counts: dict[tuple[int, int, int], int] = {}
    for pixel in pixels:
        counts[pixel] = counts.get(pixel, 0) + 1
    assert counts[WHITE] < len(pixels) * 0.95  # not a blank page
    assert counts.get(DARKEST, 0) > 200  # the busiest cell, shaded darkest
    assert county_orphans.matrix.gaps and counts.get(GAP_FILL, 0) > 200  # the gap marks under columns with no lead
    assert counts.get(BLACK, 0) > 2000  # the labels and lead marks: text was set in some installed font
    assert len(counts) > 50  # shades, text and anti-aliasing, not a flat fill


def test_cli_writes_png_from_the_suffix(tmp_path: Path) -> None:
    out = tmp_path / "pack" / "heatmap.png"
    assert main(["matrix", "--level", "county", "--group", "orphans", "-o", str(out)]) == 0
    width, height, _, _ = read_png(out.read_bytes())
    assert width > 1000 and height > 600
    assert "png" in mx.FORMATS


def test_png_is_written_atomically(county_orphans, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "heatmap.png"
    target.write_bytes(b"the previous heat map")

    def broken(**_kwargs: object) -> bytes:
        raise RuntimeError("renderer failed")

    import resvg_py

    monkeypatch.setattr(resvg_py, "svg_to_bytes", broken)
    with pytest.raises(RuntimeError):
        mx.write_matrix(county_orphans, "png", target)
    assert target.read_bytes() == b"the previous heat map"
    monkeypatch.undo()
    mx.write_matrix(county_orphans, "png", target)
    read_png(target.read_bytes())
    assert [p.name for p in tmp_path.iterdir()] == ["heatmap.png"]  # no temporary file left beside it


def test_matrix_page_downloads_png(accountability) -> None:
    with running_server(accountability) as url:
        page = httpx.get(f"{url}/matrix", params={"level": "county"}, timeout=30).text
        response = httpx.get(f"{url}/matrix/download/png", params={"level": "county", "group": "orphans"}, timeout=30)
    assert 'href="/matrix/download/png?level=county' in page
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"] == 'attachment; filename="matrix-county-orphans.png"'
    width, height, _, _ = read_png(response.content)
    assert width > 1000 and height > 600
