// Fuzzes the Go template engine (config::renderGoTemplate) against a fixed data root like a task's.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/go_template.hpp"

namespace {

const nlohmann::json& root() {
  static const nlohmann::json json = [] {
    hangar::config::TemplateData data;
    data.run.id = "cf1";
    data.run.registry = "127.0.0.1:5000";
    data.values = {{"tag", "v1"}, {"n", 3}, {"list", {1, "two", 3.5, nullptr, true}}, {"map", {{"k", "v"}}}};
    data.secrets = {{"password", "s3cret"}};
    return hangar::config::templateRoot(data);
  }();
  return json;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hangar::config::TemplateOptions options;
  options.clock = [] { return std::chrono::system_clock::time_point{}; };
  try {
    hangar::config::renderGoTemplate(text, root(), options);
  } catch (const hangar::config::TemplateError&) {
  }
  return 0;
}
