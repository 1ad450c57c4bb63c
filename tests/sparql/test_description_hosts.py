"""The service description is built once per dataset: 300 distinct Host headers add no cache entry."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_distinct_host_headers_add_nothing_to_the_store_memo(client, store):
    client.get("/sparql", headers={"Accept": "text/turtle"})
    before = len(store._memo)
    for index in range(300):
        host = f"h{index}.example.org"
        response = client.get("/sparql", headers={"Accept": "text/turtle", "Host": host})
        assert response.status_code == 200
        if index % 100 == 0:
            assert f"http://{host}/sparql".encode() in response.data
    assert len(store._memo) == before
