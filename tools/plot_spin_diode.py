#!/usr/bin/env python3
"""Spin-diode line shape of a run directory (measure.line_shape): rectified voltage against RF
frequency, one curve per value of the other sweep axes (two axes at most), with the fitted
symmetric + antisymmetric Lorentzians. Writes line_shape.png into the run directory.

Usage: tools/plot_spin_diode.py RUN_DIR"""
import json
import sys
from pathlib import Path

import plot_common


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    run = Path(sys.argv[1])
    try:
        result = json.loads((run / "result.json").read_text())
    except (OSError, ValueError) as error:
        sys.exit(f"plot_spin_diode: {run / 'result.json'}: {error}")
    observables = result["observables"]
    if "line_resonance_Hz" not in observables:
        sys.exit(f"plot_spin_diode: {run}: no line-shape fit in result.json (add measure.line_shape to the config)")
    _, plt = plot_common.import_plotting("plot_spin_diode.py")

    axes = result["sweep"]["axes"]
    per_point = result["sweep"]["devices_per_point"]
    frequency_axis = result["resolved_config"]["measure"]["line_shape"].get("frequency_axis", 0)
    if len(axes) > 2:
        sys.exit("plot_spin_diode: at most two sweep axes (frequency and one other)")
    frequencies = axes[frequency_axis]["values"]
    other = axes[1 - frequency_axis] if len(axes) == 2 else {"path": "", "values": [None]}
    count = len(frequencies)
    V = observables["rectified_voltage_V"]
    figure, plot = plt.subplots(figsize=(7, 4.5))
    for o, value in enumerate(other["values"]):
        for slot in range(per_point):
            if frequency_axis == 1:
                devices = [(o * count + k) * per_point + slot for k in range(count)]
            else:
                devices = [(k * len(other["values"]) + o) * per_point + slot for k in range(count)]
            v = [V[d] * 1e6 for d in devices]
            d0 = devices[0]
            f_r = observables["line_resonance_Hz"][d0] * 1e-9
            a = observables["line_half_width_Hz"][d0] * 1e-9
            S = observables["line_symmetric_V"][d0] * 1e6
            A = observables["line_antisymmetric_V"][d0] * 1e6
            fine = [frequencies[0] + (frequencies[-1] - frequencies[0]) * i / 400 for i in range(401)]
            fit = [(S * a * a + A * a * (f - f_r)) / (a * a + (f - f_r) ** 2) for f in fine]
            label = f"{other['path'].split('.')[-1]} = {value}" if value is not None else "V"
            line, = plot.plot(frequencies, v, "o", markersize=3, label=f"{label}: f_r {f_r:.4f} GHz, a {a * 1e3:.1f} MHz")
            plot.plot(fine, fit, "-", color=line.get_color(), linewidth=1)
    plot.set_xlabel("RF frequency (GHz)")
    plot.set_ylabel("rectified voltage (µV)")
    plot.set_title(f"{result['name']}: time domain (points) and Lorentzian fit (lines)")
    plot.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(run / "line_shape.png", dpi=120)
    print(f"plot_spin_diode: wrote {run / 'line_shape.png'}")


if __name__ == "__main__":
    main()
