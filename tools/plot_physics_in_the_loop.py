#!/usr/bin/env python3
"""Figure of a physics-in-the-loop run directory (`spinnet run` of a physics_in_the_loop config,
`spinnet physics-in-the-loop`; docs/spin_diode.md): physics_in_the_loop.png, every chain's
time-domain output voltage against the compact model's, with the accuracies of both.
Prints the path of the figure. Usage: plot_physics_in_the_loop.py RUN_DIR. Needs matplotlib."""
import json
import os
import sys

import plot_common

PROGRAM = "plot_physics_in_the_loop.py"


def main():
    if len(sys.argv) != 2:
        plot_common.fail(PROGRAM, "usage: plot_physics_in_the_loop.py RUN_DIR")
    run = sys.argv[1]
    result = os.path.join(run, "physics_in_the_loop.json")
    if not os.path.isfile(result):
        plot_common.fail(PROGRAM, f"{result}: not found (run spinnet physics-in-the-loop first)")
    try:
        with open(result) as f:
            r = json.load(f)
        time_domain, compact = r["time_domain_outputs_V"], r["compact_outputs_V"]
    except (OSError, ValueError, KeyError) as error:
        plot_common.fail(PROGRAM, f"{result}: not a physics-in-the-loop result ({error})")
    _, plt = plot_common.import_plotting(PROGRAM)
    fig, ax = plt.subplots(figsize=(5.5, 5))
    xs = [1e3 * v for row in compact for v in row]
    ys = [1e3 * v for row in time_domain for v in row]
    ax.scatter(xs, ys, s=4, alpha=0.6)
    if xs:
        lo, hi = min(xs + ys), max(xs + ys)
        ax.plot([lo, hi], [lo, hi], color="0.6", lw=0.8, label="time domain = compact")
    ax.set_xlabel("compact model output (mV)")
    ax.set_ylabel(f"time-domain output (mV), macrospin junctions at {r.get('temperature_K', 0):g} K")
    ax.set_title(f"{r.get('evaluated_samples', len(time_domain))} test samples: accuracy time domain "
                 f"{100 * r.get('time_domain_accuracy', 0):.1f} %, compact {100 * r.get('compact_accuracy', 0):.1f} %",
                 fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(run, "physics_in_the_loop.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(path)


if __name__ == "__main__":
    main()
