// Fuzzes Dockerfile FROM scanning (runner::scanDockerfile), which never throws. The first line of the
// input is the --target; the rest is the Dockerfile, scanned with a fixed build argument.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "runner/dockerfile_dependencies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string target(newline == std::string_view::npos ? std::string_view{} : input.substr(0, newline));
  const auto dockerfile = newline == std::string_view::npos ? input : input.substr(newline + 1);
  hangar::runner::scanDockerfile(dockerfile, {{"BASE", "busybox"}, {"TAG", "1.36"}}, target);
  return 0;
}
