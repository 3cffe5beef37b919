"""The README's table of RPC calls and median milliseconds per operation, several Odoo versions side
by side, from files written by `bench_odoo.py --json` (not a test).

    .venv/bin/python tests/bench/odoo_table.py bench17.json bench18.json bench19.json
"""

import json
import sys
from pathlib import Path
from typing import Any


def table(runs: list[dict[str, Any]]) -> str:
    heads = [f"Odoo {run['version']} ({run['transport']})" for run in runs]
    lines = [
        "| operation | " + " | ".join(f"{head} calls | ms" for head in heads) + " |",
        "|---|" + "---:|---:|" * len(runs),
    ]
    names = list(dict.fromkeys(name for run in runs for name in run["operations"]))
    for name in names:
        cells = []
        for run in runs:
            row = run["operations"].get(name)
            cells.append(f"{row['calls']:.0f} | {row['ms']:.0f}" if row else "– | –")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for run, head in zip(runs, heads, strict=True):
        full = run["operations"].get("catalog, full pull", {})
        lines.append(
            f"\n{head}: {run['measured']}, median of {run['rounds']}, load average {run['load'][0]} → {run['load'][1]};"
            f" the full pull held {full.get('gtins', '?')} product GTINs and {full.get('lots', '?')} lots"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table([json.loads(Path(name).read_text()) for name in sys.argv[1:]]))
