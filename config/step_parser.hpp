#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "config/task.hpp"
#include "config/yaml_reader.hpp"

namespace hangar::config {

/// One step as read from the file, with the positions that checks across steps point at.
struct ParsedStep {
  Step step;  // id defaults to acb_step_<index>; timeout is 0 when not given (the task fills it in)
  SourcePosition idPosition;                 // the id's value, or the step's start when generated
  SourcePosition whenPosition;               // the `when` value, or the step's start
  std::vector<PositionedString> when;        // as written, with each entry's position
  std::vector<PositionedString> mountNames;  // each volumeMounts entry's name
  std::vector<PositionedString> env;         // the step's own env entries, as written
};

/// The step keys of §2.2 that acr-builder reads.
extern const std::vector<std::string_view> kStepKeys;

/// Reads the step at `index` of `steps:` and checks what can be checked within the step alone:
/// types, exactly one of build/cmd/push, non-negative counts, id syntax, cache value, mounts,
/// `when` syntax and env entry syntax. Errors and warnings go to the reader's diagnostics.
/// `listPosition` (the `steps:` list) stands in for a step without a position of its own (`- ` alone).
ParsedStep parseStep(YamlReader& reader, const YAML::Node& node, std::size_t index,
                     const SourcePosition& listPosition);

/// Reports each env entry that is not NAME=VALUE with a non-empty NAME; never quotes the entry,
/// whose value may be a rendered secret.
void checkEnvEntries(const std::vector<PositionedString>& entries, Diagnostics& diagnostics);

/// `image` with ":latest" added when it names neither a tag (a ':' in the last path component) nor a
/// digest ('@'), as `docker push` would assume.
std::string withDefaultTag(std::string_view image);

}  // namespace hangar::config
