#pragma once

#include <string>
#include <vector>

namespace hangar::agent {

/// What `hangar build` asks for: one docker build, then a push of its tags (like `az acr build`).
struct QuickBuild {
  std::vector<std::string> tags;  // -t; a tag without a registry host gets "<registry>/" in front
  std::string dockerfile;         // -f; empty = the context's Dockerfile
  std::vector<std::string> buildArgs;
  std::string target;
  std::string platform;
  bool noCache = false;
  bool push = true;
  std::string registry;
};

/// The acr-task text of a quick build: a build step with every flag quoted, then a push step.
/// Templates in tags (`app:{{.Run.ID}}`) are rendered later, as ACR does.
std::string quickBuildTaskText(const QuickBuild& build);

/// The image with "<registry>/" in front unless its first component already names a registry host.
std::string qualifyImage(const std::string& image, const std::string& registry);

}  // namespace hangar::agent
