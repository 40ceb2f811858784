#include "io/output_file.hpp"

#include <cerrno>
#include <cstring>

namespace flume {

namespace {

[[noreturn]] void fail(const std::string& path, const char* what) {
    const int error = errno;
    throw OutputError(path + ": " + what + (error ? std::string(": ") + std::strerror(error) : ""));
}

}  // namespace

std::ofstream open_output(const std::string& path) {
    errno = 0;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) fail(path, "cannot open for writing");
    return out;
}

void check_output(const std::ofstream& out, const std::string& path) {
    if (!out) fail(path, "write failed");
}

void close_output(std::ofstream& out, const std::string& path) {
    if (!out) fail(path, "write failed");
    errno = 0;
    out.close();
    if (out.fail()) fail(path, "write failed");
}

void write_output_file(const std::string& path, std::span<const unsigned char> bytes) {
    std::ofstream out = open_output(path);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    close_output(out, path);
}

}  // namespace flume
