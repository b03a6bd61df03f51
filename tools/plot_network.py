"""Figures of a run of coupled oscillator networks (docs/networks.md), drawn by tools/plot.py:

  network_sweep.png  1-axis sweep: the order parameter r, the largest sync cluster's share, the
                     number of clusters and (with measure.spectrum) the summed signal's line power,
                     against the swept parameter (median over instances, q05-q95 band);
  locking.png        the pairwise phase-locking matrix |<e^{i(phi_j - phi_k)}>| of a network at
                     up to six sweep points (observables.phase_locking);
  clusters.png       lattices: each oscillator's sync cluster on the lattice at up to six sweep
                     points (the largest cluster in one colour, smaller ones in others, single
                     oscillators grey);
  order_parameter.png  r(t) of every network (observables.order_trace_every_ps; network.csv);
  phases.png         small traced networks: each traced oscillator's phase relative to the first one
                     and its instantaneous frequency against time (trace.csv), where locking shows as
                     flat phase differences and merged frequencies;
  network_spectrum.png  the power spectral density of the summed signal of the first networks
                     (measure.spectrum.signal "network"; spectrum.csv columns psd_network_<i>).
"""

import math
import os


def is_network_run(result):
    return "order_parameter" in result["observables"] or "sync_clusters" in result["observables"]


def network_size(result):
    net = result.get("resolved_config", {}).get("network", {})
    size = net.get("size")
    if isinstance(size, int) and size > 0:
        return size
    coupling = result.get("resolved_config", {}).get("coupling", {})
    return int(coupling.get("group_size", 1))


def lattice_shape(result):
    lattice = result.get("resolved_config", {}).get("network", {}).get("lattice")
    if isinstance(lattice, dict) and isinstance(lattice.get("rows"), int) and isinstance(lattice.get("columns"), int):
        return lattice["rows"], lattice["columns"]
    return None


