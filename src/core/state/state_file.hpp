// The saved state of a simulation: a versioned, checksummed binary file that reads the same
// natively and in WebAssembly (docs/state-file.md).
//
//   header   "FLUMESTA" (8 bytes), format version (u32), dimension (u32), fluid particles (u64),
//            payload bytes (u64), payload checksum (u64, FNV-1a), the build that wrote it (string)
//   payload  sections, each a 4-character tag, its length (u64) and its bytes, in the order the
//            simulation writes them; each room of the simulation writes and reads its own
//
// Numbers are little-endian whatever the machine; strings and arrays carry their length (u64).
// The reader checks every length against what is left, so that a truncated or corrupted file is
// a StateError naming the section, never a read past the end or a huge allocation.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/errors.hpp"

namespace flume {

inline constexpr std::uint32_t kStateFormatVersion = 1;

// Appends values to a byte string.
class StateWriter {
  public:
    template <class T>
    requires std::is_arithmetic_v<T>
    void put(T value) {
        if constexpr (std::is_same_v<T, bool>) {
            put<std::uint8_t>(value ? 1 : 0);
        } else {
            unsigned char bytes[sizeof(T)];
            std::memcpy(bytes, &value, sizeof(T));
            if constexpr (std::endian::native == std::endian::big)
                std::reverse(bytes, bytes + sizeof(T));
            bytes_.append(reinterpret_cast<const char*>(bytes), sizeof(T));
        }
    }
    void put(std::string_view text) {
        put<std::uint64_t>(text.size());
        bytes_.append(text);
    }
    // An array of numbers or of glm vectors of numbers.
    template <class T>
    void put(const std::vector<T>& values) {
        put<std::uint64_t>(values.size());
        for (const T& v : values)
            put_element(v);
    }

    // A section: its tag, then what `write` puts, with its length before it.
    template <class F>
    void section(const char (&tag)[5], F&& write) {
        bytes_.append(tag, 4);
        const std::size_t at = bytes_.size();
        put<std::uint64_t>(0);
        write(*this);
        const std::uint64_t length = bytes_.size() - at - sizeof(std::uint64_t);
        StateWriter n;
        n.put(length);
        bytes_.replace(at, sizeof(std::uint64_t), n.bytes_);
    }

    const std::string& bytes() const { return bytes_; }
    std::string take() { return std::move(bytes_); }

  private:
    template <class T>
    void put_element(const T& v) {
        if constexpr (std::is_arithmetic_v<T>) {
            put(v);
        } else {
            for (int k = 0; k < T::length(); ++k)
                put(v[k]);
        }
    }

    std::string bytes_;
};

// Reads what a StateWriter wrote; every read is checked against what is left.
class StateReader {
  public:
    StateReader(std::string_view bytes, std::string where)
        : bytes_(bytes), where_(std::move(where)) {}

    template <class T>
    requires std::is_arithmetic_v<T> T get() {
        if constexpr (std::is_same_v<T, bool>) {
            const auto b = get<std::uint8_t>();
            if (b > 1) fail("a flag that is neither 0 nor 1");
            return b == 1;
        } else {
            need(sizeof(T));
            unsigned char bytes[sizeof(T)];
            std::memcpy(bytes, bytes_.data() + at_, sizeof(T));
            if constexpr (std::endian::native == std::endian::big)
                std::reverse(bytes, bytes + sizeof(T));
            at_ += sizeof(T);
            T value;
            std::memcpy(&value, bytes, sizeof(T));
            return value;
        }
    }
    // A count or size (u64 in the file), as this machine's size_t.
    std::size_t get_size() {
        const auto n = get<std::uint64_t>();
        if (n > std::numeric_limits<std::size_t>::max()) fail("a size past this machine's");
        return static_cast<std::size_t>(n);
    }
    std::string get_string() {
        const std::size_t n = get_size();
        need(n);
        std::string s(bytes_.substr(at_, n));
        at_ += n;
        return s;
    }
    // An array of `element_size`-byte elements, its count checked against the bytes left
    // before anything is allocated.
    template <class T>
    void get(std::vector<T>& values) {
        const std::size_t n = get_size();
        if (n > (bytes_.size() - at_) / element_bytes<T>()) fail("an array longer than the file");
        values.resize(n);
        for (T& v : values)
            v = get_element<T>();
    }

    // The section tagged `tag`, read by `read` from a reader of its bytes alone, which must use
    // them all.
    template <class F>
    void section(const char (&tag)[5], F&& read) {
        need(4);
        if (bytes_.substr(at_, 4) != std::string_view(tag, 4)) {
            fail("section \"" + std::string(tag) + "\" expected, found \"" +
                 printable(bytes_.substr(at_, 4)) + "\"");
        }
        at_ += 4;
        const std::size_t n = get_size();
        need(n);
        StateReader inner(bytes_.substr(at_, n), where_ + ", section " + tag);
        read(inner);
        if (inner.at_ != n) inner.fail("bytes left over at its end");
        at_ += n;
    }

    bool at_end() const { return at_ == bytes_.size(); }
    [[noreturn]] void fail(const std::string& what) const {
        throw StateError(where_ + ": " + what);
    }

  private:
    void need(std::uint64_t n) const {
        if (n > bytes_.size() - at_) {
            fail("truncated (" + std::to_string(n) + " bytes wanted at byte " +
                 std::to_string(at_) + ", " + std::to_string(bytes_.size() - at_) + " left)");
        }
    }
    template <class T>
    static constexpr std::size_t element_bytes() {
        if constexpr (std::is_same_v<T, bool>)
            return 1;
        else if constexpr (std::is_arithmetic_v<T>)
            return sizeof(T);
        else
            return T::length() * sizeof(typename T::value_type);
    }
    template <class T>
    T get_element() {
        if constexpr (std::is_arithmetic_v<T>) {
            return get<T>();
        } else {
            T v;
            for (int k = 0; k < T::length(); ++k)
                v[k] = get<typename T::value_type>();
            return v;
        }
    }
    static std::string printable(std::string_view s) {
        std::string out;
        for (char c : s)
            out += (c >= 32 && c < 127) ? c : '?';
        return out;
    }

    std::string_view bytes_;
    std::size_t at_ = 0;
    std::string where_;
};

// FNV-1a over bytes.
std::uint64_t fnv1a(std::string_view bytes);

// The header and payload of a state file.
struct StateHeader {
    std::uint32_t version = kStateFormatVersion;
    std::uint32_t dimension = 0;
    std::uint64_t fluid_particles = 0;
    std::string build;  // "flume native" or "flume wasm"
};

// The file: header, then the payload (its checksum computed here).
std::string write_state_file(const StateHeader& header, std::string_view payload);

// Checks the magic, the version, the length and the checksum; returns the header and the
// payload (a view into `bytes`). `name` names the file in messages.
struct StateFile {
    StateHeader header;
    std::string_view payload;
};
StateFile read_state_file(std::string_view bytes, const std::string& name);

// The build that writes states: "flume native" or "flume wasm".
std::string state_build();

}  // namespace flume
