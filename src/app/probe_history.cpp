#include "probe_history.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace flume {

void ProbeHistory::reset(std::span<const ProbeColumn> columns, std::size_t rows) {
    columns_.assign(columns.begin(), columns.end());
    times_.assign(std::max<std::size_t>(rows, 1), 0.0);
    values_.assign(times_.size() * columns_.size(), 0.0);
    pushed_ = 0;
    ++series_;
}

std::size_t ProbeHistory::size() const {
    return static_cast<std::size_t>(std::min<std::uint64_t>(pushed_, times_.size()));
}

void ProbeHistory::push(double time, std::span<const double> reading) {
    if (reading.size() != columns_.size())
        throw std::invalid_argument("ProbeHistory::push: a reading of the wrong size");
    const std::size_t s = static_cast<std::size_t>(pushed_ % capacity());
    times_[s] = time;
    std::copy(reading.begin(), reading.end(), values_.begin() + std::ptrdiff_t(s * reading.size()));
    ++pushed_;
}

void ProbeHistory::catch_up(const ProbeHistory& source) {
    if (series_ != source.series_ || pushed_ > source.pushed_) {
        *this = source;  // a copy of another history, or of one reset since
        return;
    }
    // Both rings put row k in slot k % capacity: copy the slots of the missing rows.
    const std::uint64_t first = std::max(pushed_, source.pushed_ - source.size());
    const std::size_t n = columns_.size();
    for (std::uint64_t k = first; k < source.pushed_; ++k) {
        const std::size_t s = static_cast<std::size_t>(k % capacity());
        times_[s] = source.times_[s];
        std::copy_n(source.values_.begin() + std::ptrdiff_t(s * n), n,
                    values_.begin() + std::ptrdiff_t(s * n));
    }
    pushed_ = source.pushed_;
}

std::vector<ProbeColumnRange> probe_column_ranges(const std::vector<ProbeDesc>& probes,
                                                  int dimension) {
    std::vector<ProbeColumnRange> ranges;
    std::size_t first = 0;
    for (const ProbeDesc& p : probes) {
        const std::size_t count = probe_columns({p}, dimension).size();
        ranges.push_back({p.name, first, count});
        first += count;
    }
    return ranges;
}

std::string ProbeHistory::csv() const {
    std::ostringstream out;
    out.precision(9);
    out << "time [s]";
    for (const ProbeColumn& c : columns_)
        out << ',' << c.name << " [" << c.unit << ']';
    out << '\n';
    for (std::size_t row = 0; row < size(); ++row) {
        out << time(row);
        for (std::size_t c = 0; c < columns_.size(); ++c)
            out << ',' << value(row, c);
        out << '\n';
    }
    return out.str();
}

}  // namespace flume
