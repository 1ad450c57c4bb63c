"""History: every accepted or reverted change recorded with its patch (RDF Patch), each resource's history
in words, its past states (Memento, RFC 7089), the change feed (Activity Streams 2.0) and read replicas that
follow it.

Builds on server.dataset and server.web; never imported by sparql, web or validator. The record is written by
server.contributions (its carry_out module calls :func:`server.history.record.recorder`).
"""

from __future__ import annotations
