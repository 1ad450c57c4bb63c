"""Turn benchmark measurements into a Markdown table and a PNG plot of cost against size."""

from __future__ import annotations

from pathlib import Path


def _f(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def _query_rows(rows: list[dict], key: str, digits: int) -> list[str]:
    """Table rows comparing one timing (``key``) of each query: ours, pyoxigraph in-process, baseline."""
    lines = []
    for row in rows:
        for name, ours in row["ours"].get(key, {}).items():
            limit = row["in_process"]["per_query_p50"][name]
            base = row.get("baseline", {}).get(key, {}).get(name)
            lines.append(
                f"| {row['poles']:,} | {name} | {_f(ours)} | {_f(limit, 2)} "
                f"| {ours / max(limit, 0.001):.{digits}f}x | {_f(base) if base else '–'} |"
            )
    return lines


def write_report(rows: list[dict], validation: list[dict], table: Path, plot: Path, command: str) -> None:
    """Write ``table`` (Markdown) and ``plot`` (PNG) from the rows of ``bench/run.py``."""
    out = [f"Command: `.venv/bin/python bench/run.py {command}` (2 cores; medians in ms unless stated)\n"]
    out.append(
        "| poles | triples | start-up (memory) s | start-up (existing disk store) s | server peak RSS MB "
        "| server + workers PSS MB | baseline start-up s | baseline RSS MB |"
    )
    out.append("|---|---|---|---|---|---|---|---|")
    for row in rows:
        ours, base = row["ours"], row.get("baseline")
        out.append(
            f"| {row['poles']:,} | {row['triples']:,} | {_f(ours['startup'], 2)} "
            f"| {_f(ours['startup_disk'], 2)} "
            f"| {_f(ours['rss'], 0)} | {_f(ours.get('tree_pss', float('nan')), 0)} "
            f"| {_f(base['startup'], 2) if base else '–'} "
            f"| {_f(base['rss'], 0) if base else '–'} |"
        )
    out.append(
        "\n| poles | query mix: ours req/s | baseline req/s | ratio | ours p50 / p95 | baseline p50 / p95 |"
    )
    out.append("|---|---|---|---|---|---|")
    for row in rows:
        ours, base = row["ours"], row.get("baseline")
        ratio = f"{ours['throughput'] / base['throughput']:.1f}x" if base else "–"
        out.append(
            f"| {row['poles']:,} | {_f(ours['throughput'])} "
            f"| {_f(base['throughput'], 2) if base else '–'} | {ratio} "
            f"| {_f(ours['p50'])} / {_f(ours['p95'])} | "
            + (f"{_f(base['p50'])} / {_f(base['p95'])} |" if base else "– |")
        )
    out.append(
        "\n| poles | query | ours over HTTP | pyoxigraph in-process | ours / in-process "
        "| baseline over HTTP |"
    )
    out.append("|---|---|---|---|---|---|")
    out.extend(_query_rows(rows, "per_query_p50", 1))
    out.append(
        "\n| poles | heavy query, one client | ours over HTTP | pyoxigraph in-process | ratio | baseline |"
    )
    out.append("|---|---|---|---|---|---|")
    out.extend(_query_rows(rows, "sequential", 2))
    out.append(
        "\n| poles | pole page p50 / p95 | pole Turtle p50 / p95 | pole IRI, 303 then page, p50 / p95 |"
    )
    out.append("|---|---|---|---|")
    for row in rows:
        pages = row["pages"]
        if pages.get("timed_out"):
            out.append(f"| {row['poles']:,} | > {pages['timed_out']:g} s (one probe, timed out) | – | – |")
            continue
        cells = " | ".join(
            f"{_f(pages[k][0])} / {_f(pages[k][1])}" for k in ("page", "turtle", "dereference")
        )
        out.append(f"| {row['poles']:,} | {cells} |")
    out.append("\n| contribution triples | our validator s | plain pyshacl s |")
    out.append("|---|---|---|")
    for item in validation:
        out.append(f"| {item['triples']:,} | {_f(item['ours'], 2)} | {_f(item['pyshacl'], 2)} |")
    out += _targets(rows)
    for row in rows:
        for side in ("ours", "baseline"):
            for error in row.get(side, {}).get("errors", [])[:5]:
                out.append(f"\nError ({side}, {row['poles']:,} poles): {error}")
    table.write_text("\n".join(out) + "\n", encoding="utf-8")
    _plot(rows, plot)


def _targets(rows: list[dict]) -> list[str]:
    """The issue's targets against the measured ratios (on 10,000 poles when measured, else the largest)."""
    by_size = {row["poles"]: row for row in rows}
    row = by_size.get(10_000) or rows[-1]
    ours, base = row["ours"], row.get("baseline")
    out = [f"\n| target (on {row['poles']:,} poles) | measured | met |", "|---|---|---|"]
    if base:
        ratio = ours["throughput"] / base["throughput"]
        out.append(
            f"| query-mix throughput >= 10x rdflib-endpoint | {ratio:.1f}x "
            f"| {'yes' if ratio >= 10 else 'no'} |"
        )
    for name, value in ours.get("sequential", {}).items():
        ratio = value / max(row["in_process"]["per_query_p50"][name], 0.001)
        out.append(
            f"| {name} within 1.5x of pyoxigraph in-process | {ratio:.2f}x "
            f"| {'yes' if ratio <= 1.5 else 'no'} |"
        )
    page = row["pages"]["page"][0]
    out.append(f"| pole page p50 < 20 ms | {page:.1f} ms | {'yes' if page < 20 else 'no'} |")
    out.append(
        f"| start-up < 5 s (in memory) | {ours['startup']:.2f} s | {'yes' if ours['startup'] < 5 else 'no'} |"
    )
    disk = ours["startup_disk"]
    out.append(f"| start-up < 2 s (existing disk store) | {disk:.2f} s | {'yes' if disk < 2 else 'no'} |")
    small, large = rows[0], rows[-1]
    if large is not small:
        growth = large["triples"] / small["triples"]
        for label, pick in (
            ("query-mix p50", lambda r: r["ours"]["p50"]),
            ("start-up", lambda r: r["ours"]["startup"]),
            ("heavy queries, one client (sum)", lambda r: sum(r["ours"]["sequential"].values())),
            ("pole page p50", lambda r: r["pages"]["page"][0]),
        ):
            factor = pick(large) / pick(small)
            out.append(
                f"| {label} grows no faster than data ({growth:.0f}x triples) | {factor:.1f}x "
                f"| {'yes' if factor <= growth else 'no'} |"
            )
    return out


def _plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    triples = [row["triples"] for row in rows]
    figure, axis = pyplot.subplots(figsize=(7, 4.5))
    series = {
        "ours: query-mix p50 (HTTP)": [row["ours"]["p50"] for row in rows],
        "ours: pole page p50": [
            row["pages"]["page"][0] if row["pages"]["page"][0] < float("inf") else float("nan")
            for row in rows
        ],
        "ours: heavy queries, one client (sum)": [sum(row["ours"]["sequential"].values()) for row in rows],
        "ours: start-up (ms)": [row["ours"]["startup"] * 1000 for row in rows],
        "pyoxigraph in-process: mix total": [
            sum(row["in_process"]["per_query_p50"].values()) for row in rows
        ],
    }
    for label, values in series.items():
        axis.plot(triples, values, marker="o", label=label)
    with_base = [row for row in rows if "baseline" in row]
    if with_base:
        axis.plot(
            [r["triples"] for r in with_base],
            [r["baseline"]["p50"] for r in with_base],
            marker="s",
            linestyle="--",
            label="plain rdflib-endpoint: query-mix p50",
        )
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("triples in the dataset")
    axis.set_ylabel("milliseconds")
    axis.set_title("PTCE Graph: cost against size")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
