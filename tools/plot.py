#!/usr/bin/env python3
"""Draws the PNG figures of a spinnet run directory.

Usage: python3 tools/plot.py RUN_DIR   (what `spinnet run CONFIG --plot` calls)

Reads RUN_DIR/result.json, and trace.csv and spectrum.csv when present, and writes into RUN_DIR:
  trace.png      every state component and the signal against time for the traced devices
                 (a right-hand column zooms on the last few periods when the trace holds many);
  sweep.png      1-axis sweep: frequency (and spectral peak), mean power p (auto-oscillator) or
                 mean m_z (macrospin), linewidth and locking against the swept parameter; when a
                 sweep point holds several devices, their median with a q05-q95 band;
  sweep_map.png  2-axis sweep: maps over the two parameters of the frequency and, when measured,
                 the locked fraction (the Arnold tongue) and the frequency minus the drive's;
  ensemble.png   several devices without a sweep: histograms of the final state and frequency;
  spectrum.png   the power spectral densities of spectrum.csv, log scale, against frequency (GHz);
  line_shape.png measure.line_shape (spin diode): the rectified voltage against the RF frequency,
                 a panel per fitted line (at most six), with the fitted symmetric and antisymmetric
                 Lorentzians and their sum; the fitted values also go into the PNG's Description.
From RUN_DIR/results.h5 (when present and python3-h5py is installed):
  distributions.png   histograms over all devices of every sampled (varied) parameter and of the
                      key observables;
  quantiles.png       1-axis sweep: key observables against the swept parameter, median with
                      q25-q75 and q05-q95 bands over each point's instances and devices;
  quantile_maps.png   2-axis sweep: maps of the median and of the q05-q95 spread of the key
                      observables over the two swept parameters.
It prints the path of every file written. A missing or malformed run directory ends in one line
on stderr and exit code 2. Needs only Debian's python3-matplotlib and python3-numpy (Agg backend).
"""

import json
import math
import os
import sys

import plot_common
import plot_network

PROGRAM = "plot.py"
EXIT_USER_ERROR = plot_common.EXIT_USER_ERROR
DPI = 100


class PlotError(Exception):
    """A problem with the run directory the user can act on; reported in one line."""


def fail(message):
    plot_common.fail(PROGRAM, message)


np, plt = plot_common.import_plotting(PROGRAM)
from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: E402 (after the backend is set)


# ---------------------------------------------------------------------------------------------
# Names and units: config keys and observables say their unit ("current_mA", "frequency_Hz").

UNITS = {  # name suffix -> unit as printed
    "_V2_per_Hz": "V²/Hz", "_kA_per_m": "kA/m", "_per_ns": "1/ns", "_GHz": "GHz", "_MHz": "MHz",
    "_Hz": "Hz", "_mA": "mA", "_mT": "mT", "_mV": "mV", "_V2": "V²", "_V": "V", "_Ohm": "Ω",
    "_aJ": "aJ", "_nm3": "nm³", "_nm": "nm", "_ps": "ps", "_ns": "ns", "_K": "K", "_s": "s",
}

NICE_NAMES = {
    "frequency": "frequency", "peak_frequency": "spectral peak", "linewidth": "linewidth FWHM",
    "frequency_minus_drive": "frequency − drive", "locked": "locked fraction",
    "mean_power": "mean power p", "mean_mx": "mean $m_x$", "mean_my": "mean $m_y$",
    "mean_mz": "mean $m_z$", "precession_power": "precession power $\\langle m_x^2 + m_y^2\\rangle$", "final_mx": "final $m_x$", "final_my": "final $m_y$",
    "final_mz": "final $m_z$", "final_re": "final Re c", "final_im": "final Im c",
    "mx": "$m_x$", "my": "$m_y$", "mz": "$m_z$", "re": "Re c", "im": "Im c",
}


CURVE_NAMES = {  # legend entries where two observables share a panel
    "frequency_Hz": "mean phase rate", "peak_frequency_Hz": "spectral peak",
}


def split_unit(name):
    """'current_mA' -> ('current', 'mA'); 'field_mT[2]' -> ('field[2]', 'mT'); no unit -> ''."""
    index = ""
    if name.endswith("]") and "[" in name:
        name, index = name[: name.rindex("[")], name[name.rindex("["):]
    for suffix in sorted(UNITS, key=len, reverse=True):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + index, UNITS[suffix]
    return name + index, ""


def hertz_scale(values):
    """The factor and unit that show frequencies of this size best (GHz, MHz, kHz or Hz)."""
    finite = np.abs(np.asarray(values, dtype=float))
    finite = finite[np.isfinite(finite)]
    largest = finite.max() if finite.size else 0.0
    for factor, unit in ((1e-9, "GHz"), (1e-6, "MHz"), (1e-3, "kHz")):
        if largest * factor >= 1:
            return factor, unit
    return 1.0, "Hz"


