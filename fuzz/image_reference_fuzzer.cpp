// Fuzzes image reference parsing (registry::ImageReference): whatever parses prints back to a string
// that parses to the same reference.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "registry/image_reference.hpp"

using hangar::registry::ImageReference;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hangar::registry::isLoopbackRegistry(text);
  try {
    const auto reference = ImageReference::parse(text);
    if (ImageReference::parse(reference.str()) != reference) std::abort();
    reference.withDefaultTag();
    hangar::registry::isLoopbackRegistry(reference.registry);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
