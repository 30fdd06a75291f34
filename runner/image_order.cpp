#include "runner/image_order.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "config/step_parser.hpp"
#include "runner/build_command.hpp"
#include "runner/run_command.hpp"

namespace hangar::runner {

namespace {

/// ancestors[i][j]: step j must end before step i starts (a path of `when` edges from j to i).
std::vector<std::vector<bool>> ancestorsOf(const StepGraph& graph) {
  std::vector<std::vector<bool>> ancestors(graph.size(), std::vector<bool>(graph.size(), false));
  for (size_t i = 0; i < graph.size(); ++i) {  // parents come earlier in the file: file order is topological
    for (size_t parent : graph.parents(i)) {
      ancestors[i][parent] = true;
      for (size_t j = 0; j < parent; ++j) {
        if (ancestors[parent][j]) ancestors[i][j] = true;
      }
    }
  }
  return ancestors;
}

std::vector<std::string> builtTags(const config::Step& step) {
  if (step.kind != config::StepKind::Build) return {};
  try {
    std::vector<std::string> tags;
    for (const std::string& tag : BuildCommand::parse(step.build).tags())
      tags.push_back(config::withDefaultTag(tag));
    return tags;
  } catch (const std::invalid_argument&) {
    return {};
  }
}

std::optional<std::string> ranImage(const config::Step& step) {
  if (step.kind != config::StepKind::Cmd) return std::nullopt;
  try {
    return config::withDefaultTag(RunCommand::parse(step.cmd).image);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

}  // namespace

config::Diagnostics unorderedImageWarnings(const StepGraph& graph, const std::vector<config::Step>& steps) {
  const auto ancestors = ancestorsOf(graph);
  std::vector<std::vector<std::string>> tags;
  for (const config::Step& step : steps) tags.push_back(builtTags(step));

  config::Diagnostics warnings;
  for (size_t runner = 0; runner < steps.size(); ++runner) {
    const auto image = ranImage(steps[runner]);
    if (!image) continue;
    for (size_t builder = 0; builder < steps.size(); ++builder) {
      if (ancestors[runner][builder] || ancestors[builder][runner]) continue;
      if (std::find(tags[builder].begin(), tags[builder].end(), *image) == tags[builder].end()) continue;
      const std::string& id = steps[builder].id;
      warnings.warning(
          steps[runner].position,
          "step '" + steps[runner].id + "' runs " + *image + ", which step '" + id +
              "' builds, without waiting for it: it may run an older image or find none; add \"" + id +
              "\" to its `when` to wait for the build");
    }
  }
  return warnings;
}

}  // namespace hangar::runner