def quantity(name, values=()):
    """Axis label and scale factor of an observable: ('frequency (GHz)', 1e-9)."""
    base, unit = split_unit(name)
    factor = 1.0
    if unit == "Hz":
        factor, unit = hertz_scale(values)
    label = NICE_NAMES.get(base, base.replace("_", " "))
    return (f"{label} ({unit})" if unit else label), factor


def axis_label(path):
    """'devices.rf_drive[0].frequency_GHz' -> 'rf drive[0] frequency (GHz)'."""
    segments = path.removeprefix("devices.").split(".")
    base, unit = split_unit(segments[-1])
    words = " ".join(s.replace("_", " ") for s in segments[:-1] + [base])
    return f"{words} ({unit})" if unit else words


def is_geometric(values):
    """True for a log-spaced sweep axis (at least 3 positive values with a constant ratio != 1)."""
    v = np.asarray(values, dtype=float)
    if v.size < 3 or np.any(v <= 0):
        return False
    ratios = v[1:] / v[:-1]
    return abs(ratios[0] - 1) > 1e-6 and np.allclose(ratios, ratios[0], rtol=1e-6)


def use_log_axis(ax, which, values):
    """A log axis for a log-spaced sweep, ticked at the swept values (when few) as plain numbers."""
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    axis = ax.xaxis if which == "x" else ax.yaxis
    if len(values) <= 8:
        axis.set_ticks(values)
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
    axis.set_minor_formatter(NullFormatter())


# ---------------------------------------------------------------------------------------------
# Reading a run directory.

def read_result(run_dir):
    if not os.path.isdir(run_dir):
        raise PlotError(f"{run_dir}: no such run directory")
    path = os.path.join(run_dir, "result.json")
    if not os.path.isfile(path):
        raise PlotError(f"{path}: missing (is {run_dir} a spinnet run directory?)")
    try:
        with open(path, encoding="utf-8") as file:
            result = json.load(file)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PlotError(f"{path}: not readable JSON ({error})") from error
    if not isinstance(result, dict):
        raise PlotError(f"{path}: expected a JSON object, got {type(result).__name__}")
    check_result(path, result)
    return result


def check_result(path, result):
    """Checks the parts of result.json the figures use, naming the first one that is wrong."""
    for key, kind in (("observables", dict), ("summary_per_point", dict), ("sweep", dict)):
        if not isinstance(result.get(key), kind):
            raise PlotError(f"{path}: \"{key}\" missing or not an object")
    sweep = result["sweep"]
    points, per_point = sweep.get("points"), sweep.get("devices_per_point")
    if not isinstance(points, int) or not isinstance(per_point, int) or points < 1 or per_point < 1:
        raise PlotError(f"{path}: sweep.points and sweep.devices_per_point must be positive integers")
    axes = sweep.get("axes")
    if not isinstance(axes, list):
        raise PlotError(f"{path}: sweep.axes missing or not an array")
    expected_points = 1
    for k, axis in enumerate(axes):
        if not (isinstance(axis, dict) and isinstance(axis.get("path"), str) and isinstance(axis.get("values"), list)):
            raise PlotError(f"{path}: sweep.axes[{k}] needs \"path\" and \"values\"")
        expected_points *= len(axis["values"])
    if expected_points != points:
        raise PlotError(f"{path}: sweep.points is {points} but the axes make {expected_points}")
    for name, values in result["observables"].items():
        if not isinstance(values, list) or len(values) != points * per_point:
            raise PlotError(f"{path}: observables.{name} should hold {points * per_point} values")
    for name, summaries in result["summary_per_point"].items():
        if not isinstance(summaries, list) or len(summaries) != points:
            raise PlotError(f"{path}: summary_per_point.{name} should hold {points} entries")


def as_float(values):
    """JSON numbers (null for non-finite) -> float array with NaN."""
    return np.array([math.nan if v is None else v for v in values], dtype=float)


def point_statistic(result, name, statistic):
    """One number per sweep point: 'median', 'q05', 'mean'... of the observable's devices."""
    return as_float([entry.get(statistic) for entry in result["summary_per_point"][name]])


def read_csv(path):
    """A spinnet CSV: '#' comment lines, a header line, then numbers. Returns (columns, data)."""
    try:
        with open(path, encoding="utf-8") as file:
            header = next((line for line in file if not line.startswith("#")), None)
            if header is None:
                raise PlotError(f"{path}: no header line")
            columns = header.strip().split(",")
            data = np.loadtxt(file, delimiter=",", ndmin=2)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise PlotError(f"{path}: not a readable spinnet CSV ({error})") from error
    if data.size and data.shape[1] != len(columns):
        raise PlotError(f"{path}: {data.shape[1]} values per row but {len(columns)} columns in the header")
    return columns, data


def run_title(result):
    return f"{result.get('name', '?')}: {result.get('model', '?')}, seed {result.get('seed', '?')}"


def save(figure, run_dir, filename, written, description=None):
    """Writes the figure; `description` (ASCII text) goes into the PNG's Description field."""
    path = os.path.join(run_dir, filename)
    figure.savefig(path, dpi=DPI, metadata={"Description": description} if description else None)
    plt.close(figure)
    written.append(path)


