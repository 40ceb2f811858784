// The scene's probes over time, as the app keeps them: rows of readings (core/probes.hpp) in a
// ring of fixed size, sized once per scene so that recording allocates nothing; the oldest row
// goes when a new one arrives in a full ring. The simulation thread records into one; each
// published Frame holds a copy that catch_up() brings level, a few rows at a time. The Probes
// panel plots it; csv() is what `flume-cli run --probes` writes.
//
//   ProbeHistory history;
//   history.reset(sim.probe_columns(), 2048);     // at scene load
//   history.push(time, reading);                   // reading: one value per column
//   history.time(i), history.value(i, column)      // i = 0 is the oldest row held
//   copy.catch_up(history);                        // copies only the rows `copy` lacks
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/probes.hpp"

namespace flume {

class ProbeHistory {
  public:
    // Empties the history and sizes it for `rows` rows of `columns` (at least one row).
    void reset(std::span<const ProbeColumn> columns, std::size_t rows);

    // Appends a row (`reading` has one value per column), dropping the oldest when full.
    void push(double time, std::span<const double> reading);

    // Makes this a copy of `source`: when this is already a copy of it (since its last reset),
    // copies only the rows pushed since, else all of it.
    void catch_up(const ProbeHistory& source);

    const std::vector<ProbeColumn>& columns() const { return columns_; }
    std::size_t capacity() const { return times_.size(); }
    std::size_t size() const;
    bool empty() const { return pushed_ == 0; }
    std::uint64_t pushed() const { return pushed_; }  // rows pushed since the reset

    // Row `row` of those held, 0 the oldest.
    double time(std::size_t row) const { return times_[slot(row)]; }
    double value(std::size_t row, std::size_t column) const {
        return values_[slot(row) * columns_.size() + column];
    }

    // The rows held as CSV: a header "time [s],P1 pressure [Pa],...", then one line per row, the
    // numbers with 9 significant digits (NaN: "nan"), as flume-cli run --probes writes them.
    std::string csv() const;

  private:
    std::size_t slot(std::size_t row) const {
        return static_cast<std::size_t>((pushed_ - size() + row) % capacity());
    }

    std::vector<ProbeColumn> columns_;
    std::vector<double> times_;   // one per slot
    std::vector<double> values_;  // slot after slot, a column after another
    std::uint64_t pushed_ = 0;
    std::uint64_t series_ = 0;  // resets so far; a copy carries its source's
};

// One probe's columns in a reading: `count` of them from `first` ("P1 pressure", "P1 velocity
// x", ...).
struct ProbeColumnRange {
    std::string probe;
    std::size_t first = 0, count = 0;
};

// The columns of each of the scene's probes in a reading (core/probes.hpp's probe_columns).
std::vector<ProbeColumnRange> probe_column_ranges(const std::vector<ProbeDesc>& probes,
                                                  int dimension);

}  // namespace flume
