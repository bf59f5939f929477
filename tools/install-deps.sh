#!/usr/bin/env bash
# Installs what tcpfsm's build, tests and demo need on Debian 12 (run as root).
# The library itself needs only a C++17 compiler; the rest is for tests and tools.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    g++ clang cmake ninja-build make python3 pkg-config git \
    catch2 graphviz >/dev/null
echo "tcpfsm: dependencies installed"