# ---------------------------------------------------------------------------------------------
# Figures.

def zoom_window(time, frequency):
    """The last five periods, when the trace holds more than forty; otherwise None."""
    if not np.isfinite(frequency) or frequency <= 0 or time.size < 2:
        return None
    span = time[-1] - time[0]
    if span * frequency < 40:
        return None
    return time[-1] - 5 / frequency, time[-1]


def plot_trace(result, run_dir, written):
    """trace.png: each state component and the signal of every traced device against time."""
    path = os.path.join(run_dir, "trace.csv")
    columns, data = read_csv(path)
    if columns[:2] != ["time_s", "device"] or len(columns) < 3:
        raise PlotError(f"{path}: expected columns time_s,device,<state>,signal")
    if data.size == 0:
        return
    components = columns[2:]
    devices = [int(d) for d in np.unique(data[:, 1])]
    frequencies = as_float(result["observables"].get("frequency_Hz", []))
    frequency = np.nanmedian(frequencies[devices]) if frequencies.size > max(devices) else math.nan
    times = np.unique(data[:, 0])
    window = zoom_window(times, frequency)
    columns_of_panels = 2 if window else 1
    figure, axes = plt.subplots(len(components), columns_of_panels, sharex="col", squeeze=False,
                                figsize=(4.6 * columns_of_panels + 1.4, 1.5 * len(components) + 1.1),
                                gridspec_kw={"width_ratios": [2, 1]} if window else None)
    for device in devices:
        rows = data[data[:, 1] == device]
        time_ns = rows[:, 0] * 1e9
        for k in range(len(components)):
            for c in range(columns_of_panels):
                axes[k, c].plot(time_ns, rows[:, 2 + k], linewidth=0.8, label=f"device {device}")
    for k, name in enumerate(components):
        axes[k, 0].set_ylabel("signal (V)" if name == "signal" else quantity(name)[0])
    for c in range(columns_of_panels):
        axes[-1, c].set_xlabel("time (ns)")
    if window:
        zoom_in(axes[:, 1], data, window)
    if 1 < len(devices) <= 10:
        axes[0, -1].legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.suptitle(run_title(result))
    figure.tight_layout()
    save(figure, run_dir, "trace.png", written)


def zoom_in(axes, data, window):
    """Limits the zoom column to the window, each panel's y range to the data inside it."""
    inside = data[(data[:, 0] >= window[0]) & (data[:, 0] <= window[1])]
    for k, ax in enumerate(axes):
        ax.set_xlim(window[0] * 1e9, window[1] * 1e9)
        low, high = np.nanmin(inside[:, 2 + k]), np.nanmax(inside[:, 2 + k])
        if high > low:  # a constant keeps the full trace's range
            ax.set_ylim(low - 0.08 * (high - low), high + 0.08 * (high - low))
    axes[0].set_title("last five periods", fontsize="medium")


def sweep_panels(observables):
    """Groups of observables drawn on one panel of the 1-axis sweep figure, in order."""
    groups = [["frequency_Hz", "peak_frequency_Hz"], ["mean_power"], ["mean_mz"], ["linewidth_Hz"],
              ["locked"], ["frequency_minus_drive_Hz"]]
    panels = [[name for name in group if name in observables] for group in groups]
    return [panel for panel in panels if panel]


def plot_sweep_line(result, run_dir, written):
    """sweep.png: the key observables against the one swept parameter."""
    axis = result["sweep"]["axes"][0]
    x = np.asarray(axis["values"], dtype=float)
    per_point = result["sweep"]["devices_per_point"]
    panels = sweep_panels(result["observables"])
    if not panels:
        return
    figure, axes = plt.subplots(len(panels), 1, sharex=True, squeeze=False, figsize=(7, 2.3 * len(panels) + 1))
    for ax, names in zip(axes[:, 0], panels):
        label, factor = quantity(names[0], np.concatenate([as_float(result["observables"][n]) for n in names]))
        ax.set_ylabel(label)
        for name in names:
            draw_sweep_curve(ax, result, name, x, factor, per_point)
        if names == ["linewidth_Hz"]:
            use_log_scale_if_wide(ax, point_statistic(result, "linewidth_Hz", "median"))
            mark_frequency_bin(ax, run_dir, factor)
        if len(names) > 1:
            ax.legend(fontsize="small")
    axes[-1, 0].set_xlabel(axis_label(axis["path"]))
    if is_geometric(x):
        use_log_axis(axes[-1, 0], "x", x)
    spread = f"\nmedian and q05–q95 band of the {per_point} devices at each point" if per_point > 1 else ""
    figure.suptitle(run_title(result) + spread)
    figure.tight_layout()
    save(figure, run_dir, "sweep.png", written)


