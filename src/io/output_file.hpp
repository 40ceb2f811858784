// Files that the programs write, with every failure named. A write to a full disk often fails
// only when the buffered data is flushed, at close: a stream's state must be checked after the
// close, or the data is lost without a word.
//
//   std::ofstream out = open_output(path);   // OutputError if it cannot be created
//   out << ...;
//   close_output(out, path);                  // OutputError if any write failed
#pragma once

#include <fstream>
#include <span>
#include <stdexcept>
#include <string>

namespace flume {

// A file could not be written; the message names the path and the system's reason.
class OutputError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Opens `path` for writing, truncated, in binary mode. Throws OutputError.
std::ofstream open_output(const std::string& path);

// Throws OutputError if a write to `out` has failed so far (for long-lived files, after each
// record, so that a run stops at the first loss rather than at the end).
void check_output(const std::ofstream& out, const std::string& path);

// Flushes and closes `out`; throws OutputError if that or any earlier write failed.
void close_output(std::ofstream& out, const std::string& path);

// Writes `bytes` to `path` as the whole file, checked.
void write_output_file(const std::string& path, std::span<const unsigned char> bytes);

}  // namespace flume
