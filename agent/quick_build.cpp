#include "agent/quick_build.hpp"

#include <yaml-cpp/yaml.h>

#include "runner/shell_words.hpp"

namespace hangar::agent {

std::string qualifyImage(const std::string& image, const std::string& registry) {
  if (registry.empty()) return image;
  auto slash = image.find('/');
  if (slash != std::string::npos) {
    std::string first = image.substr(0, slash);
    if (first.find_first_of(".:") != std::string::npos || first == "localhost") return image;
  }
  return registry + "/" + image;
}

std::string quickBuildTaskText(const QuickBuild& build) {
  std::vector<std::string> words;
  std::vector<std::string> images;
  for (const auto& tag : build.tags) {
    images.push_back(qualifyImage(tag, build.registry));
    words.insert(words.end(), {"-t", images.back()});
  }
  if (!build.dockerfile.empty()) words.insert(words.end(), {"-f", build.dockerfile});
  for (const auto& arg : build.buildArgs) words.insert(words.end(), {"--build-arg", arg});
  if (!build.target.empty()) words.insert(words.end(), {"--target", build.target});
  if (!build.platform.empty()) words.insert(words.end(), {"--platform", build.platform});
  if (build.noCache) words.push_back("--no-cache");
  words.push_back(".");

  std::string line;
  for (const auto& word : words) line += (line.empty() ? "" : " ") + runner::quoteShellWord(word);
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "version" << YAML::Value << "v1.1.0";
  out << YAML::Key << "steps" << YAML::Value << YAML::BeginSeq;
  out << YAML::BeginMap << YAML::Key << "id" << YAML::Value << "build";
  out << YAML::Key << "build" << YAML::Value << YAML::DoubleQuoted << line << YAML::EndMap;
  if (build.push && !images.empty()) {
    out << YAML::BeginMap << YAML::Key << "id" << YAML::Value << "push";
    out << YAML::Key << "push" << YAML::Value << YAML::BeginSeq;
    for (const auto& image : images) out << YAML::DoubleQuoted << image;
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace hangar::agent
