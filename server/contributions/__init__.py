"""Contributions: the contributor kit, the inbox (submission), curation, and accepted files in data/.

May import server.dataset, server.validator and server.web; nothing imports it but the app factory and CLI.
"""

from __future__ import annotations
