"""Responses whose language is negotiated say ``Vary: Accept-Language`` (shared caches keep them apart)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "path", ["/doc/pole/coursive-boutaric.html", "/doc/pole/coursive-boutaric", "/validate"]
)
def test_language_negotiated_pages_vary_on_accept_language(client, path):
    response = client.get(path, headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 200
    assert "Accept-Language" in response.headers.get("Vary", "")
    assert 'lang="en"' in response.get_data(as_text=True)
