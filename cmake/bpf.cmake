# eBPF programs: clang -> BPF object -> `bpftool gen skeleton` -> <name>.skel.h.
#
# FAULTLINE_BPF (AUTO|ON|OFF): AUTO builds probes when clang, bpftool, libbpf and the running
# kernel's BTF (/sys/kernel/btf/vmlinux) are all there, and builds without them otherwise (the
# runtime then reports degraded mode). ON fails configuration when something is missing.
#
# Sets FAULTLINE_BPF_ENABLED. Always defines the INTERFACE target faultline_bpf, which carries
# the compile definition FAULTLINE_HAVE_BPF=0|1 and, when enabled, libbpf.
#
# faultline_bpf_skeleton(NAME SOURCE [DEPENDS header...]) (only when FAULTLINE_BPF_ENABLED):
# compiles SOURCE against a vmlinux.h generated at build time from the running kernel's BTF,
# generates ${CMAKE_CURRENT_BINARY_DIR}/NAME.skel.h (skeleton struct `NAME_bpf`) and defines the
# INTERFACE target NAME_skel: link it to get the header's directory, libbpf and the build order.

# Script mode: `cmake -DBPFTOOL=... -DOBJECT=... -DSKEL_NAME=... -DOUTPUT=... -P bpf.cmake`
# writes one skeleton (custom commands cannot redirect output portably).
if(CMAKE_SCRIPT_MODE_FILE)
  if(DEFINED BTF_FILE)
    execute_process(COMMAND ${BPFTOOL} btf dump file ${BTF_FILE} format c
                    OUTPUT_FILE ${OUTPUT}.tmp RESULT_VARIABLE rc)
  else()
    execute_process(COMMAND ${BPFTOOL} gen skeleton ${OBJECT} name ${SKEL_NAME}
                    OUTPUT_FILE ${OUTPUT}.tmp RESULT_VARIABLE rc)
  endif()
  if(NOT rc EQUAL 0)
    file(REMOVE ${OUTPUT}.tmp)
    message(FATAL_ERROR "bpftool failed (${rc}) writing ${OUTPUT}")
  endif()
  file(RENAME ${OUTPUT}.tmp ${OUTPUT})
  return()
endif()

set(FAULTLINE_BPF AUTO CACHE STRING "Build eBPF probes: AUTO, ON or OFF")
set_property(CACHE FAULTLINE_BPF PROPERTY STRINGS AUTO ON OFF)
set(FAULTLINE_BPF_BTF_FILE /sys/kernel/btf/vmlinux CACHE FILEPATH "Kernel BTF for vmlinux.h")