def draw_sweep_curve(ax, result, name, x, factor, per_point):
    """The per-point median (the mean for 'locked': a fraction), with a q05-q95 band of the point's
    devices when there are several, or the linewidth's fit error bars when there is one."""
    description = CURVE_NAMES.get(name) or NICE_NAMES.get(split_unit(name)[0], name)
    if per_point > 1:
        statistic = "mean" if name == "locked" else "median"
        y = point_statistic(result, name, statistic) * factor
        line, = ax.plot(x, y, marker=".", label=description)
        if name != "locked":
            low, high = (point_statistic(result, name, q) * factor for q in ("q05", "q95"))
            ax.fill_between(x, low, high, color=line.get_color(), alpha=0.25, linewidth=0)
        return
    y = as_float(result["observables"][name]) * factor
    errors = result["observables"].get("linewidth_error_Hz") if name == "linewidth_Hz" else None
    if errors is not None and np.any(np.isfinite(as_float(errors))):
        ax.errorbar(x, y, yerr=as_float(errors) * factor, marker=".", capsize=2, label=description)
    else:
        ax.plot(x, y, marker=".", label=description)


def mark_frequency_bin(ax, run_dir, factor):
    """A dotted line at the spectrum's frequency bin: linewidths near it are not resolved."""
    path = os.path.join(run_dir, "spectrum.csv")
    if not os.path.isfile(path):
        return
    frequency = read_csv(path)[1][:, 0]
    if frequency.size > 1:
        ax.axhline((frequency[1] - frequency[0]) * factor, color="grey", linestyle=":", label="Welch frequency bin")
        ax.legend(fontsize="small")


def use_log_scale_if_wide(ax, values):
    finite = values[np.isfinite(values)]
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 20:
        ax.set_yscale("log")


def cell_edges(values):
    """Edges of the cells centred on the axis values (geometric for a log-spaced axis)."""
    v = np.asarray(values, dtype=float)
    if v.size == 1:
        half = 0.5 * abs(v[0]) if v[0] != 0 else 0.5
        return np.array([v[0] - half, v[0] + half])
    if is_geometric(v):
        return np.exp(cell_edges(np.log(v)))
    middles = 0.5 * (v[1:] + v[:-1])
    return np.concatenate([[2 * v[0] - middles[0]], middles, [2 * v[-1] - middles[-1]]])


def map_panels(observables):
    """(observable, colormap, symmetric about zero) of the 2-axis maps, in order."""
    wanted = [("frequency_Hz", "viridis", False), ("locked", "Greys", False),
              ("frequency_minus_drive_Hz", "RdBu_r", True)]
    panels = [panel for panel in wanted if panel[0] in observables]
    if "locked" not in observables:  # no locking measured: show the power or m_z instead
        panels += [(name, "magma", False) for name in ("mean_power", "mean_mz") if name in observables]
    return panels


def plot_sweep_map(result, run_dir, written):
    """sweep_map.png: maps over the two swept parameters (first axis up, last axis across)."""
    rows_axis, columns_axis = result["sweep"]["axes"]
    shape = (len(rows_axis["values"]), len(columns_axis["values"]))
    panels = map_panels(result["observables"])
    if not panels:
        return
    figure, axes = plt.subplots(1, len(panels), squeeze=False, figsize=(4.6 * len(panels), 4.2))
    x_edges, y_edges = cell_edges(columns_axis["values"]), cell_edges(rows_axis["values"])
    for ax, (name, colormap, symmetric) in zip(axes[0], panels):
        statistic = "mean" if name == "locked" else "median"
        values = point_statistic(result, name, statistic)
        label, factor = quantity(name, values)
        grid = (values * factor).reshape(shape)
        limits = {"vmin": 0, "vmax": 1} if name == "locked" else {}
        if symmetric:
            largest = np.nanmax(np.abs(grid)) if np.any(np.isfinite(grid)) else 1.0
            limits = {"vmin": -largest, "vmax": largest}
        mesh = ax.pcolormesh(x_edges, y_edges, grid, cmap=colormap, shading="flat", **limits)
        figure.colorbar(mesh, ax=ax, label=label)
        ax.set_title(label.split(" (")[0])
        ax.set_xlabel(axis_label(columns_axis["path"]))
        ax.set_ylabel(axis_label(rows_axis["path"]))
        if is_geometric(columns_axis["values"]):
            use_log_axis(ax, "x", columns_axis["values"])
        if is_geometric(rows_axis["values"]):
            use_log_axis(ax, "y", rows_axis["values"])
    figure.suptitle(run_title(result))
    figure.tight_layout()
    save(figure, run_dir, "sweep_map.png", written)


def plot_ensemble(result, run_dir, written):
    """ensemble.png: histograms over the devices of the final state and the frequency."""
    observables = result["observables"]
    names = sorted(n for n in observables if n.startswith("final_")) + \
        [n for n in ("frequency_Hz",) if n in observables]
    if not names:
        return
    columns = min(len(names), 4)
    rows = math.ceil(len(names) / columns)
    figure, axes = plt.subplots(rows, columns, squeeze=False, figsize=(3.4 * columns, 2.8 * rows + 0.8))
    for ax, name in zip(axes.flat, names):
        values = as_float(observables[name])
        values = values[np.isfinite(values)]
        label, factor = quantity(name, values)
        ax.hist(values * factor, bins=60)
        ax.set_xlabel(label)
        ax.set_ylabel("devices")
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    devices = len(next(iter(observables.values())))
    figure.suptitle(f"{run_title(result)}, {devices} devices")
    figure.tight_layout()
    save(figure, run_dir, "ensemble.png", written)


