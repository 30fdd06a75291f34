// Fuzzes WWW-Authenticate parsing (registry::parseWwwAuthenticate), which never throws.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "registry/auth_challenge.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  for (const auto& challenge : hangar::registry::parseWwwAuthenticate(header)) {
    challenge.param("realm");
  }
  return 0;
}
