// Fuzzes the whole task load: comment strip, version, alias preprocessor, template render, parseTask
// and validation (config::loadTask), with no context directory and no alias URL fetching.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/diagnostic.hpp"
#include "config/task_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hangar::config::LoadOptions options;
  options.fileName = "fuzz.yaml";
  options.text.assign(reinterpret_cast<const char*>(data), size);
  options.data.run.id = "cf1";
  options.data.run.registry = "127.0.0.1:5000";
  options.data.run.registryName = "127";
  options.data.values = {{"tag", "v1"}, {"list", {1, 2, 3}}, {"map", {{"k", "v"}}}};
  options.data.secrets = {{"password", "s3cret"}};
  options.templateOptions.clock = [] { return std::chrono::system_clock::time_point{}; };
  try {
    hangar::config::loadTask(options);
  } catch (const hangar::config::TaskError&) {
    // The documented way to refuse a task.
  }
  return 0;
}
