"""`assert_image`: a rendered file is a real image of sensible size."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _assert_image(path) -> None:
    """PNG: the signature and more than a few KB; SVG: XML whose root is <svg>, not tiny."""
    data = path.read_bytes()
    assert len(data) > 5_000, f"{path} is only {len(data)} bytes"
    if path.suffix == ".png":
        assert data.startswith(PNG_SIGNATURE)
    else:
        root = ElementTree.fromstring(data)
        assert root.tag.rsplit("}", 1)[-1] == "svg"


@pytest.fixture
def assert_image():
    return _assert_image
