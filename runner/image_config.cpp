#include "runner/image_config.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace hangar::runner {
namespace {

std::vector<std::string> stringList(const nlohmann::json& config, const char* key) {
  const auto it = config.find(key);
  if (it == config.end() || it->is_null()) return {};
  return it->get<std::vector<std::string>>();
}

std::string stringField(const nlohmann::json& config, const char* key) {
  const auto it = config.find(key);
  if (it == config.end() || it->is_null()) return {};
  return it->get<std::string>();
}

}  // namespace

ImageConfig ImageConfig::parseInspectOutput(std::string_view output) {
  const auto begin = output.find('{');
  const auto end = output.rfind('}');
  if (begin == std::string_view::npos || end == std::string_view::npos || end < begin) {
    throw std::runtime_error("buildah inspect printed no JSON object");
  }
  try {
    const auto document = nlohmann::json::parse(output.substr(begin, end - begin + 1));
    const auto oci = document.find("OCIv1");
    if (oci == document.end() || !oci->is_object() || !oci->contains("config")) {
      throw std::runtime_error("buildah inspect output has no OCIv1.config");
    }
    const auto& config = (*oci)["config"];
    ImageConfig image;
    if (config.is_null()) return image;
    image.entrypoint = stringList(config, "Entrypoint");
    image.cmd = stringList(config, "Cmd");
    image.env = stringList(config, "Env");
    image.workingDir = stringField(config, "WorkingDir");
    image.user = stringField(config, "User");
    return image;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("cannot read buildah inspect output: ") + e.what());
  }
}

std::vector<std::string> composeContainerArgv(const ImageConfig& image,
                                              const std::optional<std::string>& entrypoint,
                                              const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  if (entrypoint) {
    if (!entrypoint->empty()) argv.push_back(*entrypoint);
  } else {
    argv = image.entrypoint;
  }
  if (!args.empty()) {
    argv.insert(argv.end(), args.begin(), args.end());
  } else if (!entrypoint) {
    argv.insert(argv.end(), image.cmd.begin(), image.cmd.end());
  }
  if (argv.empty()) {
    throw std::invalid_argument(
        "nothing to run: the image has no ENTRYPOINT or CMD and the step gives no command");
  }
  return argv;
}

}  // namespace hangar::runner
