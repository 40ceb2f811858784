# Third-party dependencies, all from Debian packages (see scripts/setup.sh).
#
# Natively they are found through the CMake configs that Debian installs. Under Emscripten the
# toolchain confines header look-ups to its own sysroot, so the header-only libraries are exposed
# through a private folder of symbolic links to their Debian include directories (adding
# /usr/include itself would pull glibc's headers into the wasm build).

if(NOT EMSCRIPTEN)
  find_package(glm REQUIRED)
  find_package(nlohmann_json 3 REQUIRED)
  find_package(CLI11 REQUIRED)
  add_library(flume_glm INTERFACE)
  target_link_libraries(flume_glm INTERFACE glm::glm)
  add_library(flume_json INTERFACE)
  target_link_libraries(flume_json INTERFACE nlohmann_json::nlohmann_json)
  add_library(flume_cli11 INTERFACE)
  target_link_libraries(flume_cli11 INTERFACE CLI11::CLI11)
  add_library(flume_stb INTERFACE)  # header-only use (<stb/...> from libstb-dev in /usr/include)
else()
  set(_flume_links "${CMAKE_BINARY_DIR}/debian-headers")
  file(MAKE_DIRECTORY "${_flume_links}")
  foreach(_dir glm nlohmann CLI stb)
    if(NOT EXISTS "/usr/include/${_dir}")
      message(FATAL_ERROR "/usr/include/${_dir} is missing: run scripts/setup.sh core")
    endif()
    file(CREATE_LINK "/usr/include/${_dir}" "${_flume_links}/${_dir}" SYMBOLIC)
  endforeach()
  foreach(_lib flume_glm flume_json flume_cli11 flume_stb)
    add_library(${_lib} INTERFACE)
    target_include_directories(${_lib} SYSTEM INTERFACE "${_flume_links}")
  endforeach()
endif()

# GoogleTest is built from Debian's sources (libgtest-dev ships them in /usr/src/googletest), so
# that it gets the same flags as Flume: -pthread under Emscripten, sanitizers in those presets.
if(FLUME_BUILD_TESTS)
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
  add_subdirectory(/usr/src/googletest "${CMAKE_BINARY_DIR}/googletest" EXCLUDE_FROM_ALL SYSTEM)
endif()

# The desktop app: GLFW, a glad loader for OpenGL 3.3 core generated at build time (offline, with
# --reproducible), Dear ImGui 1.86 (Debian's static core library plus the GLFW and OpenGL 3
# backends from its examples), stb_image_write.
if(FLUME_BUILD_APP AND NOT EMSCRIPTEN)
  find_package(glfw3 3.3 REQUIRED)
  find_program(FLUME_GLAD glad REQUIRED)
  set(_glad_dir "${CMAKE_BINARY_DIR}/glad")
  add_custom_command(
    OUTPUT "${_glad_dir}/src/gl.c" "${_glad_dir}/include/glad/gl.h"
    COMMAND "${FLUME_GLAD}" --quiet --reproducible --api gl:core=3.3 --out-path "${_glad_dir}" c
    COMMENT "Generating the OpenGL 3.3 core loader with glad"
    VERBATIM)
  add_library(flume_gl STATIC "${_glad_dir}/src/gl.c")
  target_include_directories(flume_gl SYSTEM PUBLIC "${_glad_dir}/include")
  target_link_libraries(flume_gl PUBLIC glfw ${CMAKE_DL_LIBS})

  set(_imgui_backends /usr/share/doc/libimgui-dev/examples/backends)
  find_library(FLUME_IMGUI_LIBRARY NAMES libimgui.a imgui REQUIRED)
  find_library(FLUME_STB_LIBRARY NAMES libstb.a stb REQUIRED)  # ImGui's font packer, PNG writer
  add_library(flume_imgui STATIC "${_imgui_backends}/imgui_impl_glfw.cpp"
                                 "${_imgui_backends}/imgui_impl_opengl3.cpp")
  target_include_directories(flume_imgui SYSTEM PUBLIC /usr/include/imgui /usr/include/imgui/backends)
  target_link_libraries(flume_imgui PUBLIC "${FLUME_IMGUI_LIBRARY}" "${FLUME_STB_LIBRARY}" glfw ${CMAKE_DL_LIBS})
endif()
