// A vertex buffer for data that changes every frame (the particles): its storage is allocated
// once, for the most it will hold (a scene's particle capacity, at load), and each frame only
// copies its data in (glBufferSubData), instead of reallocating the buffer at that frame's size
// (glBufferData). Should more data arrive than reserved, it grows once to fit.
#pragma once

#include <cstddef>

#include "app/gl.hpp"

namespace flume {

class StreamBuffer {
  public:
    void create() { glGenBuffers(1, &buffer_); }
    void destroy() {
        glDeleteBuffers(1, &buffer_);
        buffer_ = 0;
        capacity_ = 0;
    }

    // Allocates room for `bytes` (its contents undefined) and leaves the buffer bound.
    void reserve(std::size_t bytes) {
        if (buffer_ == 0) return;  // not created (an unavailable surface view)
        glBindBuffer(GL_ARRAY_BUFFER, buffer_);
        glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(bytes), nullptr, GL_DYNAMIC_DRAW);
        capacity_ = bytes;
    }

    // Copies `bytes` to the start of the buffer and leaves it bound.
    void update(const void* data, std::size_t bytes) {
        if (bytes > capacity_) {
            reserve(bytes);
        } else {
            glBindBuffer(GL_ARRAY_BUFFER, buffer_);
        }
        if (bytes > 0) glBufferSubData(GL_ARRAY_BUFFER, 0, static_cast<GLsizeiptr>(bytes), data);
    }

    std::size_t capacity() const { return capacity_; }

  private:
    GLuint buffer_ = 0;
    std::size_t capacity_ = 0;  // bytes
};

}  // namespace flume
