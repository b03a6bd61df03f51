// Host storage of a batch of coupled networks in the layout network_view.hpp describes (slots,
// structure of arrays, coupling terms with slot offsets), built from a NetworkProblem.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/host_batch.hpp"
#include "spinnet/core/errors.hpp"
#include "spinnet/network/network_run.hpp"

namespace spinnet::detail {

template <class Adapter, class T>
struct HostNetworkBatch {
  using Coefficients = typename Adapter::template Coefficients<T>;
  using State = typename Adapter::template State<T>;
  using Accumulators = typename Adapter::Accumulators;
  static constexpr int D = Adapter::dim;
  static constexpr int P = Adapter::noise_pairs;

  std::size_t lanes = simd_lanes<T>;
  std::vector<std::uint32_t> network_of, local_of;
  std::vector<T> valid;
  OwnedSoA<Coefficients, T> coefficients;
  OwnedSoA<State, T> state, predicted, slope;
  OwnedSoA<Accumulators, double> accumulators;
  std::vector<std::uint32_t> status;
  std::vector<std::uint64_t> failed_step;
  std::vector<T> field, extra_current, emission, dc_level, sums, noise;
  struct SparseStorage {
    std::vector<std::int32_t> offset;
    std::vector<T> weight;
  };
  std::vector<SparseStorage> sparse;
  std::vector<T> mean_field_weight, electrical_a, electrical_b, electrical_c, electrical_gain;
  OwnedTones<T> vector_tones, current_tones;
  std::vector<T> schedule_values;
  std::vector<double> order_sum, order_sum2, order_trace, plv, signal_trace;
  std::vector<std::uint64_t> order_samples;
  std::uint64_t order_trace_samples = 0, signal_samples = 0, trace_samples = 0;
  std::vector<int> trace_column;
  OwnedSoA<State, T> trace_state;
  std::vector<T> trace_signal;
  NetworkView<Adapter, T> view;

  /// Slot of each oscillator index i = g * size + j of the problem.
  std::size_t slot_of_oscillator(std::size_t i) const {
    return view.slot_of(i / view.size, i % view.size);
  }

