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
  # tinyobjloader: its one header (libtinyobjloader-dev), compiled into flume_core.
  if(NOT EXISTS /usr/include/tiny_obj_loader.h)
    message(FATAL_ERROR "/usr/include/tiny_obj_loader.h is missing: run scripts/setup.sh core")
  endif()
  add_library(flume_tinyobj INTERFACE)
else()
  set(_flume_links "${CMAKE_BINARY_DIR}/debian-headers")
  file(MAKE_DIRECTORY "${_flume_links}")
  foreach(_dir glm nlohmann CLI stb)
    if(NOT EXISTS "/usr/include/${_dir}")
      message(FATAL_ERROR "/usr/include/${_dir} is missing: run scripts/setup.sh core")
    endif()
    file(CREATE_LINK "/usr/include/${_dir}" "${_flume_links}/${_dir}" SYMBOLIC)
  endforeach()
  if(NOT EXISTS /usr/include/tiny_obj_loader.h)
    message(FATAL_ERROR "/usr/include/tiny_obj_loader.h is missing: run scripts/setup.sh core")
  endif()
  file(CREATE_LINK /usr/include/tiny_obj_loader.h "${_flume_links}/tiny_obj_loader.h" SYMBOLIC)
  foreach(_lib flume_glm flume_json flume_cli11 flume_stb flume_tinyobj)
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

# The browser app: GLFW and WebGL 2 come with Emscripten (-sUSE_GLFW=3, link options in
# src/web). Dear ImGui has no wasm build in Debian, so the same version as the desktop's (1.86) is
# compiled here from Debian's source package, fetched at configure time with
# `apt-get source --download-only imgui` (scripts/setup.sh wasm adds the deb-src entry) and
# unpacked into the build folder; FLUME_IMGUI_SOURCE_DIR points at an unpacked copy instead.
if(FLUME_BUILD_APP AND EMSCRIPTEN)
  set(FLUME_IMGUI_SOURCE_DIR "" CACHE PATH "Unpacked Dear ImGui 1.86 sources (empty: fetch Debian's)")
  if(NOT FLUME_IMGUI_SOURCE_DIR)
    set(_imgui_fetch "${CMAKE_BINARY_DIR}/imgui-source")
    file(MAKE_DIRECTORY "${_imgui_fetch}")
    file(GLOB _imgui_tar "${_imgui_fetch}/imgui_1.86*.orig.tar.*")
    if(NOT _imgui_tar)
      message(STATUS "Fetching Debian's imgui source package (apt-get source --download-only imgui)")
      execute_process(COMMAND apt-get source --download-only imgui
                      WORKING_DIRECTORY "${_imgui_fetch}" RESULT_VARIABLE _rc
                      OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
      file(GLOB _imgui_tar "${_imgui_fetch}/imgui_1.86*.orig.tar.*")
      if(NOT _rc EQUAL 0 OR NOT _imgui_tar)
        message(FATAL_ERROR "Cannot fetch Debian's imgui 1.86 source package (${_err}). "
                            "Run scripts/setup.sh wasm (it adds the deb-src entry).")
      endif()
    endif()
    if(NOT EXISTS "${_imgui_fetch}/unpacked/imgui-1.86/imgui.cpp")
      file(ARCHIVE_EXTRACT INPUT "${_imgui_tar}" DESTINATION "${_imgui_fetch}/unpacked")
    endif()
    set(FLUME_IMGUI_SOURCE_DIR "${_imgui_fetch}/unpacked/imgui-1.86" CACHE PATH "" FORCE)
  endif()
  file(STRINGS "${FLUME_IMGUI_SOURCE_DIR}/imgui.h" _imgui_version REGEX "define IMGUI_VERSION ")
  if(NOT _imgui_version MATCHES "\"1\\.86\"")
    message(FATAL_ERROR "${FLUME_IMGUI_SOURCE_DIR} is not Dear ImGui 1.86: ${_imgui_version}")
  endif()
  set(_i "${FLUME_IMGUI_SOURCE_DIR}")
  add_library(flume_imgui STATIC "${_i}/imgui.cpp" "${_i}/imgui_draw.cpp" "${_i}/imgui_tables.cpp"
              "${_i}/imgui_widgets.cpp" "${_i}/backends/imgui_impl_glfw.cpp"
              "${_i}/backends/imgui_impl_opengl3.cpp")
  target_compile_options(flume_imgui PRIVATE -w)  # third-party code: no warnings of ours
  # WebGL 2 is OpenGL ES 3.0 (the backend's default under Emscripten would be ES 2).
  target_compile_definitions(flume_imgui PUBLIC IMGUI_IMPL_OPENGL_ES3)
  target_include_directories(flume_imgui SYSTEM PUBLIC "${_i}" "${_i}/backends")
  target_link_options(flume_imgui PUBLIC -sUSE_GLFW=3)

  # stb_image_write (the screenshot writer) from Debian's libstb-dev, header only here.
  if(NOT EXISTS /usr/include/stb/stb_image_write.h)
    message(FATAL_ERROR "/usr/include/stb is missing: run scripts/setup.sh wasm")
  endif()
  file(CREATE_LINK /usr/include/stb "${_flume_links}/stb" SYMBOLIC)
  add_library(flume_gl INTERFACE)
  target_include_directories(flume_gl SYSTEM INTERFACE "${_flume_links}")
  target_link_options(flume_gl INTERFACE -sUSE_GLFW=3 -sMIN_WEBGL_VERSION=2 -sMAX_WEBGL_VERSION=2
                      -sFULL_ES3=1)
endif()
