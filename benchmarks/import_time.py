"""`import bootgate` against `import anyio` in the same interpreter and venv.

Each line is the median over fresh interpreters of `python -c "..."`. `import bootgate` alone
loads only the lazy front door; `bootgate.Boot` loads the whole engine (and anyio's task
machinery), which is what an application pays. `-X importtime` lists bootgate's modules by self
time for the engine line. Byte code is compiled first, as an installed package has it.

    .venv/bin/python benchmarks/import_time.py [--runs 30]
"""

from __future__ import annotations

import argparse
import compileall
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path


def wall(code: str, runs: int) -> float:
    """Median wall time in seconds of `python -c code` over `runs` fresh interpreters."""
    samples = []
    for _ in range(runs):
        begin = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        samples.append(time.perf_counter() - begin)
    return statistics.median(samples)


def own_modules_us(runs: int) -> tuple[float, list[tuple[str, int]]]:
    """Median total self time of bootgate's modules (µs), and the modules of the last run."""
    totals = []
    rows: list[tuple[str, int]] = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import bootgate; bootgate.Boot"],
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        rows = [
            (m.group(3).strip(), int(m.group(1)))
            for m in re.finditer(r"import time:\s+(\d+) \|\s+(\d+) \|(.*)", out)
            if m.group(3).strip().startswith("bootgate")
        ]
        totals.append(sum(us for _, us in rows))
    return statistics.median(totals), rows


def main() -> None:
    """Print the medians, the difference, and bootgate's module list."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    import bootgate

    compileall.compile_dir(str(Path(bootgate.__file__).parent), quiet=1)
    lines = {
        "python -c pass": "pass",
        "import anyio": "import anyio",
        "import anyio + Event (task machinery)": "import anyio; anyio.Event",
        "import bootgate": "import bootgate",
        "import bootgate; bootgate.Boot (engine)": "import bootgate; bootgate.Boot",
    }
    times = {label: wall(code, runs) for label, code in lines.items()}
    own, rows = own_modules_us(runs)
    print(f"median of {runs} fresh interpreters ({sys.version.split()[0]})")
    for label, seconds in times.items():
        print(f"{label:<42} {seconds * 1000:7.1f} ms")
    base = times["import anyio + Event (task machinery)"]
    engine = times["import bootgate; bootgate.Boot (engine)"]
    print(f"{'engine over anyio + Event':<42} {(engine - base) * 1000:7.1f} ms")
    print(f"bootgate's own modules (-X importtime self time, engine) {own / 1000:.1f} ms:")
    for name, us in sorted(rows, key=lambda r: -r[1]):
        print(f"    {name:<24} {us:>6} µs")


if __name__ == "__main__":
    main()
