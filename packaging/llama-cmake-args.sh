# Sourced by bootstrap.sh and gpu/build-llama-variant.sh: the CMake flags of the portable CPU
# build of llama-cpp-python, in one place so that the development build and every packaged
# variant (cpu, cuda, vulkan) share the same CPU code.
#
# -DGGML_NATIVE=OFF with an explicit AVX2-era instruction set: a native build compiles in
# whatever the build machine has (AVX-512, AMX) and crashes in ggml's AMX matmul on CPUs that
# advertise AMX; installers need binaries that run on other machines anyway. llama.cpp's
# runtime CPU-variant selection (GGML_CPU_ALL_VARIANTS) is not used: it would pick its AMX
# variant on exactly those CPUs.
# shellcheck shell=bash
# shellcheck disable=SC2034  # read by the scripts that source this file
LLAMA_PORTABLE_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"