  explicit HostNetworkBatch(const NetworkProblem<Adapter>& problem) {
    const RunControl& control = problem.control;
    const std::size_t G = problem.networks, N = problem.size;
    NetworkView<Adapter, T>& v = view;
    v.networks = G;
    v.size = static_cast<std::uint32_t>(N);
    v.lanes = lanes;
    v.interleaved = N < lanes;
    v.network_stride = v.interleaved ? 0 : (N + lanes - 1) / lanes * lanes;
    v.slots = v.interleaved ? (G + lanes - 1) / lanes * N * lanes : G * v.network_stride;
    const std::size_t slots = v.slots;

    network_of.assign(slots, 0);
    local_of.assign(slots, 0);
    valid.assign(slots, T(0));
    // Padding slots copy a real oscillator (the last one of their network, or of the last network
    // in a partly filled interleaved group), so that they integrate harmlessly.
    std::vector<std::size_t> source(slots);
    for (std::size_t s = 0; s < slots; ++s) {
      std::size_t g, j;
      if (v.interleaved) {
        const std::size_t group = s / (N * lanes), within = s % (N * lanes);
        j = within / lanes;
        g = group * lanes + within % lanes;
      } else {
        g = s / v.network_stride;
        j = s % v.network_stride;
      }
      const bool real = g < G && j < N;
      valid[s] = real ? T(1) : T(0);
      const std::size_t gg = std::min(g, G - 1), jj = std::min(j, N - 1);
      network_of[s] = static_cast<std::uint32_t>(gg);
      local_of[s] = static_cast<std::uint32_t>(jj);
      source[s] = gg * N + jj;
    }

    coefficients.resize(slots);
    state.resize(slots);
    predicted.resize(slots);
    slope.resize(slots);
    accumulators.resize(slots, 0.0);
    status.assign(slots, status_ok);
    failed_step.assign(slots, 0);
    for (std::size_t s = 0; s < slots; ++s) {
      const auto& p = problem.oscillators[source[s]];
      coefficients.view.store(s, make_coefficients<T>(p, control.dt));
      const State initial = Adapter::Model::template initial_state<T>(p);
      state.view.store(s, initial);
      predicted.view.store(s, initial);
    }
    field.assign(static_cast<std::size_t>(D) * slots, T(0));
    extra_current.assign(slots, T(0));
    emission.assign(slots, T(0));
    dc_level.assign(slots, T(0));
    sums.assign(G * (D + 1), T(0));
    noise.assign(3 * 2 * static_cast<std::size_t>(P) * slots, T(0));

    // Coupling terms.
    const NetworkCouplingInput& coupling = problem.coupling;
    if (coupling.sparse.size() > static_cast<std::size_t>(NetworkView<Adapter, T>::max_sparse_terms))
      throw RunError("at most " + std::to_string(NetworkView<Adapter, T>::max_sparse_terms) +
                     " sparse coupling terms per network");
    sparse.resize(coupling.sparse.size());
    v.sparse_count = static_cast<int>(coupling.sparse.size());
    for (std::size_t t = 0; t < coupling.sparse.size(); ++t) {
      const SparseCouplingInput& in = coupling.sparse[t];
      SparseStorage& out = sparse[t];
      const std::size_t entries = static_cast<std::size_t>(in.width) * N;
      out.offset.resize(entries);
      const auto stride = static_cast<std::int64_t>(v.j_stride());
      for (std::size_t e = 0; e < entries; ++e) {
        const std::int64_t j = static_cast<std::int64_t>(e % N), k = in.local_partner[e];
        out.offset[e] = static_cast<std::int32_t>((k - j) * stride);
      }
      // Component by component (the input holds each entry's block together).
      const std::size_t block = static_cast<std::size_t>(block_size(in.kind, D));
      out.weight.resize(in.weight.size());
      for (std::size_t w = 0; w < in.weight.size(); ++w) {
        const std::size_t g = w / (entries * block), within = w % (entries * block);
        const std::size_t entry = within / block, c = within % block;
        out.weight[g * entries * block + c * entries + entry] = static_cast<T>(in.weight[w]);
      }
      SparseCouplingView<T>& view_term = v.sparse[t];
      view_term.width = in.width;
      view_term.kind = in.kind;
      view_term.offset = out.offset.data();
      view_term.weight = out.weight.data();
      view_term.network_stride = in.per_network ? entries * static_cast<std::size_t>(block_size(in.kind, D)) : 0;
    }
    if (coupling.mean_field.enabled) {
      mean_field_weight.assign(coupling.mean_field.weight.begin(), coupling.mean_field.weight.end());
      v.mean_field.enabled = true;
      v.mean_field.kind = coupling.mean_field.kind;
      v.mean_field.weight = mean_field_weight.data();
    }
    if (coupling.electrical.enabled) build_circuit(problem, source);

    // Drive: per slot (stride = slots), from the oscillator each slot holds.
    const auto source_of = [&source](std::size_t s) { return source[s]; };
    v.drive.stride = slots;
    v.drive.vector_tones = vector_tones.fill(problem.drive.vector_tones, slots, control.dt, source_of);
    v.drive.current_tones = current_tones.fill(problem.drive.current_tones, slots, control.dt, source_of);
    if (problem.drive.schedule.kind != ScheduleKind::none) {
      const std::size_t samples = problem.drive.schedule.values.size();
      schedule_values.resize(samples * slots);
      for (std::size_t k = 0; k < samples; ++k)
        for (std::size_t s = 0; s < slots; ++s)
          schedule_values[k * slots + s] = static_cast<T>(problem.drive.schedule.values[k][source[s]]);
      v.drive.schedule.kind = problem.drive.schedule.kind;
      v.drive.schedule.samples = static_cast<int>(samples);
      v.drive.schedule.interval_steps = problem.drive.schedule.interval / control.dt;
      v.drive.schedule.values = schedule_values.data();
    }

    // Observables.
    const NetworkObservation& observe = problem.observe;
    NetworkObservablesView& o = v.observed;
    o.order_every = observe.order_every;
    order_sum.assign(G, 0.0);
    order_sum2.assign(G, 0.0);
    order_samples.assign(G, 0);
    o.order_sum = order_sum.data();
    o.order_sum2 = order_sum2.data();
    o.order_samples = order_samples.data();
    if (observe.order_trace_every > 0) {
      o.order_trace_every = observe.order_trace_every;
      order_trace_samples = control.steps / observe.order_trace_every;
      order_trace.assign(order_trace_samples * G, 0.0);
      o.order_trace = order_trace.data();
    }
    if (observe.phase_locking && observe.order_every > 0) {
      plv.assign(G * N * (N - 1), 0.0);  // N (N - 1) / 2 pairs, two numbers each
      o.plv = plv.data();
    }
    if (observe.signal_every > 0) {
      o.signal_every = observe.signal_every;
      signal_samples = control.steps / observe.signal_every;
      signal_trace.assign(signal_samples * G, 0.0);
      o.signal_trace = signal_trace.data();
    }

    // Per-oscillator traces.
    trace_column.assign(slots, -1);
    const int columns = control.trace_every > 0 ? static_cast<int>(control.trace_devices.size()) : 0;
    for (int k = 0; k < columns; ++k)
      trace_column[slot_of_oscillator(control.trace_devices[static_cast<std::size_t>(k)])] = k;
    trace_samples = control.trace_every > 0 ? control.steps / control.trace_every : 0;
    trace_state.resize(trace_samples * static_cast<std::size_t>(columns));
    trace_signal.assign(trace_samples * static_cast<std::size_t>(columns), T(0));

    v.context.seed = control.seed;
    v.context.first_device_id = control.first_device_id;
    v.context.dt = static_cast<T>(control.dt);
    v.context.transient_steps = control.transient_steps;
    v.context.drift_limit = static_cast<T>(control.drift_limit);
    const double norm = std::sqrt(dot(control.axis, control.axis));
    v.context.axis = {static_cast<T>(control.axis.x / norm), static_cast<T>(control.axis.y / norm),
                      static_cast<T>(control.axis.z / norm)};
    v.first_network = control.first_device_id / (N > 0 ? N : 1);
    v.network_of = network_of.data();
    v.local_of = local_of.data();
    v.valid = valid.data();
    v.coefficients = coefficients.view;
    v.state = state.view;
    v.predicted = predicted.view;
    v.slope = slope.view;
    v.accumulators = accumulators.view;
    v.status = status.data();
    v.failed_step = failed_step.data();
    v.field = field.data();
    v.extra_current = extra_current.data();
    v.emission = emission.data();
    v.dc_level = dc_level.data();
    v.sums = sums.data();
    v.noise = noise.data();
    v.trace_every = control.trace_every;
    v.trace_columns = columns;
    v.trace_column = trace_column.data();
    v.trace_state = trace_state.view;
    v.trace_signal = trace_signal.data();

    // The DC-blocking filters start at each junction's initial emission: no kick at t = 0.
    if (v.electrical.enabled) {
      for (std::size_t s = 0; s < slots; ++s) {
        const Coefficients c = coefficients.view.load(s);
        emission[s] = Adapter::template emission<T>(c, state.view.load(s), c.current);
        dc_level[s] = emission[s];
      }
    }
  }

