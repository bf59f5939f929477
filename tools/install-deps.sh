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
# liblwip-dev: lwIP 2.1, the in-process peer of the lwIP interop tests (test/lwip).
apt-get install -y -qq --no-install-recommends liblwip-dev >/dev/null
echo "tcpfsm: dependencies installed"
