#!/usr/bin/env python3
"""Figures of a training run directory (`spinnet run` of an rf_network or software_mlp config,
`spinnet train`; docs/rfnet.md): learning_curves.png (history.csv), confusion.png (confusion.csv),
resonances.png (resonances.csv: learned resonances against the input tones), variability.png
(variability.csv: accuracy against per-chip spread; also from `spinnet evaluate --out DIR`).
Prints the path of every figure written.
Usage: plot_training.py RUN_DIR. Needs matplotlib (Debian python3-matplotlib)."""
import csv
import json
import os
import sys

import plot_common

PROGRAM = "plot_training.py"


def fail(message):
    plot_common.fail(PROGRAM, message)


def read_csv(path):
    """Rows of a CSV file with a header, as dictionaries (values as text)."""
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def number(text):
    """A CSV cell as a float; an empty cell (no such value, e.g. no validation split) is None."""
    return float(text) if text not in ("", None) else None


def run_name(run):
    summary = os.path.join(run, "summary.json")
    try:
        with open(summary) as f:
            s = json.load(f)
        return f"{s.get('name', os.path.basename(run))} ({s.get('model', '')}, {s.get('data_set', '')})"
    except (OSError, ValueError):
        return os.path.basename(os.path.normpath(run))


def main():
    if len(sys.argv) != 2:
        fail("usage: plot_training.py RUN_DIR")
    run = sys.argv[1]
    if not os.path.isdir(run):
        fail(f"{run}: not a directory")
    _, plt = plot_common.import_plotting(PROGRAM)
    from matplotlib.ticker import MaxNLocator
    title = run_name(run)
    written = []

    def save(fig, name):
        path = os.path.join(run, name)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
        written.append(path)

    history = os.path.join(run, "history.csv")
    if os.path.exists(history):
        rows = read_csv(history)
        epoch = [int(r["epoch"]) for r in rows]
        validation_loss = [number(r["validation_loss"]) for r in rows]
        validation_accuracy = [number(r["validation_accuracy"]) for r in rows]
        fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
        fig.suptitle(f"{title}: learning curves")
        a.plot(epoch, [float(r["train_loss"]) for r in rows], "o-" if len(rows) < 30 else "-", label="train")
        if any(v is not None for v in validation_loss):
            a.plot(epoch, validation_loss, label="validation")
        a.set_xlabel("epoch"); a.set_ylabel("cross-entropy loss"); a.set_yscale("log"); a.legend()
        b.plot(epoch, [100 * float(r["train_accuracy"]) for r in rows], "o-" if len(rows) < 30 else "-", label="train")
        if any(v is not None for v in validation_accuracy):
            b.plot(epoch, [None if v is None else 100 * v for v in validation_accuracy], label="validation")
        b.set_xlabel("epoch"); b.set_ylabel("accuracy (%)"); b.legend()
        for ax in (a, b):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        save(fig, "learning_curves.png")

    confusion = os.path.join(run, "confusion.csv")
    if os.path.exists(confusion):
        with open(confusion, newline="") as f:
            table = list(csv.reader(f))
        names = table[0][1:]
        matrix = [[int(x) for x in row[1:]] for row in table[1:]]
        fig, ax = plt.subplots(figsize=(6, 5))
        ax.set_title(f"{title}: test confusion matrix", fontsize=9)
        im = ax.imshow(matrix, cmap="Blues")
        for i, row in enumerate(matrix):
            for j, n in enumerate(row):
                if n:
                    ax.text(j, i, str(n), ha="center", va="center", fontsize=7)
        ax.set_xticks(range(len(names))); ax.set_xticklabels(names, rotation=90, fontsize=7)
        ax.set_yticks(range(len(names))); ax.set_yticklabels([r[0] for r in table[1:]], fontsize=7)
        ax.set_xlabel("predicted"); ax.set_ylabel("true"); fig.colorbar(im, label="test samples")
        save(fig, "confusion.png")

    resonances = os.path.join(run, "resonances.csv")
    if os.path.exists(resonances):
        rows = read_csv(resonances)
        layers = sorted({int(r["layer"]) for r in rows})
        fig, axes = plt.subplots(len(layers), 1, figsize=(10, 3 * len(layers)), squeeze=False)
        fig.suptitle(f"{title}: learned resonances")
        for ax, layer in zip(axes[:, 0], layers):
            tones = [float(r["frequency_GHz"]) for r in rows if r["kind"] == "tone" and int(r["layer"]) == layer]
            res = [r for r in rows if r["kind"] == "resonance" and int(r["layer"]) == layer]
            for t in tones:
                ax.axvline(t, color="0.85", lw=0.5, zorder=0)
            ax.scatter([float(r["frequency_GHz"]) for r in res], [int(r["chain"]) for r in res], s=2,
                       c=["tab:red" if r["orientation"] == "1" else "tab:blue" for r in res])
            ax.set_xlabel("frequency (GHz): learned resonances (red s=+1, blue s=-1), input tones (grey)")
            ax.set_ylabel(f"layer {layer} chain")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        save(fig, "resonances.png")

    variability = os.path.join(run, "variability.csv")
    if os.path.exists(variability):
        rows = read_csv(variability)
        calibration = None
        try:
            with open(os.path.join(run, "resolved.json")) as f:
                calibration = json.load(f).get("variability", {}).get("calibration_precision")
        except (OSError, ValueError):
            pass
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        ax.set_title(f"{title}: accuracy over fabricated chips", fontsize=9)
        for (parameter, calibrated) in sorted({(r["parameter"], r["calibrated"]) for r in rows}):
            sel = [r for r in rows if r["parameter"] == parameter and r["calibrated"] == calibrated]
            x = [100 * float(r["spread"]) for r in sel]
            y = [100 * float(r["mean_accuracy"]) for r in sel]
            lo = [100 * float(r["p05_accuracy"]) for r in sel]
            hi = [100 * float(r["max_accuracy"]) for r in sel]
            # What each curve is: the spread drawn, and for calibrated curves what was calibrated.
            label = f"{parameter} spread"
            if calibrated == "1":
                label += ", resonances calibrated" + (f" to {100 * calibration:g} %" if calibration and calibration > 0 else "")
            label += f" ({sel[0]['chips']} chips)"
            line, = ax.plot(x, y, "o-" if calibrated == "0" else "s--", label=label)
            ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.15)
        ax.set_xscale("log"); ax.set_xlabel("per-chip relative spread (%)")
        ax.set_ylabel("test accuracy (%): mean, band 5th pct - max"); ax.legend(fontsize=7)
        save(fig, "variability.png")

    for path in written:
        print(path)
    if not written:
        print(f"{PROGRAM}: note: nothing to draw in {run}", file=sys.stderr)


if __name__ == "__main__":
    main()