set(FAULTLINE_BPF_ENABLED OFF)
set(_bpf_missing "")
if(NOT FAULTLINE_BPF STREQUAL "OFF")
  find_program(FAULTLINE_BPF_CLANG NAMES clang clang-14)
  find_program(FAULTLINE_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(LIBBPF QUIET IMPORTED_TARGET libbpf>=1.0)
  endif()
  if(NOT FAULTLINE_BPF_CLANG)
    list(APPEND _bpf_missing "clang")
  endif()
  if(NOT FAULTLINE_BPFTOOL)
    list(APPEND _bpf_missing "bpftool")
  endif()
  if(NOT LIBBPF_FOUND)
    list(APPEND _bpf_missing "libbpf>=1.0 (pkg-config)")
  endif()
  if(NOT EXISTS ${FAULTLINE_BPF_BTF_FILE})
    list(APPEND _bpf_missing "kernel BTF ${FAULTLINE_BPF_BTF_FILE}")
  endif()
  if(_bpf_missing)
    if(FAULTLINE_BPF STREQUAL "ON")
      message(FATAL_ERROR "FAULTLINE_BPF=ON but missing: ${_bpf_missing}")
    endif()
    message(STATUS "eBPF probes: off (missing: ${_bpf_missing}); runs report degraded mode")
  else()
    set(FAULTLINE_BPF_ENABLED ON)
    message(STATUS "eBPF probes: on (${FAULTLINE_BPF_CLANG}, ${FAULTLINE_BPFTOOL})")
  endif()
endif()

add_library(faultline_bpf INTERFACE)
if(FAULTLINE_BPF_ENABLED)
  target_compile_definitions(faultline_bpf INTERFACE FAULTLINE_HAVE_BPF=1)
  target_link_libraries(faultline_bpf INTERFACE PkgConfig::LIBBPF)

  # vmlinux.h from the running kernel, generated once per build tree (CO-RE relocates the rest).
  set(FAULTLINE_BPF_INCLUDE_DIR ${CMAKE_BINARY_DIR}/generated/bpf)
  add_custom_command(
    OUTPUT ${FAULTLINE_BPF_INCLUDE_DIR}/vmlinux.h
    COMMAND ${CMAKE_COMMAND} -E make_directory ${FAULTLINE_BPF_INCLUDE_DIR}
    COMMAND ${CMAKE_COMMAND} -DBPFTOOL=${FAULTLINE_BPFTOOL} -DBTF_FILE=${FAULTLINE_BPF_BTF_FILE}
            -DOUTPUT=${FAULTLINE_BPF_INCLUDE_DIR}/vmlinux.h -P ${CMAKE_CURRENT_LIST_FILE}
    COMMENT "Generating vmlinux.h from ${FAULTLINE_BPF_BTF_FILE}"
    VERBATIM)
  add_custom_target(faultline_bpf_vmlinux DEPENDS ${FAULTLINE_BPF_INCLUDE_DIR}/vmlinux.h)
else()
  target_compile_definitions(faultline_bpf INTERFACE FAULTLINE_HAVE_BPF=0)
endif()

set(_FAULTLINE_BPF_CMAKE ${CMAKE_CURRENT_LIST_FILE})
# libbpf's name for the target architecture (its kprobe argument macros read registers by it).
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(_FAULTLINE_BPF_ARCH arm64)
else()
  set(_FAULTLINE_BPF_ARCH x86)
endif()

function(faultline_bpf_skeleton name source)
  if(NOT FAULTLINE_BPF_ENABLED)
    message(FATAL_ERROR "faultline_bpf_skeleton(${name}) called with FAULTLINE_BPF_ENABLED off")
  endif()
  cmake_parse_arguments(B "" "" "DEPENDS" ${ARGN})
  get_filename_component(src ${source} ABSOLUTE)
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o)
  set(skel ${CMAKE_CURRENT_BINARY_DIR}/${name}.skel.h)
  set(lib_includes "")
  foreach(dir ${LIBBPF_INCLUDE_DIRS})
    list(APPEND lib_includes -I${dir})
  endforeach()
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${FAULTLINE_BPF_CLANG} -g -O2 -Wall -target bpf -D__TARGET_ARCH_${_FAULTLINE_BPF_ARCH}
            -I${FAULTLINE_BPF_INCLUDE_DIR} -I${CMAKE_SOURCE_DIR} ${lib_includes}
            -MD -MF ${obj}.d -c ${src} -o ${obj}
    DEPENDS ${src} ${B_DEPENDS} ${FAULTLINE_BPF_INCLUDE_DIR}/vmlinux.h
    DEPFILE ${obj}.d
    COMMENT "Compiling BPF object ${name}.bpf.o"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${CMAKE_COMMAND} -DBPFTOOL=${FAULTLINE_BPFTOOL} -DOBJECT=${obj}
            -DSKEL_NAME=${name}_bpf -DOUTPUT=${skel} -P ${_FAULTLINE_BPF_CMAKE}
    DEPENDS ${obj}
    COMMENT "Generating BPF skeleton ${name}.skel.h"
    VERBATIM)
  add_custom_target(${name}_skel_gen DEPENDS ${skel})
  add_dependencies(${name}_skel_gen faultline_bpf_vmlinux)
  add_library(${name}_skel INTERFACE)
  target_include_directories(${name}_skel INTERFACE ${CMAKE_CURRENT_BINARY_DIR})
  target_link_libraries(${name}_skel INTERFACE faultline_bpf)
  add_dependencies(${name}_skel ${name}_skel_gen)
endfunction()
