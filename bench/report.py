"""Turn benchmark measurements into a Markdown table and a PNG plot of cost against size."""

from __future__ import annotations

from pathlib import Path


def _f(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def write_report(rows: list[dict], validation: list[dict], table: Path, plot: Path, command: str) -> None:
    """Write ``table`` (Markdown) and ``plot`` (PNG) from the rows of ``bench/run.py``."""
    out = [f"Command: `.venv/bin/python bench/run.py {command}` (2 cores; medians in ms unless stated)\n"]
    out.append("| poles | triples | start-up (memory) s | start-up (existing disk store) s | server peak RSS MB "
               "| baseline start-up s | baseline RSS MB |")
    out.append("|---|---|---|---|---|---|---|")
    for row in rows:
        ours, base = row["ours"], row.get("baseline")
        out.append(
            f"| {row['poles']:,} | {row['triples']:,} | {_f(ours['startup'], 2)} | {_f(ours['startup_disk'], 2)} "
            f"| {_f(ours['rss'], 0)} | {_f(base['startup'], 2) if base else '–'} "
            f"| {_f(base['rss'], 0) if base else '–'} |"
        )
    out.append("\n| poles | query mix: ours req/s | baseline req/s | ratio | ours p50 / p95 | baseline p50 / p95 |")
    out.append("|---|---|---|---|---|---|")
    for row in rows:
        ours, base = row["ours"], row.get("baseline")
        ratio = f"{ours['throughput'] / base['throughput']:.1f}x" if base else "–"
        out.append(
            f"| {row['poles']:,} | {_f(ours['throughput'])} | {_f(base['throughput'], 2) if base else '–'} | {ratio} "
            f"| {_f(ours['p50'])} / {_f(ours['p95'])} | "
            + (f"{_f(base['p50'])} / {_f(base['p95'])} |" if base else "– |")
        )
    out.append("\n| poles | query | ours over HTTP | pyoxigraph in-process | ours / in-process | baseline over HTTP |")
    out.append("|---|---|---|---|---|---|")
    for row in rows:
        for name, ours in row["ours"]["per_query_p50"].items():
            limit = row["in_process"]["per_query_p50"][name]
            base = row.get("baseline", {}).get("per_query_p50", {}).get(name)
            out.append(
                f"| {row['poles']:,} | {name} | {_f(ours)} | {_f(limit, 2)} | {ours / max(limit, 0.001):.1f}x "
                f"| {_f(base) if base else '–'} |"
            )
    out.append("\n| poles | pole page p50 / p95 | pole Turtle p50 / p95 |")
    out.append("|---|---|---|")
    for row in rows:
        page, turtle = row["pages"]["page"], row["pages"]["turtle"]
        out.append(f"| {row['poles']:,} | {_f(page[0])} / {_f(page[1])} | {_f(turtle[0])} / {_f(turtle[1])} |")
    out.append("\n| contribution triples | our validator s | plain pyshacl s |")
    out.append("|---|---|---|")
    for item in validation:
        out.append(f"| {item['triples']:,} | {_f(item['ours'], 2)} | {_f(item['pyshacl'], 2)} |")
    table.write_text("\n".join(out) + "\n", encoding="utf-8")
    _plot(rows, plot)


def _plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    triples = [row["triples"] for row in rows]
    figure, axis = pyplot.subplots(figsize=(7, 4.5))
    series = {
        "ours: query-mix p50 (HTTP)": [row["ours"]["p50"] for row in rows],
        "ours: pole page p50": [row["pages"]["page"][0] for row in rows],
        "ours: start-up (ms)": [row["ours"]["startup"] * 1000 for row in rows],
        "pyoxigraph in-process: mix total": [sum(row["in_process"]["per_query_p50"].values()) for row in rows],
    }
    for label, values in series.items():
        axis.plot(triples, values, marker="o", label=label)
    with_base = [row for row in rows if "baseline" in row]
    if with_base:
        axis.plot([r["triples"] for r in with_base], [r["baseline"]["p50"] for r in with_base], marker="s",
                  linestyle="--", label="plain rdflib-endpoint: query-mix p50")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("triples in the dataset")
    axis.set_ylabel("milliseconds")
    axis.set_title("PTCE Graph: cost against size")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
