#include "io/vtk_writer.hpp"

#include "io/output_file.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace flume {

std::string base64_encode(const void* data, std::size_t size) {
    static constexpr char table[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const auto* bytes = static_cast<const unsigned char*>(data);
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < size; i += 3) {
        const std::uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += table[v & 63];
    }
    if (i + 1 == size) {
        const std::uint32_t v = bytes[i] << 16;
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == size) {
        const std::uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

namespace {

// One binary DataArray: a UInt32 byte count followed by the data, base64 encoded together.
template <class T>
void data_array(std::ostream& out, const char* type, const char* name, int components,
                const std::vector<T>& values) {
    const std::uint32_t bytes = static_cast<std::uint32_t>(values.size() * sizeof(T));
    std::vector<unsigned char> block(sizeof bytes + bytes);
    std::memcpy(block.data(), &bytes, sizeof bytes);
    if (bytes) std::memcpy(block.data() + sizeof bytes, values.data(), bytes);
    out << "        <DataArray type=\"" << type << "\" Name=\"" << name
        << "\" NumberOfComponents=\"" << components << "\" format=\"binary\">\n          "
        << base64_encode(block.data(), block.size()) << "\n        </DataArray>\n";
}

std::vector<float> as_3d(const float* v, std::size_t count, int dimension) {
    std::vector<float> out(count * 3, 0.0f);
    for (std::size_t i = 0; i < count; ++i) {
        for (int k = 0; k < dimension; ++k)
            out[i * 3 + k] = v[i * dimension + k];
    }
    return out;
}

}  // namespace

void write_vtp(const std::string& path, const ParticleView& p) {
    std::ofstream out = open_output(path);
    const std::size_t n = p.count;
    out << "<?xml version=\"1.0\"?>\n"
           "<VTKFile type=\"PolyData\" version=\"1.0\" byte_order=\"LittleEndian\" "
           "header_type=\"UInt32\">\n  <PolyData>\n"
        << "    <Piece NumberOfPoints=\"" << n << "\" NumberOfVerts=\"" << n
        << "\" NumberOfLines=\"0\" NumberOfStrips=\"0\" NumberOfPolys=\"0\">\n";
    out << "      <Points>\n";
    data_array(out, "Float32", "position", 3, as_3d(p.position, n, p.dimension));
    out << "      </Points>\n      <PointData Scalars=\"density\" Vectors=\"velocity\">\n";
    data_array(out, "Float32", "velocity", 3, as_3d(p.velocity, n, p.dimension));
    data_array(out, "Float32", "density", 1, std::vector<float>(p.density, p.density + n));
    data_array(out, "Float32", "pressure", 1, std::vector<float>(p.pressure, p.pressure + n));
    data_array(out, "UInt32", "id", 1, std::vector<std::uint32_t>(p.id, p.id + n));
    out << "      </PointData>\n      <Verts>\n";
    std::vector<std::int32_t> connectivity(n), offsets(n);
    for (std::size_t i = 0; i < n; ++i) {
        connectivity[i] = static_cast<std::int32_t>(i);
        offsets[i] = static_cast<std::int32_t>(i + 1);
    }
    data_array(out, "Int32", "connectivity", 1, connectivity);
    data_array(out, "Int32", "offsets", 1, offsets);
    out << "      </Verts>\n    </Piece>\n  </PolyData>\n</VTKFile>\n";
    close_output(out, path);
}

void write_bodies_vtp(const std::string& path, std::span<const BodyStatus> bodies) {
    std::ofstream out = open_output(path);
    const std::size_t n = bodies.size();
    std::vector<float> position, orientation, velocity, spin, force, torque, mass;
    std::vector<std::uint32_t> id;
    auto put = [](std::vector<float>& v, const auto& x, int components) {
        for (int k = 0; k < components; ++k)
            v.push_back(static_cast<float>(x[k]));
    };
    for (std::size_t i = 0; i < n; ++i) {
        const BodyStatus& b = bodies[i];
        put(position, b.position, 3);
        put(orientation, b.orientation, 4);
        put(velocity, b.velocity, 3);
        put(spin, b.angular_velocity, 3);
        put(force, b.force, 3);
        put(torque, b.torque, 3);
        mass.push_back(static_cast<float>(b.mass));
        id.push_back(static_cast<std::uint32_t>(i));
    }
    out << "<?xml version=\"1.0\"?>\n"
           "<VTKFile type=\"PolyData\" version=\"1.0\" byte_order=\"LittleEndian\" "
           "header_type=\"UInt32\">\n  <PolyData>\n"
        << "    <Piece NumberOfPoints=\"" << n << "\" NumberOfVerts=\"" << n
        << "\" NumberOfLines=\"0\" NumberOfStrips=\"0\" NumberOfPolys=\"0\">\n";
    out << "      <Points>\n";
    data_array(out, "Float32", "position", 3, position);
    out << "      </Points>\n      <PointData Vectors=\"velocity\">\n";
    data_array(out, "Float32", "orientation", 4, orientation);
    data_array(out, "Float32", "velocity", 3, velocity);
    data_array(out, "Float32", "angular_velocity", 3, spin);
    data_array(out, "Float32", "force", 3, force);
    data_array(out, "Float32", "torque", 3, torque);
    data_array(out, "Float32", "mass", 1, mass);
    data_array(out, "UInt32", "id", 1, id);
    out << "      </PointData>\n      <Verts>\n";
    std::vector<std::int32_t> connectivity(n), offsets(n);
    for (std::size_t i = 0; i < n; ++i) {
        connectivity[i] = static_cast<std::int32_t>(i);
        offsets[i] = static_cast<std::int32_t>(i + 1);
    }
    data_array(out, "Int32", "connectivity", 1, connectivity);
    data_array(out, "Int32", "offsets", 1, offsets);
    out << "      </Verts>\n    </Piece>\n  </PolyData>\n</VTKFile>\n";
    close_output(out, path);
}

void PvdSeries::add(double time, const std::string& file) {
    frames_.emplace_back(time, file);
    std::ofstream out = open_output(path_);
    out << "<?xml version=\"1.0\"?>\n<VTKFile type=\"Collection\" version=\"1.0\" "
           "byte_order=\"LittleEndian\">\n  <Collection>\n";
    out.precision(9);
    for (const auto& [t, f] : frames_) {
        out << "    <DataSet timestep=\"" << t << "\" part=\"0\" file=\"" << f << "\"/>\n";
    }
    out << "  </Collection>\n</VTKFile>\n";
    close_output(out, path_);
}

}  // namespace flume
