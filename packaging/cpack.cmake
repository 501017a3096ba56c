# The Debian package: `cmake --build --preset default --target package`, or
# `cpack -G DEB --config build/default/CPackConfig.cmake`. Installs under /usr whatever
# CMAKE_INSTALL_PREFIX is; Depends is computed by dpkg-shlibdeps (dpkg-dev).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME faultline)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "faultline developers")
set(CPACK_PACKAGE_CONTACT "faultline developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "benchmark and fault-injection harness for container platforms")
set(CPACK_PACKAGE_DESCRIPTION
    "faultline runs scripted scenarios (YAML or JSON) against real container platforms on one
host: OCI runtimes (runc, crun) called directly, private Docker Engines, Podman, containerd and
its CRI plugin, on virtual clusters of network namespaces and cgroups. It measures container
start latency (with eBPF start phases) and density while injecting node, network, container
and platform faults on a timeline, writes one comparable result document per run, and gates a
candidate against a base inside one run for CI.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The seccomp profile of security: default, which every shipped scenario uses; the libraries
# are added by dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "golang-github-containers-common")
# What faultline drives and uses at run time (ci/setup's list); the platforms of the daemon
# drivers and the node load generator are only suggested.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "runc, crun, busybox-static, iproute2, iptables, procps")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS
    "containerd, docker.io, podman, conmon, containernetworking-plugins, golang-github-containers-common, stress-ng")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
include(CPack)
