#!/usr/bin/env python3
"""Figures of a reservoir run directory (`spinnet run CONFIG --plot` with "experiment": "reservoir";
docs/reservoir.md):
  spoken digits: example.png (input current and orbit radius for one recording), confusion.png (STNO
    reservoir, validation recordings, one panel per preprocessing), accuracy.png (every method and
    preprocessing, validation and leave-one-speaker-out), sweeps.png (accuracy against N_v, theta and
    temperature, when the run had sweeps);
  sine/square: waveform.png (input, target and reservoir output on the test sequence);
  memory: memory.png (memory capacity and NARMA-10 error against theta and I_dc).
Usage: plot_reservoir.py RUN_DIR. Needs matplotlib (Debian python3-matplotlib)."""
import csv
import json
import os
import sys

import plot_common

PROGRAM = "plot_reservoir.py"


def fail(message):
    plot_common.fail(PROGRAM, message)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def footnote(fig, result):
    timings = result.get("timings", {})
    wall = timings.get("wall_s", result.get("wall_s"))
    text = f"spinnet {result.get('version', '')}, seed {result.get('seed', '')}"
    if wall is not None:
        text += f"; {wall:.0f} s wall time on a shared 2-core CPU (other jobs running)"
    fig.text(0.01, 0.005, text, fontsize=7, color="0.4")


