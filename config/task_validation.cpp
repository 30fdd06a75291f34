#include "config/task_validation.hpp"

#include <algorithm>
#include <map>
#include <string_view>

#include "config/key_suggestion.hpp"

namespace hangar::config {

namespace {

std::string line(const SourcePosition& position) { return "line " + std::to_string(position.line); }

void checkUniqueIds(const std::vector<ParsedStep>& steps, Diagnostics& diagnostics) {
  std::map<std::string, const ParsedStep*> byId;
  for (const ParsedStep& parsed : steps) {
    const Step& step = parsed.step;
    auto [it, inserted] = byId.emplace(step.id, &parsed);
    if (inserted) continue;
    const Step& first = it->second->step;
    std::string message;
    if (step.idGiven && first.idGiven) {
      message =
          "duplicate step id '" + step.id + "' (already used by the step at " + line(first.position) + ")";
    } else if (step.idGiven) {
      message = "step id '" + step.id + "' clashes with the id generated for the step without an id at " +
                line(first.position) + "; choose another id";
    } else {
      message = "this step has no id and its generated id '" + step.id + "' is already used by the step at " +
                line(first.position) + "; give one of them another id";
    }
    diagnostics.error(parsed.idPosition, message);
  }
}

void checkWhen(const std::vector<ParsedStep>& steps, Diagnostics& diagnostics) {
  std::map<std::string, const Step*> all;
  for (const ParsedStep& parsed : steps) all.emplace(parsed.step.id, &parsed.step);
  std::vector<std::string> earlier;  // ids of the steps before the current one
  for (const ParsedStep& parsed : steps) {
    for (const PositionedString& entry : parsed.when) {
      const std::string& id = entry.value;
      if (id.empty() || id == "-" || id == parsed.step.id) continue;  // reported by the step parser
      if (std::find(earlier.begin(), earlier.end(), id) != earlier.end()) continue;
      std::string message = "'when' names step '" + id + "', ";
      if (auto later = all.find(id); later != all.end()) {
        message += "which is defined later (at " + line(later->second->position) +
                   "); a step can only wait for steps defined before it in the file";
      } else {
        std::vector<std::string_view> candidates(earlier.begin(), earlier.end());
        message += "which does not exist; 'when' must name steps defined before this one" +
                   didYouMean(id, candidates);
      }
      diagnostics.error(entry.position, message);
    }
    earlier.push_back(parsed.step.id);
  }
}

void checkMounts(const std::vector<ParsedStep>& steps, const std::vector<VolumeSpec>& volumes,
                 Diagnostics& diagnostics) {
  std::vector<std::string_view> names;
  for (const VolumeSpec& volume : volumes) names.push_back(volume.name);
  for (const ParsedStep& parsed : steps) {
    for (const PositionedString& mount : parsed.mountNames) {
      if (std::find(names.begin(), names.end(), mount.value) != names.end()) continue;
      diagnostics.error(mount.position, "volume mount names volume '" + mount.value +
                                            "', which is not declared in the task's 'volumes'" +
                                            didYouMean(mount.value, names));
    }
  }
}

}  // namespace

void validateSteps(const std::vector<ParsedStep>& steps, const std::vector<VolumeSpec>& volumes,
                   Diagnostics& diagnostics) {
  checkUniqueIds(steps, diagnostics);
  checkWhen(steps, diagnostics);
  checkMounts(steps, volumes, diagnostics);
}

}  // namespace hangar::config
