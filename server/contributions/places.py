"""Communes never lost: an accept (or a revert) regenerates ``territories-official.ttl`` in the same plan,
from the data files and the accepted contributions as the plan leaves them, so that a pole placed in any
official commune gets the commune's name, EPCI, département and region the moment it goes live (and a
revert takes them away again when nothing else names the commune).
"""

from __future__ import annotations

from pathlib import Path

from server.dataset import territories


def official_file(config) -> Path | None:
    """The generated territories file of the first data folder, when it and the npm package are there."""
    path = Path(config["DATA_DIRS"][0]) / territories.OUTPUT.name
    if not path.exists() or not (territories.PACKAGE_DIR / "package.json").exists():
        return None
    return path


def regenerated(config, files: list[dict]) -> tuple[str, str] | None:
    """(path, text) of the territories file for the data as ``files`` (the plan's changes: path, new text or
    None for a deleted file) leave it; None when there is no such file or its text would not change.

    Raises ValueError when a file names a commune code the package does not know."""
    output = official_file(config)
    if output is None:
        return None
    folder = output.parent
    new = {Path(change["path"]).resolve(): change["new"] for change in files}
    texts = {path.resolve(): None for path in territories.input_files(folder)}
    texts.update(new)
    inputs = []
    for path, text in sorted(texts.items()):
        scanned = path.parent in (folder.resolve(), (folder / "contributions").resolve())
        if path == output.resolve() or not scanned or path.suffix != ".ttl":
            continue
        if text is None and path not in new:
            text = path.read_text(encoding="utf-8")
        if text is not None:
            inputs.append(text)
    text = territories.build(territories.referenced_codes_in(inputs))
    current = output.read_text(encoding="utf-8")
    return None if text == current else (str(output), text)
