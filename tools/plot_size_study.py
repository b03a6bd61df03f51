#!/usr/bin/env python3
"""Figure of a `spinnet size-study` directory (docs/rfnet.md, "Network-size study"): size_study.png
with two panels from size_study.csv: test accuracy against hidden width (one line per depth, error
bars = sample standard deviation over seeds; the software MLP of the same shape dashed) and
training throughput (samples/s, best epoch, mean over seeds) against width, log-log.
Usage: plot_size_study.py STUDY_DIR. Needs matplotlib (Debian python3-matplotlib)."""
import csv
import os
import sys

import plot_common


def fail(message):
    plot_common.fail("plot_size_study.py", message)


def main():
    if len(sys.argv) != 2:
        fail("usage: plot_size_study.py STUDY_DIR")
    study = sys.argv[1]
    table = os.path.join(study, "size_study.csv")
    if not os.path.isfile(table):
        fail(f"{table}: not found (run spinnet size-study first)")
    _, plt = plot_common.import_plotting("plot_size_study.py")
    with open(table, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        fail(f"{table}: no runs yet")

    fig, (acc, speed) = plt.subplots(1, 2, figsize=(10, 4))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    depths = sorted({int(r["depth"]) for r in rows})
    for i, depth in enumerate(depths):
        color = colors[i % len(colors)]
        for model, style, name in (("rf_network", "o-", "RF"), ("software_mlp", "s--", "MLP")):
            sel = sorted((r for r in rows if r["model"] == model and int(r["depth"]) == depth),
                         key=lambda r: int(r["width"]))
            if not sel:
                continue
            width = [int(r["width"]) for r in sel]
            label = f"{name}, {depth} hidden layer{'s' if depth > 1 else ''}"
            acc.errorbar(width, [100 * float(r["mean_test_accuracy"]) for r in sel],
                         yerr=[100 * float(r["std_test_accuracy"]) for r in sel], fmt=style, color=color,
                         capsize=3, ms=4, label=label, alpha=1.0 if model == "rf_network" else 0.6)
            speed.plot(width, [float(r["train_samples_per_second"]) for r in sel], style, color=color, ms=4,
                       label=label, alpha=1.0 if model == "rf_network" else 0.6)
    seeds = sorted({r["seeds"] for r in rows})
    acc.set_xscale("log", base=2)
    acc.set_xlabel("hidden width (chains per layer)")
    seed_word = "seed" if seeds == ["1"] else "seeds"
    acc.set_ylabel(f"test accuracy (%): mean +- std over {'/'.join(seeds)} {seed_word}")
    acc.set_title("accuracy against network size", fontsize=9)
    acc.legend(fontsize=7)
    speed.set_xscale("log", base=2)
    speed.set_yscale("log")
    # Plain numbers on the log axis (1e4, 3e4 ... as 10000, 30000) rather than bare powers of ten.
    from matplotlib.ticker import LogLocator, FuncFormatter
    speed.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    speed.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
    speed.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    speed.set_title("training throughput against network size", fontsize=9)
    speed.set_xlabel("hidden width (chains per layer)")
    speed.set_ylabel("training throughput (samples/s, best epoch)")
    speed.legend(fontsize=7)
    fig.tight_layout()
    path = os.path.join(study, "size_study.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(path)


if __name__ == "__main__":
    main()
