// Runs a fuzz target's LLVMFuzzerTestOneInput on every file named on the command line (or
// in a directory named there), so that the seed corpus is an ordinary regression test with
// any compiler. Exits non-zero if a directory is empty or a file cannot be read; a property
// violation aborts, as under libFuzzer.
// SPDX-License-Identifier: MIT
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
    std::vector<std::filesystem::path> files;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path p(argv[i]);
        if (std::filesystem::is_directory(p)) {
            std::vector<std::filesystem::path> here;
            for (const auto& entry : std::filesystem::directory_iterator(p))
                if (entry.is_regular_file()) here.push_back(entry.path());
            if (here.empty()) {
                std::fprintf(stderr, "replay: no inputs in %s\n", argv[i]);
                return 1;
            }
            std::sort(here.begin(), here.end());
            files.insert(files.end(), here.begin(), here.end());
        } else {
            files.push_back(p);
        }
    }
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "replay: cannot read %s\n", f.string().c_str());
            return 1;
        }
        const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
        // A copy of exactly the file's size, so that AddressSanitizer sees any overread.
        std::uint8_t* exact = data.empty() ? nullptr : new std::uint8_t[data.size()];
        std::copy(data.begin(), data.end(), exact);
        LLVMFuzzerTestOneInput(exact != nullptr ? exact : reinterpret_cast<const std::uint8_t*>(""), data.size());
        delete[] exact;
    }
    std::printf("replay: %zu inputs, no property violated\n", files.size());
    return 0;
}
