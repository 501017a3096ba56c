# containerd's gRPC API for the drivers that talk to containerd: C++ generated at build time
# from the .proto files Debian ships (golang-github-containerd-containerd-dev, downloaded and
# extracted by ci/setup into build/fetched/containerd-api, never committed). The files carry
# gogoproto options behind `import weak`, which protoc's C++ generator refuses, so they are
# generated from a copy without those options. Without gRPC C++, protoc or the fetched files the
# build goes on without the client (target faultline::containerd_api absent) and says so.
set(FAULTLINE_CONTAINERD_PROTO_ROOT ${CMAKE_SOURCE_DIR}/build/fetched/containerd-api)
set(FAULTLINE_CONTAINERD_PROTOS
    api/types/mount.proto
    api/types/descriptor.proto
    api/types/platform.proto
    api/types/metrics.proto
    api/types/task/task.proto
    api/services/version/v1/version.proto
    api/services/namespaces/v1/namespace.proto
    api/services/containers/v1/containers.proto
    api/services/content/v1/content.proto
    api/services/snapshots/v1/snapshots.proto
    api/services/leases/v1/leases.proto
    api/services/tasks/v1/tasks.proto
    api/services/events/v1/events.proto
    api/events/task.proto
    runtime/v2/runc/options/oci.proto)

find_package(Protobuf QUIET)
find_package(gRPC CONFIG QUIET)
find_program(FAULTLINE_GRPC_CPP_PLUGIN grpc_cpp_plugin)
set(FAULTLINE_HAVE_CONTAINERD_API OFF)
if(NOT Protobuf_FOUND OR NOT Protobuf_PROTOC_EXECUTABLE OR NOT TARGET gRPC::grpc++
   OR NOT FAULTLINE_GRPC_CPP_PLUGIN)
  message(STATUS "containerd API: off (no gRPC C++ or protoc: install libgrpc++-dev "
                 "protobuf-compiler-grpc, or run ci/setup)")
  return()
endif()
if(NOT EXISTS ${FAULTLINE_CONTAINERD_PROTO_ROOT}/api/services/version/v1/version.proto)
  message(STATUS "containerd API: off (${FAULTLINE_CONTAINERD_PROTO_ROOT} is missing: ci/setup "
                 "fetches it from Debian's golang-github-containerd-containerd-dev)")
  return()
endif()
set(FAULTLINE_HAVE_CONTAINERD_API ON)
message(STATUS "containerd API: on (gRPC ${gRPC_VERSION}, protos from ${FAULTLINE_CONTAINERD_PROTO_ROOT})")

set(gen ${CMAKE_BINARY_DIR}/containerd-api)
set(prefix github.com/containerd/containerd)
set(cleaned "")
set(sources "")
foreach(proto ${FAULTLINE_CONTAINERD_PROTOS})
  set(out ${gen}/proto/${prefix}/${proto})
  get_filename_component(out_dir ${out} DIRECTORY)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
    # Drop the gogoproto (and fieldpath plugin) options: Go code generation hints only.
    COMMAND sed -E
            -e "/^import weak /d"
            -e "s/\\[\\(gogoproto[^]]*\\]//g"
            -e "/^[[:space:]]*option \\((gogoproto|containerd\\.plugin)\\.[^;]*;/d"
            ${FAULTLINE_CONTAINERD_PROTO_ROOT}/${proto} > ${out}
    DEPENDS ${FAULTLINE_CONTAINERD_PROTO_ROOT}/${proto}
    VERBATIM)
  list(APPEND cleaned ${out})
  string(REGEX REPLACE "\\.proto$" "" stem ${prefix}/${proto})
  list(APPEND sources ${gen}/cpp/${stem}.pb.cc)
  if(proto MATCHES "^api/services/")
    list(APPEND sources ${gen}/cpp/${stem}.grpc.pb.cc)
  endif()
endforeach()

set(relative "")
foreach(proto ${FAULTLINE_CONTAINERD_PROTOS})
  list(APPEND relative ${prefix}/${proto})
endforeach()
add_custom_command(
  OUTPUT ${sources}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${gen}/cpp
  COMMAND ${Protobuf_PROTOC_EXECUTABLE} -I${gen}/proto -I${Protobuf_INCLUDE_DIRS}
          --cpp_out=${gen}/cpp --grpc_out=${gen}/cpp
          --plugin=protoc-gen-grpc=${FAULTLINE_GRPC_CPP_PLUGIN} ${relative}
  DEPENDS ${cleaned}
  WORKING_DIRECTORY ${gen}/proto
  VERBATIM)

add_library(faultline_containerd_api STATIC ${sources})
add_library(faultline::containerd_api ALIAS faultline_containerd_api)
# Generated code: not ours to hold to our warnings.
target_compile_options(faultline_containerd_api PRIVATE -w)
target_include_directories(faultline_containerd_api SYSTEM PUBLIC ${gen}/cpp)
target_link_libraries(faultline_containerd_api PUBLIC gRPC::grpc++ protobuf::libprotobuf)

# The CRI (runtime/v1 api.proto) for the cri driver: ci/setup takes it from the source of the
# containerd Debian 12 ships (no binary package has it) into build/fetched/cri-api. Without it the
# build goes on without the cri driver (target faultline::cri_api absent) and says so.
set(FAULTLINE_CRI_PROTO ${CMAKE_SOURCE_DIR}/build/fetched/cri-api/api.proto)
if(NOT EXISTS ${FAULTLINE_CRI_PROTO})
  message(STATUS "CRI API: off (${FAULTLINE_CRI_PROTO} is missing: ci/setup fetches it from "
                 "Debian's containerd source)")
  return()
endif()
message(STATUS "CRI API: on (from ${FAULTLINE_CRI_PROTO})")
set(cri_stem k8s.io/cri-api/pkg/apis/runtime/v1/api)
set(cri_cleaned ${gen}/proto/${cri_stem}.proto)
get_filename_component(cri_dir ${cri_cleaned} DIRECTORY)
add_custom_command(
  OUTPUT ${cri_cleaned}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${cri_dir}
  # The same Go-only options as above, imported plainly here.
  COMMAND sed -E
          -e "/^import \"github.com\\/gogo\\//d"
          -e "s/\\[\\(gogoproto[^]]*\\]//g"
          -e "/^[[:space:]]*option \\(gogoproto\\.[^;]*;/d"
          ${FAULTLINE_CRI_PROTO} > ${cri_cleaned}
  DEPENDS ${FAULTLINE_CRI_PROTO}
  VERBATIM)
set(cri_sources ${gen}/cpp/${cri_stem}.pb.cc ${gen}/cpp/${cri_stem}.grpc.pb.cc)
add_custom_command(
  OUTPUT ${cri_sources}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${gen}/cpp
  COMMAND ${Protobuf_PROTOC_EXECUTABLE} -I${gen}/proto -I${Protobuf_INCLUDE_DIRS}
          --cpp_out=${gen}/cpp --grpc_out=${gen}/cpp
          --plugin=protoc-gen-grpc=${FAULTLINE_GRPC_CPP_PLUGIN} ${cri_stem}.proto
  DEPENDS ${cri_cleaned}
  WORKING_DIRECTORY ${gen}/proto
  VERBATIM)
add_library(faultline_cri_api STATIC ${cri_sources})
add_library(faultline::cri_api ALIAS faultline_cri_api)
target_compile_options(faultline_cri_api PRIVATE -w)
target_include_directories(faultline_cri_api SYSTEM PUBLIC ${gen}/cpp)
target_link_libraries(faultline_cri_api PUBLIC gRPC::grpc++ protobuf::libprotobuf)