def spoken_digits(run, plt, np, result):
    config = result.get("resolved_config", {})
    trace_file = os.path.join(run, "example_trace.csv")
    nodes_file = os.path.join(run, "example_nodes.csv")
    if os.path.exists(trace_file) and os.path.exists(nodes_file):
        rows = read_csv(trace_file)
        t = np.array([float(r["time_ns"]) for r in rows]) / 1e3
        current = np.array([float(r["current_mA"]) for r in rows])
        radius = np.array([float(r["orbit_radius"]) for r in rows])
        nodes = read_csv(nodes_file)
        # The envelope the reservoir reads: the trace's sample at the end of every node (the fine
        # trace is its own noise realization, so it is taken from it rather than from the batch run).
        per_node = max(1, len(rows) // max(1, len(nodes)))
        node_t = t[per_node - 1::per_node]
        envelope = radius[per_node - 1::per_node]
        with open(nodes_file) as f:
            title = f.readline().lstrip("# ").split(":")[0]
        inp = config.get("input", {})
        fig, axes = plt.subplots(3, 1, figsize=(10, 7.5))
        axes[0].plot(t, current, lw=0.4, color="C0")
        axes[0].set_ylabel("current (mA)")
        axes[0].set_title(f"{title}: I(t) = I_dc + ΔI·mask·features, {inp.get('nodes')} nodes of "
                          f"θ = {inp.get('theta_ns')} ns per frame, T = {config.get('oscillator', {}).get('temperature_K')} K")
        axes[1].plot(t, radius, lw=0.3, color="C1", label="orbit radius s(t)")
        axes[1].plot(node_t, envelope, ".", ms=1, color="k", label="envelope read once per node")
        axes[1].set_ylabel("s = |X| / R")
        axes[1].set_xlabel("time (µs)")
        axes[1].legend(loc="lower right", fontsize=8, markerscale=6)
        zoom = t < t[0] + 60 * (node_t[1] - node_t[0])
        zoom_nodes = node_t < node_t[0] + 60 * (node_t[1] - node_t[0])
        ax = axes[2]
        ax.plot(t[zoom] * 1e3, current[zoom], lw=0.8, color="C0")
        ax.set_ylabel("current (mA)", color="C0")
        twin = ax.twinx()
        twin.plot(t[zoom] * 1e3, radius[zoom], lw=0.8, color="C1")
        twin.plot(node_t[zoom_nodes] * 1e3, envelope[zoom_nodes], "o", ms=3, color="k")
        twin.set_ylabel("s", color="C1")
        ax.set_xlabel("time (ns): the first 60 nodes")
        footnote(fig, result)
        fig.tight_layout(rect=(0, 0.02, 1, 1))
        fig.savefig(os.path.join(run, "example.png"), dpi=120)
        plt.close(fig)

    confusion_file = os.path.join(run, "confusion.csv")
    if os.path.exists(confusion_file):
        rows = [r for r in read_csv(confusion_file) if r["method"] == "stno"]
        preps = list(dict.fromkeys(r["preprocessing"] for r in rows))
        if preps:
            fig, axes = plt.subplots(1, len(preps), figsize=(4.2 * len(preps), 4), squeeze=False)
            accuracy = {(m["preprocessing"], m["method"]): m for m in result.get("methods", [])}
            for ax, prep in zip(axes[0], preps):
                n = 1 + max(int(r["true"]) for r in rows if r["preprocessing"] == prep)
                m = np.zeros((n, n))
                for r in rows:
                    if r["preprocessing"] == prep:
                        m[int(r["true"]), int(r["predicted"])] = int(r["count"])
                ax.imshow(m, cmap="Blues")
                for i in range(n):
                    for j in range(n):
                        if m[i, j]:
                            ax.text(j, i, int(m[i, j]), ha="center", va="center", fontsize=7,
                                    color="w" if m[i, j] > m.max() / 2 else "k")
                a = accuracy.get((prep, "stno"), {}).get("validation_accuracy", float("nan"))
                ax.set_title(f"STNO reservoir, {prep}: {100 * a:.2f} %")
                ax.set_xlabel("predicted digit")
                ax.set_ylabel("spoken digit")
                ax.set_xticks(range(n))
                ax.set_yticks(range(n))
            footnote(fig, result)
            fig.tight_layout(rect=(0, 0.03, 1, 1))
            fig.savefig(os.path.join(run, "confusion.png"), dpi=120)
            plt.close(fig)

    methods = result.get("methods", [])
    if methods:
        preps = list(dict.fromkeys(m["preprocessing"] for m in methods))
        names = list(dict.fromkeys(m["method"] for m in methods))
        label = {"stno": "STNO reservoir", "preprocessing_only": "preprocessing only",
                 "linear": "linear reservoir", "linear_clipped": "linear reservoir + input clip",
                 "esn": "echo-state network"}
        fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
        width = 0.8 / len(names)
        for k, name in enumerate(names):
            for ax, key in ((a, "validation_accuracy"), (b, "leave_one_speaker_out_accuracy")):
                values = []
                for p in preps:
                    m = [x for x in methods if x["preprocessing"] == p and x["method"] == name]
                    v = m[0].get(key) if m else None
                    values.append(100 * v if v is not None else np.nan)
                bars = ax.bar(np.arange(len(preps)) + (k - (len(names) - 1) / 2) * width, values, width,
                              label=label.get(name, name))
                for bar, v in zip(bars, values):
                    if np.isfinite(v):
                        ax.text(bar.get_x() + bar.get_width() / 2, v + 0.5, f"{v:.1f}", ha="center", fontsize=6)
        for ax, title in ((a, "validation takes (speaker-dependent)"), (b, "leave one speaker out")):
            ax.set_xticks(range(len(preps)))
            ax.set_xticklabels(preps)
            ax.set_ylabel("accuracy (%)")
            ax.set_title(title)
        b.legend(fontsize=8, loc="upper right", ncol=2)
        b.set_ylim(0, 120)
        a.set_ylim(0, 120)
        footnote(fig, result)
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        fig.savefig(os.path.join(run, "accuracy.png"), dpi=120)
        plt.close(fig)

    sweeps = result.get("sweeps", [])
    if sweeps:
        params = list(dict.fromkeys(s["parameter"] for s in sweeps))
        xlabel = {"nodes": "virtual nodes N_v", "theta_ns": "node duration θ (ns)", "temperature_K": "temperature (K)"}
        fig, axes = plt.subplots(1, len(params), figsize=(4.2 * len(params), 3.6), squeeze=False)
        for ax, p in zip(axes[0], params):
            points = sorted((s["value"], 100 * s["validation_accuracy"]) for s in sweeps
                            if s["parameter"] == p and s.get("validation_accuracy") is not None)
            ax.plot([x for x, _ in points], [y for _, y in points], "o-")
            for s in sweeps:
                if s["parameter"] == p and s.get("validation_accuracy") is None:
                    ax.axvline(s["value"], color="C3", ls=":", lw=1)
                    ax.text(s["value"], ax.get_ylim()[0], " failed: core left the disk" if "disk" in s.get("failure", "")
                            else " failed", color="C3", fontsize=7, rotation=90, va="bottom")
            ax.set_xlabel(xlabel.get(p, p))
            ax.set_ylabel("validation accuracy (%)")
            if p in ("nodes", "theta_ns"):
                ax.set_xscale("log")
                ax.set_xticks([x for x, _ in points])
                ax.set_xticklabels([f"{x:g}" for x, _ in points])
                ax.minorticks_off()
            ax.grid(alpha=0.3)
        prep = config.get("preprocessing", [{}])[0].get("kind", "")
        fig.suptitle(f"STNO reservoir on {prep}: one parameter changed at a time from the base point", fontsize=10)
        footnote(fig, result)
        fig.tight_layout(rect=(0, 0.03, 1, 0.95))
        fig.savefig(os.path.join(run, "sweeps.png"), dpi=120)
        plt.close(fig)


def sine_square(run, plt, np, result):
    rows = read_csv(os.path.join(run, "waveform.csv"))[:160]
    k = np.arange(len(rows))
    fig, (a, b) = plt.subplots(2, 1, figsize=(10, 5.5), sharex=True)
    a.plot(k, [float(r["input"]) for r in rows], ".-", lw=0.8, label="input")
    a.fill_between(k, -1.2, 1.2, where=[r["is_sine"] == "1" for r in rows], color="C2", alpha=0.15, step="mid",
                   label="sine periods")
    a.set_ylabel("input value")
    a.legend(fontsize=8, loc="upper right")
    envelope = np.array([[float(r[c]) for c in r if c.startswith("envelope_")] for r in rows])
    b.plot(k, [float(r["output"]) for r in rows], ".-", lw=0.8, label="readout output")
    b.plot(k, [float(r["is_sine"]) for r in rows], lw=1.2, color="C2", label="target (1 = sine)")
    b.axhline(0.5, color="0.5", lw=0.5)
    b.set_ylabel("output")
    b.set_xlabel("input point (test sequence)")
    b.legend(fontsize=8, loc="upper right")
    a.set_title(f"sine/square, {result.get('nodes')} nodes of {result.get('theta_ns')} ns per point: test accuracy "
                f"{100 * result.get('test_accuracy', 0):.2f} % (input alone {100 * result.get('input_only_test_accuracy', 0):.1f} %, "
                f"linear reservoir {100 * result.get('linear_reservoir_test_accuracy', 0):.1f} %)", fontsize=9)
    if envelope.size:
        twin = a.twinx()
        twin.plot(k, envelope.mean(axis=1), color="C1", lw=0.8)
        twin.set_ylabel("mean envelope s", color="C1")
    footnote(fig, result)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(os.path.join(run, "waveform.png"), dpi=120)
    plt.close(fig)
    noise = result.get("test_accuracy_by_temperature", [])
    if noise:
        fig, ax = plt.subplots(figsize=(5, 3.5))
        points = sorted((p["temperature_K"], 100 * p["test_accuracy"]) for p in noise)
        ax.plot([t for t, _ in points], [a for _, a in points], "o-")
        ax.set_xlabel("temperature (K)")
        ax.set_ylabel("sine/square test accuracy (%)")
        ax.set_title("accuracy against thermal noise", fontsize=10)
        ax.grid(alpha=0.3)
        footnote(fig, result)
        fig.tight_layout(rect=(0, 0.04, 1, 1))
        fig.savefig(os.path.join(run, "waveform_noise.png"), dpi=120)
        plt.close(fig)


def memory(run, plt, np, result):
    rows = read_csv(os.path.join(run, "memory.csv"))
    recall = read_csv(os.path.join(run, "memory_recall.csv"))
    temperatures = sorted({float(r["temperature_K"]) for r in rows})
    currents = sorted({float(r["current_mA"]) for r in rows})
    thetas = sorted({float(r["theta_ns"]) for r in rows})
    fig, axes = plt.subplots(len(temperatures), 3, figsize=(14, 3.8 * len(temperatures)), squeeze=False)
    for row, temperature in zip(axes, temperatures):
        at = [r for r in rows if float(r["temperature_K"]) == temperature]
        for c in currents:
            pts = sorted((float(r["theta_ns"]), float(r["memory_capacity"]), float(r["narma10_nrmse"]))
                         for r in at if float(r["current_mA"]) == c)
            tau = [float(r["relaxation_time_ns"]) for r in at if float(r["current_mA"]) == c][0]
            label = f"I_dc = {c:g} mA (τ = {tau:.0f} ns)"
            row[0].plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=label)
            row[1].plot([p[0] for p in pts], [p[2] for p in pts], "o-", label=label)
            # Recall against delay at the shortest theta, the delay in units of the relaxation time:
            # a fading memory set by tau falls as exp(-2 d N_v theta / tau).
            frame = [float(r["frame_ns"]) for r in at if float(r["current_mA"]) == c and float(r["theta_ns"]) == thetas[0]][0]
            d = np.array([int(r["delay"]) for r in recall if float(r["temperature_K"]) == temperature
                          and float(r["current_mA"]) == c and float(r["theta_ns"]) == thetas[0]])
            r2 = np.array([float(r["r2"]) for r in recall if float(r["temperature_K"]) == temperature
                           and float(r["current_mA"]) == c and float(r["theta_ns"]) == thetas[0]])
            row[2].semilogy(d * frame / tau, np.maximum(r2, 1e-4), "o-", ms=3, label=label)
        x = np.linspace(0, 3, 50)
        row[2].semilogy(x, 0.8 * np.exp(-2 * x), "k--", lw=1, label="∝ exp(−2 d N_v θ / τ)")
        row[2].set_ylim(1e-3, 1.5)
        row[2].set_xlim(0, 3)
        row[0].set_ylabel(f"memory capacity ({temperature:g} K)")
        row[1].set_ylabel(f"NARMA-10 NRMSE, test ({temperature:g} K)")
        row[2].set_ylabel(f"recall r² at θ = {thetas[0]:g} ns ({temperature:g} K)")
        for ax in row[:2]:
            ax.set_xlabel("node duration θ (ns)")
            ax.set_xscale("log")
            ax.set_xticks(thetas)
            ax.set_xticklabels([f"{t:g}" for t in thetas])
            ax.minorticks_off()
        row[2].set_xlabel("delay × input-sample duration N_v θ / τ")
        for ax in row:
            ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    axes[0][2].legend(fontsize=7)
    fig.suptitle(f"one vortex STNO, {result.get('nodes')} virtual nodes per input sample: the fading memory is set by the "
                 "amplitude relaxation time τ", fontsize=10)
    footnote(fig, result)
    fig.tight_layout(rect=(0, 0.02, 1, 0.96))
    fig.savefig(os.path.join(run, "memory.png"), dpi=120)
    plt.close(fig)


def main():
    if len(sys.argv) != 2:
        fail("usage: plot_reservoir.py RUN_DIR")
    run = sys.argv[1]
    if not os.path.isdir(run):
        fail(f"{run}: not a directory")
    result_file = os.path.join(run, "result.json")
    if not os.path.exists(result_file):
        fail(f"{run}: no result.json (not a finished reservoir run)")
    with open(result_file) as f:
        result = json.load(f)
    np, plt = plot_common.import_plotting(PROGRAM)
    task = result.get("task")
    if task == "spoken_digits":
        spoken_digits(run, plt, np, result)
    elif task == "sine_square":
        sine_square(run, plt, np, result)
    elif task == "memory":
        memory(run, plt, np, result)
    else:
        fail(f"{result_file}: unknown task {task!r}")


if __name__ == "__main__":
    main()
