#include "runner/build_dependencies.hpp"

#include "registry/image_reference.hpp"

namespace hangar::runner {
namespace fs = std::filesystem;
namespace {

bool isRemote(const std::string& context) {
  return context.find("://") != std::string::npos || context.rfind("git@", 0) == 0 ||
         context.rfind("github.com/", 0) == 0 || context == "-";
}

nlohmann::json imageJson(const OutputImage& image) {
  return {{"registry", image.registry},
          {"repository", image.repository},
          {"tag", image.tag},
          {"digest", image.digest}};
}

}  // namespace

std::optional<fs::path> buildDockerfilePath(const BuildCommand& command, const fs::path& workingDirectory) {
  const std::string file = command.dockerfile();
  if (file == "-" || isRemote(command.context)) return std::nullopt;
  if (!file.empty()) return fs::path(file).is_absolute() ? fs::path(file) : workingDirectory / file;
  const fs::path context(command.context);
  return (context.is_absolute() ? context : workingDirectory / context) / "Dockerfile";
}

std::map<std::string, std::string> buildArgValues(const BuildCommand& command,
                                                  const std::vector<std::string>& stepEnv) {
  std::map<std::string, std::string> values;
  for (const auto& arg : command.buildArgs()) {
    const auto equals = arg.find('=');
    if (equals != std::string::npos) {
      values[arg.substr(0, equals)] = arg.substr(equals + 1);
      continue;
    }
    for (const auto& entry : stepEnv) {
      if (entry.rfind(arg + "=", 0) == 0) values[arg] = entry.substr(arg.size() + 1);
    }
  }
  return values;
}

std::optional<OutputImage> describeImage(const std::string& reference,
                                         const std::function<std::string(const std::string&)>& digestOf) {
  registry::ImageReference parsed;
  try {
    parsed = registry::ImageReference::parse(reference).withDefaultTag();
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
  OutputImage image{parsed.registry, parsed.repository, parsed.tag, parsed.digest};
  if (image.digest.empty()) image.digest = digestOf(reference);
  return image;
}

std::vector<ImageDependency> imageDependencies(
    const std::vector<std::string>& tags, const DockerfileDependencies& bases,
    const std::function<std::string(const std::string&)>& digestOf) {
  std::map<std::string, std::string> digests;  // each base image is looked up once
  const auto cachedDigest = [&](const std::string& reference) {
    auto found = digests.find(reference);
    if (found == digests.end()) found = digests.emplace(reference, digestOf(reference)).first;
    return found->second;
  };
  OutputImage runtime;
  if (!bases.runtime.empty()) runtime = describeImage(bases.runtime, cachedDigest).value_or(OutputImage{});
  std::vector<OutputImage> buildtime;
  for (const auto& base : bases.buildtime) {
    if (auto image = describeImage(base, cachedDigest)) buildtime.push_back(*image);
  }
  std::vector<ImageDependency> dependencies;
  for (const auto& tag : tags) dependencies.push_back({tag, runtime, buildtime});
  return dependencies;
}

nlohmann::json dependenciesLogJson(const std::vector<ImageDependency>& dependencies) {
  nlohmann::json all = nlohmann::json::array();
  for (const auto& dependency : dependencies) {
    nlohmann::json image = {{"registry", ""}, {"repository", dependency.image}, {"tag", ""}, {"digest", ""}};
    if (auto parsed = describeImage(dependency.image, [](const std::string&) { return std::string(); })) {
      image = imageJson(*parsed);
    }
    nlohmann::json buildtime = nlohmann::json::array();
    for (const auto& base : dependency.buildtime) buildtime.push_back(imageJson(base));
    all.push_back({{"image", image},
                   {"runtime-dependency", imageJson(dependency.runtime)},
                   {"buildtime-dependency", buildtime}});
  }
  return all;
}

}  // namespace hangar::runner
