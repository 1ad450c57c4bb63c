"""Write the figures section of bench/README.md, and the plot bench/results.png, from bench/results.json.

``bench/run.py`` calls :func:`write_report` after a run. To regenerate the section from the stored results
(no benchmark run, standard library only)::

    .venv/bin/python bench/report.py            # rewrites the section between the markers of bench/README.md
    .venv/bin/python bench/report.py --plot     # also redraws bench/results.png (needs the [bench] extra)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
README = HERE / "README.md"
PLOT = HERE / "results.png"
START = "<!-- results:start -->"
END = "<!-- results:end -->"


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


def _peers(peers: dict) -> list[str]:
    """The tables of ``bench/peers.py``: our server against ``oxigraph serve``, with the machine and load."""
    spec = peers["machine"]
    out = [
        "\n### Against the engine's own server (`oxigraph serve`)\n",
        f"Command: `.venv/bin/python bench/peers.py {peers['command']}` on {spec['cores']} cores "
        f"({spec['cpu']}, {spec['memory_mb']:,} MB, Python {spec['python']}); the 1-minute load average "
        "before and after each server's measurements is in the last column.\n",
        "| poles | server | mix req/s, 4 clients | mix req/s, 16 clients | `ASK {}` p50 / p95 / max "
        "under 16 heavy clients | tree PSS MB | load average |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in peers["rows"]:
        variants = row.get("variants", []) + ([row["before"]] if "before" in row else [])
        servers = [(item, "ours, with " + ", ".join(item["settings"])) for item in variants]
        servers.append((row["ours"], "ours (`ptce serve`, defaults)"))
        servers.append((row.get("oxigraph"), "`oxigraph serve` (in memory)"))
        servers.append((row.get("oxigraph_disk"), "`oxigraph serve --location` (on disk)"))
        for item, label in servers:
            if item is None:
                continue
            cheap = item["cheap_under_load"]
            load = f"{item['load_before'][0]:.2f} → {item['load_after'][0]:.2f}"
            out.append(
                f"| {row['poles']:,} | {label} | {_f(item['mix_4']['throughput'])} "
                f"| {_f(item['mix_16']['throughput'])} "
                f"| {_f(cheap['p50'])} / {_f(cheap['p95'])} / {_f(cheap['max'])} "
                f"| {_f(item['tree_pss'], 0)} | {load} |"
            )
    out += _one_client(peers["rows"])
    out += ["\n| target (issue 14) | poles | measured | met |", "|---|---|---|---|"]
    for row in peers["rows"]:
        ours, peer, size = row["ours"], row["oxigraph"], f"{row['poles']:,}"
        four, sixteen = ours["mix_4"]["throughput"], ours["mix_16"]["throughput"]
        p95, memory = ours["cheap_under_load"]["p95"], ours["tree_pss"] / peer["tree_pss"]
        checks = [
            (f"mix at {n} clients >= 0.9x Oxigraph's server", f"{ratio:.2f}x", ratio >= 0.9)
            for n in (4, 16)
            for ratio in [ours[f"mix_{n}"]["throughput"] / peer[f"mix_{n}"]["throughput"]]
        ]
        checks += [
            ("mix not lower at 16 clients than at 4", f"{_f(sixteen)} vs {_f(four)} req/s", sixteen >= four),
            ("`ASK {}` p95 < 20 ms under 16 heavy clients", f"{_f(p95)} ms", p95 < 20),
            ("memory (PSS) <= 1.5x Oxigraph's server", f"{memory:.1f}x", memory <= 1.5),
        ]
        out += [f"| {label} | {size} | {value} | {'yes' if met else 'no'} |" for label, value, met in checks]
    return out


def _machine(spec: dict | None) -> str:
    if spec is None:
        return "2 cores"
    return f"{spec['cores']} cores ({spec['cpu']}, {spec['memory_mb']:,} MB, Python {spec['python']})"


def _load(row: dict) -> str:
    if "load_before" not in row:
        return "–"
    return f"{row['load_before'][0]:.2f} → {row['load_after'][0]:.2f}"


def _one_client(rows: list[dict]) -> list[str]:
    """Each query of the mix sent alone by one client (median ms): where the throughput gap comes from."""
    rows = [row for row in rows if "one_client" in row["ours"] and "oxigraph" in row]
    if not rows:
        return []
    out = [
        "\nEach query sent alone by one client (median of 5, ms), and pyoxigraph in-process (rows iterated, "
        "nothing serialised):\n",
        "| poles | query | ours | `oxigraph serve` | ours / oxigraph | pyoxigraph in-process |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        ours, peer, local = (
            row["ours"]["one_client"],
            row["oxigraph"]["one_client"],
            row.get("in_process", {}),
        )
        for name, value in ours.items():
            inside = f"{local[name]:.2f}" if name in local else "–"
            out.append(
                f"| {row['poles']:,} | {name} | {_f(value)} | {_f(peer[name])} "
                f"| {value / max(peer[name], 0.001):.2f}x | {inside} |"
            )
    return out


def render(
    rows: list[dict],
    validation: list[dict],
    command: str,
    peers: dict | None = None,
    machine: dict | None = None,
) -> str:
    """The figures section (Markdown, without its markers) from the rows of ``bench/run.py`` and, when
    measured, the comparison of ``bench/peers.py``."""
    out = [
        "<!-- Generated by `python bench/report.py` from bench/results.json: do not edit by hand. -->\n",
        f"Command: `.venv/bin/python bench/run.py {command}` on {_machine(machine)}; medians in ms unless "
        "stated; the 1-minute load average before and after each size is in the first table.\n",
        "![cost against size](results.png)\n",
        "### Start-up and memory\n",
    ]
    out.append(
        "| poles | triples | start-up (memory) s | start-up (existing disk store) s | server peak RSS MB "
        "| server + workers PSS MB | baseline start-up s | baseline RSS MB | load average |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        ours, base = row["ours"], row.get("baseline")
        out.append(
            f"| {row['poles']:,} | {row['triples']:,} | {_f(ours['startup'], 2)} "
            f"| {_f(ours['startup_disk'], 2)} "
            f"| {_f(ours['rss'], 0)} | {_f(ours.get('tree_pss', float('nan')), 0)} "
            f"| {_f(base['startup'], 2) if base else '–'} "
            f"| {_f(base['rss'], 0) if base else '–'} | {_load(row)} |"
        )
    out.append("\n### Query mix (4 concurrent clients)\n")
    out.append(
        "| poles | query mix: ours req/s | baseline req/s | ratio | ours p50 / p95 | baseline p50 / p95 |"
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
    out.append("\n### Each query of the mix\n")
    out.append(
        "| poles | query | ours over HTTP | pyoxigraph in-process | ours / in-process | baseline over HTTP |"
    )
    out.append("|---|---|---|---|---|---|")
    out.extend(_query_rows(rows, "per_query_p50", 1))
    out.append("\n### Heavy queries, one client\n")
    out.append(
        "| poles | heavy query, one client | ours over HTTP | pyoxigraph in-process | ratio | baseline |"
    )
    out.append("|---|---|---|---|---|---|")
    out.extend(_query_rows(rows, "sequential", 2))
    out.append("\n### Pages\n")
    out.append("| poles | pole page p50 / p95 | pole Turtle p50 / p95 | pole IRI, 303 then page, p50 / p95 |")
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
    out.append("\n### Validation of a contribution\n")
    out.append("| contribution triples | our validator s | plain pyshacl s |")
    out.append("|---|---|---|")
    for item in validation:
        out.append(f"| {item['triples']:,} | {_f(item['ours'], 2)} | {_f(item['pyshacl'], 2)} |")
    out += _targets(rows)
    if peers:
        out += _peers(peers)
    for row in rows:
        for side in ("ours", "baseline"):
            for error in row.get(side, {}).get("errors", [])[:5]:
                out.append(f"\nError ({side}, {row['poles']:,} poles): {error}")
    return "\n".join(out) + "\n"


def write_section(readme: Path, section: str) -> None:
    """Put ``section`` between the markers of ``readme`` (the hand-written text around them is kept)."""
    text = readme.read_text(encoding="utf-8")
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not (start and end):
        raise SystemExit(f"{readme}: the markers {START} and {END} are missing")
    readme.write_text(f"{head}{START}\n{section}{END}{tail}", encoding="utf-8")


def write_report(
    rows: list[dict],
    validation: list[dict],
    readme: Path,
    plot: Path | None,
    command: str,
    peers: dict | None = None,
    machine: dict | None = None,
) -> str:
    """Write the figures section of ``readme`` and, unless ``plot`` is None, the plot; return the section."""
    section = render(rows, validation, command, peers, machine)
    write_section(readme, section)
    if plot is not None:
        _plot(rows, plot)
    return section


def _targets(rows: list[dict]) -> list[str]:
    """The issue's targets against the measured ratios (on 10,000 poles when measured, else the largest)."""
    by_size = {row["poles"]: row for row in rows}
    row = by_size.get(10_000) or rows[-1]
    ours, base = row["ours"], row.get("baseline")
    out = ["\n### Against the targets\n"]
    out += [f"| target (on {row['poles']:,} poles) | measured | met |", "|---|---|---|"]
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


def main() -> None:
    """Regenerate the figures section of bench/README.md (and, with --plot, the plot) from results.json."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="results of bench/run.py")
    parser.add_argument("--readme", type=Path, default=README, help="Markdown file with the markers")
    parser.add_argument("--plot", action="store_true", help=f"also redraw {PLOT.name} (needs matplotlib)")
    args = parser.parse_args()
    data = json.loads(args.results.read_text(encoding="utf-8"))
    plot = PLOT if args.plot else None
    write_report(
        data["rows"],
        data["validation"],
        args.readme,
        plot,
        data["command"],
        data.get("peers"),
        data.get("machine"),
    )


if __name__ == "__main__":
    main()