def first_networks(result, count):
    """Indices of up to `count` networks, instance 0 of evenly spaced sweep points, and labels."""
    sweep = result["sweep"]
    points, per_point = sweep["points"], sweep["devices_per_point"]
    size = network_size(result)
    networks_per_point = max(1, per_point // size)
    picks = sorted(set(round(k * (points - 1) / max(1, count - 1)) for k in range(min(count, points))))
    labels = []
    for p in picks:
        parts = []
        rest = p
        strides = []
        stride = 1
        for axis in reversed(sweep["axes"]):
            strides.append(stride)
            stride *= len(axis["values"])
        for axis, s in zip(sweep["axes"], reversed(strides)):
            value = axis["values"][(rest // s) % len(axis["values"])]
            parts.append(f"{axis['path'].split('.')[-1]} = {value:.3g}")
        labels.append(", ".join(parts) if parts else "network 0")
    return [p * networks_per_point for p in picks], labels


def draw(plot, result, run_dir, written):
    """Every network figure the run has data for. `plot` holds plot.py's helpers: np, plt, save,
    read_csv, as_float, run_title, axis_label, quantity, PlotError."""
    if not is_network_run(result):
        return
    np, plt = plot.np, plot.plt
    observables = result["observables"]
    size = network_size(result)
    axes = result["sweep"]["axes"]
    if len(axes) == 1:
        sweep_figure(plot, result, run_dir, written, size)
    if "phase_locking[0]" in observables:
        locking_figure(plot, result, run_dir, written, size)
    if lattice_shape(result) and "sync_cluster" in observables:
        cluster_figure(plot, result, run_dir, written, size)
    if os.path.isfile(os.path.join(run_dir, "network.csv")):
        order_trace_figure(plot, result, run_dir, written)
    trace = os.path.join(run_dir, "trace.csv")
    if os.path.isfile(trace) and size <= 16:
        phase_figure(plot, result, run_dir, written, size)
    spectrum = os.path.join(run_dir, "spectrum.csv")
    if os.path.isfile(spectrum):
        columns, _ = plot.read_csv(spectrum)
        if any(c.startswith("psd_network_") for c in columns):
            spectrum_figure(plot, result, run_dir, written)


def per_network(plot, result, name, size):
    values = plot.as_float(result["observables"][name])
    return values[::size]


def sweep_figure(plot, result, run_dir, written, size):
    np, plt = plot.np, plot.plt
    axis = result["sweep"]["axes"][0]
    x = np.asarray(axis["values"], dtype=float)
    points = len(x)
    # Clusters from frequencies alone are coarse (docs/networks.md): drawn when phase locking was measured.
    clusters = "phase_locking[0]" in result["observables"]
    panels = [(n, label) for n, label in (
        ("order_parameter", "order parameter r"),
        ("largest_cluster_fraction", "largest sync cluster\n(share of the network)"),
        ("sync_clusters", "sync clusters"),
        ("network_line_power_V2", "summed signal:\nline power (V$^2$)"),
    ) if n in result["observables"] and (clusters or n not in ("largest_cluster_fraction", "sync_clusters"))]
    figure, grid = plt.subplots(len(panels), 1, sharex=True, squeeze=False, figsize=(7, 2.0 * len(panels) + 1))
    for ax, (name, label) in zip(grid[:, 0], panels):
        values = per_network(plot, result, name, size).reshape(points, -1)
        median = np.nanmedian(values, axis=1)
        ax.plot(x, median, marker="o", markersize=3)
        if values.shape[1] > 1:
            ax.fill_between(x, np.nanquantile(values, 0.05, axis=1), np.nanquantile(values, 0.95, axis=1), alpha=0.25,
                            label="q05-q95 over instances")
            ax.legend(fontsize="small")
        ax.set_ylabel(label)
        if name == "network_line_power_V2" and np.nanmin(median) > 0:
            ax.set_yscale("log")
    grid[-1, 0].set_xlabel(plot.axis_label(axis["path"]))
    figure.suptitle(plot.run_title(result) + f" ({size} oscillators per network)")
    figure.tight_layout()
    plot.save(figure, run_dir, "network_sweep.png", written)


def locking_matrix(plot, result, network, size):
    np = plot.np
    matrix = np.empty((size, size))
    for k in range(size):
        column = plot.as_float(result["observables"][f"phase_locking[{k}]"])
        matrix[:, k] = column[network * size:(network + 1) * size]
    return matrix


def locking_figure(plot, result, run_dir, written, size):
    np, plt = plot.np, plot.plt
    networks, labels = first_networks(result, 6)
    columns = min(3, len(networks))
    rows = math.ceil(len(networks) / columns)
    figure, grid = plt.subplots(rows, columns, squeeze=False, figsize=(3.6 * columns + 0.8, 3.3 * rows + 0.6))
    image = None
    for ax, network, label in zip(grid.flat, networks, labels):
        image = ax.imshow(locking_matrix(plot, result, network, size), vmin=0, vmax=1, cmap="viridis",
                          interpolation="nearest")
        ax.set_title(label, fontsize="small")
        ax.set_xlabel("oscillator k")
        ax.set_ylabel("oscillator j")
    for ax in list(grid.flat)[len(networks):]:
        ax.axis("off")
    if image is not None:
        figure.colorbar(image, ax=grid, shrink=0.8, label="phase-locking value")
    figure.suptitle(plot.run_title(result) + ": pairwise phase locking")
    plot.save(figure, run_dir, "locking.png", written)


def cluster_figure(plot, result, run_dir, written, size):
    np, plt = plot.np, plot.plt
    rows_l, columns_l = lattice_shape(result)
    if rows_l * columns_l != size:
        return
    networks, labels = first_networks(result, 6)
    columns = min(3, len(networks))
    rows = math.ceil(len(networks) / columns)
    figure, grid = plt.subplots(rows, columns, squeeze=False, figsize=(3.4 * columns, 3.3 * rows + 0.5))
    cluster = plot.as_float(result["observables"]["sync_cluster"])
    cluster_size = plot.as_float(result["observables"]["sync_cluster_size"])
    for ax, network, label in zip(grid.flat, networks, labels):
        ids = cluster[network * size:(network + 1) * size]
        sizes = cluster_size[network * size:(network + 1) * size]
        # Colour index by cluster size rank: the largest cluster 0, singletons grey (NaN).
        order = {}
        for cid, s in sorted({(c, s) for c, s in zip(ids, sizes) if s > 1}, key=lambda t: -t[1]):
            order[cid] = len(order)
        image = np.array([order.get(c, math.nan) for c in ids], dtype=float).reshape(rows_l, columns_l)
        cmap = plt.get_cmap("tab10").copy()
        cmap.set_bad("lightgrey")
        ax.imshow(np.ma.masked_invalid(image), cmap=cmap, vmin=0, vmax=9, interpolation="nearest")
        big = int(max(sizes)) if len(sizes) else 0
        ax.set_title(f"{label}\nlargest cluster {big} of {size}", fontsize="small")
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in list(grid.flat)[len(networks):]:
        ax.axis("off")
    figure.suptitle(plot.run_title(result) + ": sync clusters on the lattice (grey: unlocked)")
    figure.tight_layout()
    plot.save(figure, run_dir, "clusters.png", written)


def order_trace_figure(plot, result, run_dir, written):
    np, plt = plot.np, plot.plt
    columns, data = plot.read_csv(os.path.join(run_dir, "network.csv"))
    if data.size == 0 or "order_parameter" not in columns:
        return
    r_column = columns.index("order_parameter")
    networks = np.unique(data[:, 1]).astype(int)
    figure, ax = plt.subplots(figsize=(7, 3.6))
    shown = networks[:: max(1, len(networks) // 12)]
    colours = plt.get_cmap("viridis")(np.linspace(0, 1, len(shown)))
    axes = result["sweep"]["axes"]
    size = network_size(result)
    per_point = max(1, result["sweep"]["devices_per_point"] // size)
    for colour, g in zip(colours, shown):
        rows = data[data[:, 1] == g]
        label = f"network {g}"
        if len(axes) == 1:
            label = f"{axes[0]['path'].split('.')[-1]} = {axes[0]['values'][(g // per_point) % len(axes[0]['values'])]:.3g}"
        ax.plot(rows[:, 0] * 1e9, rows[:, r_column], color=colour, linewidth=0.9, label=label)
    ax.set_xlabel("time (ns)")
    ax.set_ylabel("order parameter r(t)")
    ax.set_ylim(0, 1.02)
    if len(shown) <= 12:
        ax.legend(fontsize="x-small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.set_title(plot.run_title(result))
    figure.tight_layout()
    plot.save(figure, run_dir, "order_parameter.png", written)


def phase_of(np, columns, rows):
    """The oscillation phase from a traced state: atan2 of the state's two planar components in the
    convention of each model (auto-oscillator c = a e^{-i phi}; vortex (x, y); macrospin (mx, my))."""
    if "re" in columns:
        return -np.arctan2(rows[:, columns.index("im")], rows[:, columns.index("re")])
    if "x" in columns:
        return np.arctan2(rows[:, columns.index("y")], rows[:, columns.index("x")])
    return np.arctan2(rows[:, columns.index("my")], rows[:, columns.index("mx")])


def phase_figure(plot, result, run_dir, written, size):
    np, plt = plot.np, plot.plt
    columns, data = plot.read_csv(os.path.join(run_dir, "trace.csv"))
    if data.size == 0:
        return
    devices = [int(d) for d in np.unique(data[:, 1])]
    network = [d for d in devices if d // size == devices[0] // size]
    if len(network) < 2:
        return
    time = None
    phases = {}
    for d in network:
        rows = data[data[:, 1] == d]
        time = rows[:, 0]
        phases[d] = np.unwrap(phase_of(np, columns, rows))
    figure, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(7, 5.4))
    reference = phases[network[0]]
    for d in network[1:]:
        difference = (phases[d] - reference + math.pi) % (2 * math.pi) - math.pi
        top.plot(time * 1e9, difference, linewidth=0.7, label=f"{d} - {network[0]}")
    top.set_ylabel("phase difference (rad)")
    top.set_ylim(-math.pi, math.pi)
    top.legend(fontsize="x-small", ncol=2)
    dt = np.diff(time)
    span = max(1, len(time) // 200)  # frequency over a sliding window of samples
    for d in network:
        frequency = (phases[d][span:] - phases[d][:-span]) / (2 * math.pi * (time[span:] - time[:-span]))
        bottom.plot(time[span:] * 1e9, frequency / 1e9, linewidth=0.7, label=f"oscillator {d}")
    bottom.set_ylabel("frequency (GHz)")
    bottom.set_xlabel("time (ns)")
    bottom.legend(fontsize="x-small", ncol=2)
    del dt
    figure.suptitle(plot.run_title(result) + f": network {network[0] // size}, phases and frequencies")
    figure.tight_layout()
    plot.save(figure, run_dir, "phases.png", written)


def spectrum_figure(plot, result, run_dir, written):
    np, plt = plot.np, plot.plt
    columns, data = plot.read_csv(os.path.join(run_dir, "spectrum.csv"))
    if data.size == 0:
        return
    f = data[:, 0]
    rows = [k for k, c in enumerate(columns) if c.startswith("psd_network_")]
    figure, ax = plt.subplots(figsize=(7, 4))
    colours = plt.get_cmap("viridis")(np.linspace(0, 1, len(rows)))
    axes = result["sweep"]["axes"]
    size = network_size(result)
    per_point = max(1, result["sweep"]["devices_per_point"] // size)
    positive = data[:, 1:][data[:, 1:] > 0]
    for colour, k in zip(colours, rows):
        g = int(columns[k].split("_")[2])
        label = f"network {g}"
        if len(axes) == 1:
            label = f"{axes[0]['path'].split('.')[-1]} = {axes[0]['values'][(g // per_point) % len(axes[0]['values'])]:.3g}"
        ax.semilogy(f / 1e9, np.maximum(data[:, k], positive.min() if positive.size else 1e-30), color=colour,
                    linewidth=0.8, label=label)
    peak = np.argmax(np.nanmax(data[:, rows], axis=1))
    ax.set_xlim(max(0.0, f[peak] / 1e9 * 0.8), f[peak] / 1e9 * 1.2 if f[peak] > 0 else f[-1] / 1e9)
    ax.set_xlabel("frequency (GHz)")
    ax.set_ylabel("PSD of the summed signal (V$^2$/Hz)")
    ax.set_title(plot.run_title(result) + f": summed signal of the first {len(rows)} networks", fontsize="medium")
    if len(rows) <= 12:
        ax.legend(fontsize="x-small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    figure.tight_layout()
    plot.save(figure, run_dir, "network_spectrum.png", written)
