#!/usr/bin/env bash
# Installs what tcpfsm's build, tests and demo need on Debian 12 (run as root).
# The library itself needs only a C++17 compiler; the rest is for tests and tools.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# iproute2: ip (network namespaces, TUN devices) and ss, for the interop tests (test/interop).
apt-get install -y -qq --no-install-recommends \
    g++ clang cmake ninja-build make python3 pkg-config git \
    catch2 graphviz iproute2 >/dev/null
# curl, wget, socat: the kernel-side programs of the interop transfers (test/interop,
# transfer.sh, http_errors.sh, syn_flood.sh) against examples/tun's tcpfsm_tun.
apt-get install -y -qq --no-install-recommends curl wget socat >/dev/null
# libpcap-dev: the capture tool examples/track/tcpfsm-track (pcap, pcapng, live interfaces)
# and its test track.capture; without it the tool is not built.
apt-get install -y -qq --no-install-recommends libpcap-dev >/dev/null
# liblwip-dev: lwIP 2.1, the in-process peer of the lwIP interop tests (test/lwip).
apt-get install -y -qq --no-install-recommends liblwip-dev >/dev/null
# The benchmarks (bench/, label bench): Google Benchmark, Boost's headers (Boost.MSM and
# Boost.Statechart, the peers of the transition benchmark), gnuplot without X11 (the plot).
apt-get install -y -qq --no-install-recommends libbenchmark-dev libboost-dev gnuplot-nox >/dev/null
# libclang-rt-14-dev: clang 14's libFuzzer and sanitizer runtimes, for the fuzz targets
# (test/fuzz, label fuzz; without it they are skipped).
apt-get install -y -qq --no-install-recommends libclang-rt-14-dev >/dev/null
echo "tcpfsm: dependencies installed"