def device_axis_values(result, devices):
    """For a 1-axis sweep, the swept value of each device's point; otherwise None."""
    sweep = result["sweep"]
    if len(sweep["axes"]) != 1:
        return None
    values = np.asarray(sweep["axes"][0]["values"], dtype=float)
    return values[np.asarray(devices) // sweep["devices_per_point"]]


def spectral_range(frequency, densities):
    """The frequency range around the lines: where the largest PSD is above 1e-5 of its peak,
    widened by half its width on each side; the whole range when that is not much narrower."""
    envelope = np.where(np.isfinite(densities), densities, 0.0).max(axis=1)
    whole = (frequency[0], frequency[-1])
    if not np.any(envelope > 0):
        return whole
    above = frequency[envelope >= 1e-5 * envelope.max()]
    width = above[-1] - above[0]
    low, high = max(whole[0], above[0] - width / 2), min(whole[1], above[-1] + width / 2)
    return (low, high) if high - low < 0.6 * (whole[1] - whole[0]) else whole


def plot_spectrum(result, run_dir, written):
    """spectrum.png: the saved PSDs on a log scale, coloured by the swept value when there is one."""
    path = os.path.join(run_dir, "spectrum.csv")
    columns, data = read_csv(path)
    psd_columns = [k for k, c in enumerate(columns) if c.startswith("psd_device_")]
    if columns[:1] != ["frequency_Hz"] or not psd_columns:
        raise PlotError(f"{path}: expected columns frequency_Hz,psd_device_<i>_V2_per_Hz...")
    if data.size == 0:
        return
    devices = [int(columns[k].split("_")[2]) for k in psd_columns]
    frequency_GHz = data[:, 0] * 1e-9
    swept = device_axis_values(result, devices)
    figure, ax = plt.subplots(figsize=(7.5, 4.5))
    if swept is None and len(devices) <= 10:
        colors = [None] * len(devices)
    else:
        shade = swept if swept is not None else np.asarray(devices, dtype=float)
        # The colour bar spans the whole sweep, not only the devices whose spectra were saved.
        full = np.asarray(result["sweep"]["axes"][0]["values"], dtype=float) if swept is not None else shade
        norm = plt.Normalize(full.min(), full.max() if full.max() > full.min() else full.min() + 1)
        mapper = plt.cm.ScalarMappable(norm=norm, cmap="viridis")
        colors = [mapper.to_rgba(s) for s in shade]
        label = axis_label(result["sweep"]["axes"][0]["path"]) if swept is not None else "device"
        figure.colorbar(mapper, ax=ax, label=label)
    for k, device, color in zip(psd_columns, devices, colors):
        ax.semilogy(frequency_GHz, data[:, k], color=color, linewidth=0.8, label=f"device {device}")
    if colors[0] is None and len(devices) > 1:
        ax.legend(fontsize="small")
    ax.set_xlim(*spectral_range(frequency_GHz, data[:, psd_columns]))
    ax.set_xlabel("frequency (GHz)")
    ax.set_ylabel("PSD (V²/Hz)")
    total = int(result.get("devices", 0) or 0) or len(devices)
    shown = f"spectra of {len(devices)} of {total} devices" + (
        " (the first measure.spectrum.saved_spectra)" if len(devices) < total else "")
    ax.set_title(f"{run_title(result)}\n{shown}", fontsize=9)
    figure.tight_layout()
    save(figure, run_dir, "spectrum.png", written)


# ---------------------------------------------------------------------------------------------
# Spin-diode line shape (measure.line_shape, docs/spin_diode.md)

MAX_LINE_PANELS = 6
HERTZ_PER = {"GHz": 1e9, "MHz": 1e6, "kHz": 1e3, "Hz": 1.0}


def volt_scale(values):
    """The factor and unit that show voltages of this size best (V, mV, µV or nV)."""
    finite = np.abs(np.asarray(values, dtype=float))
    finite = finite[np.isfinite(finite)]
    largest = finite.max() if finite.size else 0.0
    for factor, unit in ((1.0, "V"), (1e3, "mV"), (1e6, "µV")):
        if largest * factor >= 1:
            return factor, unit
    return 1e9, "nV"


def axis_value(path, value):
    """'devices.rf_current[0].amplitude_mA', 0.002 -> 'rf current[0] amplitude = 0.002 mA'."""
    segments = path.removeprefix("devices.").split(".")
    base, unit = split_unit(segments[-1])
    words = " ".join(s.replace("_", " ") for s in segments[:-1] + [base])
    return f"{words} = {value:g}" + (f" {unit}" if unit else "")


def wrap_terms(terms, width):
    """Joins 'a = 1 mA' terms with ', ', breaking lines between terms only."""
    lines = [""]
    for term in terms:
        if lines[-1] and len(lines[-1]) + 2 + len(term) > width:
            lines[-1] += ","
            lines.append(term)
        else:
            lines[-1] += (", " if lines[-1] else "") + term
    return "\n".join(lines)


def line_shape_lines(result):
    """The lines fitted by measure.line_shape, as src/study/line_shape_measurement.cpp groups them:
    the frequency axis at each combination of the other axes' values, for each device slot of a
    point. Returns (frequencies in Hz, [(label terms, devices in the frequency axis's order)])."""
    sweep = result["sweep"]
    axes, per_point = sweep["axes"], sweep["devices_per_point"]
    a = result["resolved_config"]["measure"]["line_shape"].get("frequency_axis", 0)
    path = axes[a]["path"]
    unit = split_unit(path.split(".")[-1])[1]
    if unit not in HERTZ_PER:
        raise PlotError(f"sweep.axes[{a}] ({path}): measure.line_shape.frequency_axis should be a frequency axis")
    frequencies = np.asarray(axes[a]["values"], dtype=float) * HERTZ_PER[unit]
    sizes = [len(axis["values"]) for axis in axes]
    stride = math.prod(sizes[a + 1:])
    lines = []
    for first in range(sweep["points"]):
        if (first // stride) % sizes[a] != 0:
            continue  # not the first point of its line
        index, position = first, []
        for size in reversed(sizes):
            position.append(index % size)
            index //= size
        position.reverse()
        others = [axis_value(axes[b]["path"], axes[b]["values"][position[b]]) for b in range(len(axes)) if b != a]
        for slot in range(per_point):
            terms = others + ([f"device {slot}"] if per_point > 1 else [])
            devices = [(first + k * stride) * per_point + slot for k in range(sizes[a])]
            lines.append((terms or ["the line"], devices))
    return frequencies, lines


def plot_line_shape(result, run_dir, written):
    """line_shape.png: the rectified voltage <R I> against the RF frequency, one panel per fitted
    line, with the fit V_S a²/(a² + d²) + V_A a d/(a² + d²), d = f − f_r, and its symmetric and
    antisymmetric Lorentzians drawn apart (docs/spin_diode.md)."""
    observables = result["observables"]
    frequencies, lines = line_shape_lines(result)
    shown = lines
    if len(lines) > MAX_LINE_PANELS:  # evenly spaced lines, first and last included
        shown = [lines[k] for k in np.unique(np.linspace(0, len(lines) - 1, MAX_LINE_PANELS).round().astype(int))]
    voltage = as_float(observables["rectified_voltage_V"])
    fit = {name: as_float(observables[name]) for name in
           ("line_resonance_Hz", "line_half_width_Hz", "line_symmetric_V", "line_antisymmetric_V")}
    f_factor, f_unit = hertz_scale(frequencies)
    # One voltage unit for every panel, so that the panels compare (V grows as the drive power).
    v_factor, v_unit = volt_scale(np.concatenate([voltage[devices] for _, devices in shown]))
    fine = np.linspace(frequencies.min(), frequencies.max(), 801)
    columns = min(len(shown), 3)
    rows = math.ceil(len(shown) / columns)
    figure, axes = plt.subplots(rows, columns, squeeze=False, figsize=(4.8 * columns + 0.4, 3.6 * rows + 1.0))
    description = []  # one line per panel, into the PNG (what the figure shows, for tests and readers)
    for ax, (terms, devices) in zip(axes.flat, shown):
        label = ", ".join(terms)
        v = voltage[devices]
        f_r, a, S, A = (fit[name][devices[0]] for name in fit)
        fitted = all(np.isfinite([f_r, a, S, A])) and a > 0
        ax.axhline(0, color="0.7", linewidth=0.6)
        ax.plot(frequencies * f_factor, v * v_factor, "o", markersize=3, color="C0", label="time domain ⟨R I⟩")
        if fitted:
            near = f_r + a * np.linspace(-8, 8, 161)  # the sweep's range, and finely around the resonance
            curve = np.union1d(fine, near[(near > fine[0]) & (near < fine[-1])])
            d = curve - f_r
            symmetric = S * a * a / (a * a + d * d)
            antisymmetric = A * a * d / (a * a + d * d)
            a_factor, a_unit = hertz_scale([a])
            ax.plot(curve * f_factor, (symmetric + antisymmetric) * v_factor, "-", color="C1", linewidth=1.2,
                    label=f"fit: f_r {f_r * f_factor:.4f} {f_unit}, half-width {a * a_factor:.3g} {a_unit}")
            ax.plot(curve * f_factor, symmetric * v_factor, "--", color="C2", linewidth=1,
                    label=f"symmetric, V_S {S * v_factor:.3g} {v_unit}")
            ax.plot(curve * f_factor, antisymmetric * v_factor, ":", color="C3", linewidth=1.4,
                    label=f"antisymmetric, V_A {A * v_factor:.3g} {v_unit}")
            description.append(f"{label}: rectified_voltage_V at {len(devices)} frequencies; fit f_r {f_r:.6g} Hz, "
                               f"half-width {a:.6g} Hz, symmetric V_S {S:.6g} V, antisymmetric V_A {A:.6g} V")
        else:
            ax.text(0.02, 0.95, "no line fit (line_* not finite)", transform=ax.transAxes, va="top", fontsize="small")
            description.append(f"{label}: rectified_voltage_V at {len(devices)} frequencies; no fit")
        ax.set_title(wrap_terms(terms, 48), fontsize="medium")
        ax.set_xlabel(f"RF frequency ({f_unit})")
        ax.set_ylabel(f"rectified voltage ({v_unit})")
        ax.legend(fontsize="x-small")
    for ax in axes.flat[len(shown):]:
        ax.set_visible(False)
    of = f" ({len(shown)} of {len(lines)} lines)" if len(shown) < len(lines) else ""
    figure.suptitle(f"{run_title(result)}{of}\nrectified voltage (points), fitted V_S a²/(a²+d²) + V_A a d/(a²+d²), "
                    "d = f − f_r (line) and its two parts", fontsize=10)
    figure.tight_layout()
    text = "\n".join(description)
    save(figure, run_dir, "line_shape.png", written, text.encode("ascii", "replace").decode("ascii"))


# ---------------------------------------------------------------------------------------------
# results.h5: datasets [sweep point, instance, device]

KEY_OBSERVABLES = ["frequency_Hz", "peak_frequency_Hz", "mean_power", "mean_mz", "linewidth_Hz",
                   "mean_orbit_radius", "locked"]


def read_h5(run_dir):
    """Observables and varied parameters of results.h5 as {name: array [points, instances, devices]}
    and the sweep axes as [(path, values)]; None when there is no results.h5 or no h5py."""
    path = os.path.join(run_dir, "results.h5")
    if not os.path.isfile(path):
        return None
    try:
        import h5py
    except ImportError:
        print(f"{PROGRAM}: note: python3-h5py is not installed: no figures from {path}", file=sys.stderr)
        return None
    try:
        with h5py.File(path, "r") as file:
            data = {
                "observables": {name: file["observables"][name][()] for name in file.get("observables", {})},
                "parameters": {name: file["parameters"][name][()] for name in file.get("parameters", {})},
                "axes": [],
            }
            sweep = file.get("sweep", {})
            k = 0
            while f"axis{k}" in sweep:
                axis = sweep[f"axis{k}"]
                label = axis.attrs["path"]
                data["axes"].append((label.decode() if isinstance(label, bytes) else str(label), axis[()]))
                k += 1
    except (OSError, KeyError) as error:
        raise PlotError(f"{path}: not a readable spinnet results file ({error})") from error
    return data


def per_point(values):
    """[points, instances, devices] -> [points, instances * devices], non-finite as NaN."""
    flat = np.asarray(values, dtype=float).reshape(values.shape[0], -1)
    return np.where(np.isfinite(flat), flat, np.nan)


def point_quantiles(values, quantiles):
    """Quantiles of each point's finite values: array [len(quantiles), points] (NaN when none)."""
    flat = per_point(values)
    out = np.full((len(quantiles), flat.shape[0]), np.nan)
    for p, row in enumerate(flat):
        row = row[np.isfinite(row)]
        if row.size:
            out[:, p] = np.quantile(row, quantiles)
    return out


def plot_distributions(data, result, run_dir, written):
    """distributions.png: histograms of the varied parameters and key observables over all devices."""
    names = [("parameter", n) for n in sorted(data["parameters"])] + \
        [("observable", n) for n in KEY_OBSERVABLES if n in data["observables"] and n != "locked"]
    if not names:
        return
    devices = next(iter(data["observables"].values())).size if data["observables"] else 0
    if devices < 2:
        return
    columns = min(len(names), 4)
    rows = math.ceil(len(names) / columns)
    figure, axes = plt.subplots(rows, columns, squeeze=False, figsize=(3.4 * columns, 2.8 * rows + 0.8))
    for ax, (kind, name) in zip(axes.flat, names):
        values = np.asarray(data[kind + "s"][name], dtype=float).ravel()
        values = values[np.isfinite(values)]
        if kind == "parameter":
            label, factor = axis_label(name), 1.0
        else:
            label, factor = quantity(name, values)
        ax.hist(values * factor, bins=min(80, max(10, int(math.sqrt(values.size)))))
        ax.set_xlabel(label)
        ax.set_ylabel("devices")
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    figure.suptitle(f"{run_title(result)}, {devices} devices")
    figure.tight_layout()
    save(figure, run_dir, "distributions.png", written)


def plot_quantile_bands(data, result, run_dir, written):
    """quantiles.png: key observables against the one swept parameter, median with q25-q75 and
    q05-q95 bands over each point's instances and devices."""
    path, x = data["axes"][0]
    names = [n for n in KEY_OBSERVABLES if n in data["observables"]]
    if not names or per_point(data["observables"][names[0]]).shape[1] < 2:
        return
    figure, axes = plt.subplots(len(names), 1, sharex=True, squeeze=False, figsize=(7, 2.3 * len(names) + 1))
    for ax, name in zip(axes[:, 0], names):
        q = point_quantiles(data["observables"][name], [0.05, 0.25, 0.5, 0.75, 0.95])
        label, factor = quantity(name, q[np.isfinite(q)])
        ax.fill_between(x, q[0] * factor, q[4] * factor, alpha=0.2, color="C0", label="q05–q95")
        ax.fill_between(x, q[1] * factor, q[3] * factor, alpha=0.4, color="C0", label="q25–q75")
        ax.plot(x, q[2] * factor, color="C0", label="median")
        ax.set_ylabel(label)
    axes[0, 0].legend(fontsize="small")
    axes[-1, 0].set_xlabel(axis_label(path))
    if is_geometric(x):
        use_log_axis(axes[-1, 0], "x", x)
    count = per_point(data["observables"][names[0]]).shape[1]
    figure.suptitle(f"{run_title(result)}\nquantiles of the {count} devices at each point")
    figure.tight_layout()
    save(figure, run_dir, "quantiles.png", written)


def plot_quantile_maps(data, result, run_dir, written):
    """quantile_maps.png: median and q05-q95 spread of the key observables over two swept axes."""
    (path0, x0), (path1, x1) = data["axes"][:2]
    observables = dict(data["observables"])
    # The macrospin's precession power sin²θ = mean_mx2 + mean_my2 (what sets the emitted RF power
    # through an in-plane readout), rather than mean m_z (README, current_field_quantiles.json).
    if "mean_mx2" in observables and "mean_my2" in observables:
        observables["precession_power"] = np.asarray(observables["mean_mx2"]) + np.asarray(observables["mean_my2"])
    keys = [n if n != "mean_mz" or "precession_power" not in observables else "precession_power" for n in KEY_OBSERVABLES]
    names = [n for n in keys if n in observables][:3]
    if not names:
        return
    figure, axes = plt.subplots(len(names), 2, squeeze=False, figsize=(10, 3.6 * len(names) + 0.6))
    for row, name in zip(axes, names):
        q = point_quantiles(observables[name], [0.05, 0.5, 0.95])
        label, factor = quantity(name, q[np.isfinite(q)])
        for ax, values, title in ((row[0], q[1], "median"), (row[1], q[2] - q[0], "q95 − q05")):
            grid = (values * factor).reshape(len(x0), len(x1))
            mesh = ax.pcolormesh(cell_edges(x1), cell_edges(x0), grid, shading="flat")
            figure.colorbar(mesh, ax=ax, label=f"{title} of {label}")
            ax.set_xlabel(axis_label(path1))
            ax.set_ylabel(axis_label(path0))
    figure.suptitle(run_title(result))
    figure.tight_layout()
    save(figure, run_dir, "quantile_maps.png", written)


def plot_h5(run_dir, result, written):
    data = read_h5(run_dir)
    if data is None:
        return
    plot_distributions(data, result, run_dir, written)
    if len(data["axes"]) == 1:
        plot_quantile_bands(data, result, run_dir, written)
    elif len(data["axes"]) == 2:
        plot_quantile_maps(data, result, run_dir, written)


def plot_run(run_dir):
    """Draws every figure the run directory has data for; returns the paths written."""
    result = read_result(run_dir)
    axes = result["sweep"]["axes"]
    written = []
    if os.path.isfile(os.path.join(run_dir, "trace.csv")):
        plot_trace(result, run_dir, written)
    if len(axes) == 1:
        plot_sweep_line(result, run_dir, written)
    elif len(axes) == 2:
        plot_sweep_map(result, run_dir, written)
    elif len(axes) > 2:
        print(f"{PROGRAM}: note: no sweep figure for {len(axes)} sweep axes (one or two only)", file=sys.stderr)
    elif result["sweep"]["devices_per_point"] > 1:
        plot_ensemble(result, run_dir, written)
    spectrum = os.path.join(run_dir, "spectrum.csv")
    if os.path.isfile(spectrum) and not read_csv(spectrum)[0][1].startswith("psd_network_"):
        plot_spectrum(result, run_dir, written)
    if "line_resonance_Hz" in result["observables"]:
        plot_line_shape(result, run_dir, written)
    plot_network.draw(sys.modules[__name__], result, run_dir, written)  # coupled networks (plot_network.py)
    plot_h5(run_dir, result, written)
    return written


def main(arguments):
    if arguments in (["-h"], ["--help"]):
        print(__doc__.strip())
        return 0
    if len(arguments) != 1:
        fail("usage: python3 tools/plot.py RUN_DIR (one spinnet run directory)")
    try:
        written = plot_run(arguments[0])
    except PlotError as error:
        fail(str(error))
    except (KeyError, IndexError, TypeError, ValueError) as error:  # data of the wrong shape or type
        fail(f"{arguments[0]}: malformed run directory ({type(error).__name__}: {error})")
    for path in written:
        print(path)
    if not written:
        print(f"{PROGRAM}: note: nothing to draw in {arguments[0]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
