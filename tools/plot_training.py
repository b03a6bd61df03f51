#!/usr/bin/env python3
"""Figures of a `spinnet train` run directory (docs/rfnet.md): learning_curves.png (history.csv),
confusion.png (confusion.csv), resonances.png (resonances.csv: learned resonances against the input
tones), variability.png (variability.csv: accuracy against per-chip spread).
Usage: plot_training.py RUN_DIR. Needs matplotlib (Debian python3-matplotlib)."""
import csv
import os
import sys

import plot_common


def fail(message):
    plot_common.fail("plot_training.py", message)


def main():
    if len(sys.argv) != 2:
        fail("usage: plot_training.py RUN_DIR")
    run = sys.argv[1]
    if not os.path.isdir(run):
        fail(f"{run}: not a directory")
    _, plt = plot_common.import_plotting("plot_training.py")

    history = os.path.join(run, "history.csv")
    if os.path.exists(history):
        rows = read_csv(history)
        epoch = [int(r["epoch"]) for r in rows]
        fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
        a.plot(epoch, [float(r["train_loss"]) for r in rows], label="train")
        if any(float(r["validation_loss"]) > 0 for r in rows):
            a.plot(epoch, [float(r["validation_loss"]) for r in rows], label="validation")
        a.set_xlabel("epoch"); a.set_ylabel("cross-entropy loss"); a.set_yscale("log"); a.legend()
        b.plot(epoch, [100 * float(r["train_accuracy"]) for r in rows], label="train")
        if any(float(r["validation_accuracy"]) > 0 for r in rows):
            b.plot(epoch, [100 * float(r["validation_accuracy"]) for r in rows], label="validation")
        b.set_xlabel("epoch"); b.set_ylabel("accuracy (%)"); b.legend()
        fig.tight_layout(); fig.savefig(os.path.join(run, "learning_curves.png"), dpi=120); plt.close(fig)

    confusion = os.path.join(run, "confusion.csv")
    if os.path.exists(confusion):
        with open(confusion, newline="") as f:
            table = list(csv.reader(f))
        names = table[0][1:]
        matrix = [[int(x) for x in row[1:]] for row in table[1:]]
        fig, ax = plt.subplots(figsize=(6, 5))
        im = ax.imshow(matrix, cmap="Blues")
        for i, row in enumerate(matrix):
            for j, n in enumerate(row):
                if n:
                    ax.text(j, i, str(n), ha="center", va="center", fontsize=7)
        ax.set_xticks(range(len(names))); ax.set_xticklabels(names, rotation=90, fontsize=7)
        ax.set_yticks(range(len(names))); ax.set_yticklabels([r[0] for r in table[1:]], fontsize=7)
        ax.set_xlabel("predicted"); ax.set_ylabel("true"); fig.colorbar(im)
        fig.tight_layout(); fig.savefig(os.path.join(run, "confusion.png"), dpi=120); plt.close(fig)

    resonances = os.path.join(run, "resonances.csv")
    if os.path.exists(resonances):
        rows = read_csv(resonances)
        layers = sorted({int(r["layer"]) for r in rows})
        fig, axes = plt.subplots(len(layers), 1, figsize=(10, 3 * len(layers)), squeeze=False)
        for ax, layer in zip(axes[:, 0], layers):
            tones = [float(r["frequency_GHz"]) for r in rows if r["kind"] == "tone" and int(r["layer"]) == layer]
            res = [r for r in rows if r["kind"] == "resonance" and int(r["layer"]) == layer]
            for t in tones:
                ax.axvline(t, color="0.85", lw=0.5, zorder=0)
            ax.scatter([float(r["frequency_GHz"]) for r in res], [int(r["chain"]) for r in res], s=2,
                       c=["tab:red" if r["orientation"] == "1" else "tab:blue" for r in res])
            ax.set_xlabel("frequency (GHz): learned resonances (red s=+1, blue s=-1), input tones (grey)")
            ax.set_ylabel(f"layer {layer} chain")
        fig.tight_layout(); fig.savefig(os.path.join(run, "resonances.png"), dpi=120); plt.close(fig)

    variability = os.path.join(run, "variability.csv")
    if os.path.exists(variability):
        rows = read_csv(variability)
        fig, ax = plt.subplots(figsize=(6, 4))
        for (parameter, calibrated) in sorted({(r["parameter"], r["calibrated"]) for r in rows}):
            sel = [r for r in rows if r["parameter"] == parameter and r["calibrated"] == calibrated]
            x = [100 * float(r["spread"]) for r in sel]
            y = [100 * float(r["mean_accuracy"]) for r in sel]
            lo = [100 * float(r["p05_accuracy"]) for r in sel]
            hi = [100 * float(r["max_accuracy"]) for r in sel]
            label = parameter + (" (calibrated)" if calibrated == "1" else "") + f", {sel[0]['chips']} chips"
            line, = ax.plot(x, y, "o-" if calibrated == "0" else "s--", label=label)
            ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.15)
        ax.set_xscale("log"); ax.set_xlabel("per-chip relative spread (%)")
        ax.set_ylabel("test accuracy (%): mean, band 5th pct - max"); ax.legend(fontsize=8)
        fig.tight_layout(); fig.savefig(os.path.join(run, "variability.png"), dpi=120); plt.close(fig)


if __name__ == "__main__":
    main()