  HostNetworkBatch(const HostNetworkBatch&) = delete;
  HostNetworkBatch& operator=(const HostNetworkBatch&) = delete;

 private:
  /// Per-slot circuit coefficients a, b, c (ElectricalCouplingView) from each junction's resistance.
  void build_circuit(const NetworkProblem<Adapter>& problem, const std::vector<std::size_t>& source) {
    const ElectricalCouplingInput& in = problem.coupling.electrical;
    const std::size_t G = problem.networks, N = problem.size, slots = view.slots;
    std::vector<double> resistance(G * N);
    for (std::size_t i = 0; i < G * N; ++i)
      resistance[i] = static_cast<double>(
          Adapter::template resistance<double>(make_coefficients<double>(problem.oscillators[i], problem.control.dt)));
    std::vector<double> total(G, in.load), conductance(G, 1.0 / in.load);
    for (std::size_t g = 0; g < G; ++g)
      for (std::size_t j = 0; j < N; ++j) {
        total[g] += resistance[g * N + j];
        conductance[g] += 1.0 / resistance[g * N + j];
      }
    electrical_a.assign(slots, T(0));
    electrical_b.assign(slots, T(0));
    electrical_c.assign(slots, T(0));
    for (std::size_t s = 0; s < slots; ++s) {
      if (valid[s] == T(0)) continue;
      const std::size_t i = source[s], g = i / N;
      const double R = resistance[i];
      if (in.connection == CircuitConnection::series) {
        electrical_a[s] = static_cast<T>(-1.0 / total[g]);
        electrical_c[s] = T(1);
      } else {
        electrical_a[s] = static_cast<T>(1.0 / (R * conductance[g]));
        electrical_b[s] = static_cast<T>(-1.0 / R);
        electrical_c[s] = static_cast<T>(1.0 / R);
      }
    }
    electrical_gain.assign(in.gain.begin(), in.gain.end());
    view.electrical.enabled = true;
    view.electrical.a = electrical_a.data();
    view.electrical.b = electrical_b.data();
    view.electrical.c = electrical_c.data();
    view.electrical.gain = electrical_gain.data();
    view.electrical.dc_rate = static_cast<T>(problem.control.dt / in.dc_block_time);
  }
};

}  // namespace spinnet::detail
