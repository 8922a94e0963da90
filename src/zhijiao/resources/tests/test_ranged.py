from __future__ import annotations

import pytest
from django.test import RequestFactory

from zhijiao.resources.ranged import RangeNotSatisfiable, parse_range, ranged_file_response

DATA = bytes(range(256)) * 40  # 10 240 bytes


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "blob"
    p.write_bytes(DATA)
    return p


def _get(path, range_header: str | None = None):
    headers = {"Range": range_header} if range_header is not None else {}
    request = RequestFactory().get("/x", headers=headers)
    return ranged_file_response(request, path, content_type="video/mp4", filename="圆 微课.mp4")


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_whole_file_without_range(path):
    r = _get(path)
    assert r.status_code == 200 and r["Accept-Ranges"] == "bytes" and r["Content-Length"] == str(len(DATA))
    assert _body(r) == DATA
    assert "filename*=UTF-8''%E5%9C%86%20%E5%BE%AE%E8%AF%BE.mp4" in r["Content-Disposition"]


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=10000-", 10000, 10239), ("bytes=-240", 10000, 10239), ("bytes=5-99999", 5, 10239)],
)
def test_single_range_is_206_with_content_range(path, header, first, last):
    r = _get(path, header)
    assert r.status_code == 206
    assert r["Content-Range"] == f"bytes {first}-{last}/{len(DATA)}"
    assert r["Content-Length"] == str(last - first + 1)
    assert _body(r) == DATA[first : last + 1]


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=20000-30000", "bytes=-0", "bytes=50-10"])
def test_unsatisfiable_range_is_416(path, header):
    r = _get(path, header)
    assert r.status_code == 416 and r["Content-Range"] == f"bytes */{len(DATA)}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-5", "bytes=abc", "bytes=-"])
def test_unusable_range_serves_the_whole_file(path, header):
    r = _get(path, header)
    assert r.status_code == 200 and _body(r) == DATA


def test_parse_range_edges():
    assert parse_range("", 10) is None
    assert parse_range("bytes=-20", 10) == (0, 9)
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=10-", 10)
