#include "config/step_parser.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace hangar::config {

const std::vector<std::string_view> kStepKeys = {"id",
                                                 "when",
                                                 "cmd",
                                                 "build",
                                                 "push",
                                                 "timeout",
                                                 "startDelay",
                                                 "retries",
                                                 "retryDelay",
                                                 "retryOnErrors",
                                                 "repeat",
                                                 "ignoreErrors",
                                                 "detach",
                                                 "keep",
                                                 "entryPoint",
                                                 "env",
                                                 "expose",
                                                 "ports",
                                                 "privileged",
                                                 "user",
                                                 "network",
                                                 "isolation",
                                                 "cpus",
                                                 "workingDirectory",
                                                 "disableWorkingDirectoryOverride",
                                                 "pull",
                                                 "cmdDownloadRetries",
                                                 "cmdDownloadRetryDelay",
                                                 "cache",
                                                 "volumeMounts",
                                                 "exitedWith",
                                                 "exitedWithout",
                                                 "secret"};

namespace {

constexpr int kDefaultRetryDelay = 5;  // acr-builder's defaultStepRetryDelayInSeconds

/// Keys that only `cmd` and `build` steps use (§2.2, §4.3); on a push step they do nothing.
const std::set<std::string_view> kRunOnlyKeys = {"retries",
                                                 "retryDelay",
                                                 "retryOnErrors",
                                                 "repeat",
                                                 "detach",
                                                 "keep",
                                                 "env",
                                                 "expose",
                                                 "ports",
                                                 "privileged",
                                                 "user",
                                                 "network",
                                                 "isolation",
                                                 "cpus",
                                                 "workingDirectory",
                                                 "disableWorkingDirectoryOverride"};
/// Keys that only `cmd` steps use.
const std::set<std::string_view> kCmdOnlyKeys = {"entryPoint", "pull", "cmdDownloadRetries",
                                                 "cmdDownloadRetryDelay"};

bool containsSpace(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

std::vector<std::string> valuesOf(const std::vector<PositionedString>& list) {
  std::vector<std::string> out;
  out.reserve(list.size());
  for (const auto& item : list) out.push_back(item.value);
  return out;
}

const char* kindName(StepKind kind) {
  switch (kind) {
    case StepKind::Build:
      return "build";
    case StepKind::Push:
      return "push";
    case StepKind::Cmd:
      break;
  }
  return "cmd";
}

/// Reads a step's fields; one instance per step.
class StepReader {
 public:
  StepReader(YamlReader& reader, const YAML::Node& node, std::size_t index,
             const SourcePosition& listPosition)
      : r_(reader), node_(node) {
    parsed_.step.position = r_.position(node, listPosition);
    parsed_.step.id = "acb_step_" + std::to_string(index);
    parsed_.step.timeout = 0;  // "not given": the task's stepTimeout applies
    parsed_.idPosition = parsed_.step.position;
    parsed_.whenPosition = parsed_.step.position;
  }

  ParsedStep read() {
    if (!node_.IsMap()) {
      r_.diagnostics().error(
          parsed_.step.position,
          "each step must be a map of properties such as 'cmd: ...', got " + YamlReader::describe(node_));
      return parsed_;
    }
    r_.forEachEntry(node_, "a step", kStepKeys,
                    [this](const std::string& key, const SourcePosition& at, const YAML::Node& value) {
                      if (!readKey(key, at, value)) return false;
                      present_.emplace_back(key, at);
                      return true;
                    });
    checkKind();
    checkWhen();
    checkEffects();
    if (step().retryDelay <= 0) step().retryDelay = kDefaultRetryDelay;
    return parsed_;
  }

 private:
  Step& step() { return parsed_.step; }
  Diagnostics& diag() { return r_.diagnostics(); }

  void readString(std::string& field, std::string_view key, const SourcePosition& at, const YAML::Node& v) {
    if (auto s = r_.string(v, key, at)) field = *s;
  }
  void readBool(bool& field, std::string_view key, const SourcePosition& at, const YAML::Node& v) {
    if (auto b = r_.boolean(v, key, at)) field = *b;
  }
  void readStrings(std::vector<std::string>& field, std::string_view key, const SourcePosition& at,
                   const YAML::Node& v) {
    if (auto list = r_.stringList(v, key, at)) field = valuesOf(*list);
  }
  /// An integer that must not be negative; `what` completes "'KEY' must be 0 or more: ...".
  void readCount(int& field, std::string_view key, const SourcePosition& at, const YAML::Node& v,
                 std::string_view what) {
    auto n = r_.integer(v, key, at);
    if (!n) return;
    if (*n < 0) {
      diag().error(r_.position(v, at), "'" + std::string(key) + "' must be 0 or more, got " +
                                           std::to_string(*n) + " (" + std::string(what) + ")");
      return;
    }
    field = *n;
  }

  /// Reads one key; false when it is not a step key.
  bool readKey(const std::string& key, const SourcePosition& at, const YAML::Node& v) {
    Step& s = step();
    if (key == "id") {
      if (auto id = r_.string(v, key, at); id && !id->empty()) {
        s.id = *id;
        s.idGiven = true;
        parsed_.idPosition = r_.position(v, at);
        checkId();
      }
    } else if (key == "when") {
      parsed_.whenPosition = r_.position(v, at);
      if (auto list = r_.stringList(v, key, at)) parsed_.when = *list;
      s.when = valuesOf(parsed_.when);
    } else if (key == "cmd" || key == "build") {
      std::string& field = key == "cmd" ? s.cmd : s.build;
      readString(field, key, at, v);
      if (!field.empty()) kinds_.emplace_back(key == "cmd" ? StepKind::Cmd : StepKind::Build, at);
    } else if (key == "push") {
      readPush(at, v);
    } else if (key == "timeout") {
      readCount(s.timeout, key, at, v, "0 means the task's stepTimeout");
    } else if (key == "startDelay") {
      readCount(s.startDelay, key, at, v, "seconds to wait before the step starts");
    } else if (key == "retries") {
      readCount(s.retries, key, at, v, "extra attempts after a failure");
    } else if (key == "retryDelay") {
      // acr-builder turns 0 or less into 5 seconds, so a negative delay is accepted.
      if (auto n = r_.integer(v, key, at)) s.retryDelay = *n;
    } else if (key == "retryOnErrors") {
      readStrings(s.retryOnErrors, key, at, v);
    } else if (key == "repeat") {
      readCount(s.repeat, key, at, v, "extra runs of the step");
    } else if (key == "ignoreErrors") {
      readBool(s.ignoreErrors, key, at, v);
    } else if (key == "detach") {
      readBool(s.detach, key, at, v);
    } else if (key == "keep") {
      readBool(s.keep, key, at, v);
    } else if (key == "entryPoint") {
      readString(s.entryPoint, key, at, v);
    } else if (key == "env") {
      readEnv(at, v);
    } else if (key == "expose") {
      readStrings(s.expose, key, at, v);
    } else if (key == "ports") {
      readStrings(s.ports, key, at, v);
    } else if (key == "privileged") {
      readBool(s.privileged, key, at, v);
    } else if (key == "user") {
      readString(s.user, key, at, v);
    } else if (key == "network") {
      readString(s.network, key, at, v);
    } else if (key == "isolation") {
      readString(s.isolation, key, at, v);
    } else if (key == "cpus") {
      readString(s.cpus, key, at, v);
    } else if (key == "workingDirectory") {
      readString(s.workingDirectory, key, at, v);
    } else if (key == "disableWorkingDirectoryOverride") {
      readBool(s.disableWorkingDirectoryOverride, key, at, v);
    } else if (key == "pull") {
      readBool(s.pull, key, at, v);
    } else if (key == "cmdDownloadRetries") {
      readCount(s.cmdDownloadRetries, key, at, v, "extra attempts of the image pull");
    } else if (key == "cmdDownloadRetryDelay") {
      readCount(s.cmdDownloadRetryDelay, key, at, v, "seconds between pull attempts");
    } else if (key == "cache") {
      readCache(at, v);
    } else if (key == "volumeMounts") {
      readMounts(at, v);
    } else if (key == "exitedWith" || key == "exitedWithout") {
      if (auto list = r_.integerList(v, key, at))
        (key == "exitedWith" ? s.exitedWith : s.exitedWithout) = *list;
      diag().warning(at, "'" + key + "' has no effect: acr-builder reads it but never uses it");
    } else if (key == "secret") {
      diag().warning(at,
                     "'secret' is not a step property and has no effect; declare task-level 'secrets' and "
                     "use them through {{.Secrets.ID}} or a secret volume");
    } else {
      return false;
    }
    return true;
  }

  void checkId() {
    const std::string& id = step().id;
    if (containsSpace(id)) {
      diag().error(parsed_.idPosition,
                   "step id '" + id + "' must not contain spaces (it names the step's container)");
    } else if (id == "acb_root") {
      diag().error(parsed_.idPosition, "step id 'acb_root' is reserved for the root of the step graph");
    } else if (id == "-") {
      diag().error(parsed_.idPosition, "step id '-' is reserved: in 'when' it means \"start at once\"");
    }
  }

  void readPush(const SourcePosition& at, const YAML::Node& v) {
    std::vector<PositionedString> images;
    if (v.IsScalar()) {
      images.push_back({v.Scalar(), r_.position(v, at)});
    } else if (auto list = r_.stringList(v, "push", at, /*flatten=*/true)) {
      images = *list;
    } else {
      return;
    }
    std::vector<std::string>& push = step().push;
    for (const auto& image : images) {
      if (image.value.empty() || containsSpace(image.value)) {
        diag().error(image.position,
                     "'push' entries must be image references without spaces, got '" + image.value + "'");
        continue;
      }
      std::string normalised = withDefaultTag(image.value);
      if (std::find(push.begin(), push.end(), normalised) == push.end()) push.push_back(normalised);
    }
    if (!images.empty()) kinds_.emplace_back(StepKind::Push, at);
  }

  void readEnv(const SourcePosition& at, const YAML::Node& v) {
    auto list = r_.stringList(v, "env", at);
    if (!list) return;
    checkEnvEntries(*list, diag());
    parsed_.env = *list;
    step().env = valuesOf(*list);
  }

  void readCache(const SourcePosition& at, const YAML::Node& v) {
    auto value = r_.string(v, "cache", at);
    if (!value || value->empty()) return;
    std::string lower = *value;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (lower == "enabled") {
      step().cache = true;
    } else if (lower == "disabled") {
      step().cache = false;
    } else {
      diag().error(r_.position(v, at),
                   "invalid value '" + *value + "' for 'cache': use 'enabled' or 'disabled'");
    }
  }

  void readMounts(const SourcePosition& at, const YAML::Node& v) {
    if (v.IsNull() || !r_.expectList(v, "volumeMounts", at)) return;
    static const std::vector<std::string_view> kMountKeys = {"name", "mountPath"};
    std::map<std::string, SourcePosition> paths;
    for (const YAML::Node& entry : v) {
      const SourcePosition entryAt = r_.position(entry, r_.position(v, at));
      if (!entry.IsMap()) {
        diag().error(entryAt, "each entry of 'volumeMounts' must be a map with 'name' and 'mountPath', got " +
                                  YamlReader::describe(entry));
        continue;
      }
      VolumeMount mount;
      SourcePosition nameAt = entryAt, pathAt = entryAt;
      r_.forEachEntry(entry, "a volumeMounts entry", kMountKeys,
                      [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& value) {
                        if (key == "name") {
                          if (auto s = r_.string(value, key, keyAt)) mount.name = *s;
                          nameAt = r_.position(value, keyAt);
                        } else if (key == "mountPath") {
                          if (auto s = r_.string(value, key, keyAt)) mount.mountPath = *s;
                          pathAt = r_.position(value, keyAt);
                        } else {
                          return false;
                        }
                        return true;
                      });
      if (mount.name.empty())
        diag().error(entryAt, "a volumeMounts entry needs a 'name' (a volume of the task)");
      if (mount.mountPath.empty()) {
        diag().error(entryAt,
                     "a volumeMounts entry needs a 'mountPath' (where the volume appears in the container)");
      } else if (mount.mountPath.front() != '/') {
        diag().error(pathAt, "mountPath '" + mount.mountPath + "' must be an absolute path");
      } else if (auto [first, inserted] = paths.emplace(mount.mountPath, pathAt); !inserted) {
        diag().error(pathAt, "mountPath '" + mount.mountPath +
                                 "' is already used by another mount of this step (line " +
                                 std::to_string(first->second.line) + ")");
      }
      if (!mount.name.empty()) parsed_.mountNames.push_back({mount.name, nameAt});
      step().volumeMounts.push_back(std::move(mount));
    }
  }

  void checkKind() {
    if (kinds_.empty()) {
      diag().error(
          step().position,
          "step '" + step().id + "' has no 'cmd', 'build' or 'push': a step must have exactly one of them");
      return;
    }
    step().kind = kinds_.front().first;
    if (kinds_.size() > 1) {
      diag().error(kinds_[1].second, std::string("step '") + step().id + "' has both '" +
                                         kindName(kinds_[0].first) + "' and '" + kindName(kinds_[1].first) +
                                         "': a step must have exactly one of 'cmd', 'build' or 'push'");
    }
    if (step().kind == StepKind::Push && !step().volumeMounts.empty()) {
      auto mounts = std::find_if(present_.begin(), present_.end(),
                                 [](const auto& p) { return p.first == "volumeMounts"; });
      diag().error(mounts->second, "'volumeMounts' can only be used by 'cmd' and 'build' steps");
    }
  }

  void checkWhen() {
    const auto& when = parsed_.when;
    for (const auto& entry : when) {
      if (entry.value == "-" && when.size() > 1) {
        diag().error(parsed_.whenPosition,
                     "'-' in 'when' means \"start at once\" and cannot be combined with step ids");
        break;
      }
    }
    for (const auto& entry : when) {
      if (entry.value.empty()) {
        diag().error(entry.position, "'when' entries must be step ids or '-', got an empty string");
      } else if (entry.value == step().id) {
        diag().error(entry.position, "step '" + step().id + "' cannot wait for itself in 'when'");
      }
    }
  }

  /// Warns about keys that do nothing for this kind of step (§2.2 "applies to", §4.3).
  void checkEffects() {
    if (kinds_.empty()) return;
    const StepKind kind = step().kind;
    for (const auto& [key, at] : present_) {
      bool useless = (kind == StepKind::Push && (kRunOnlyKeys.count(key) || kCmdOnlyKeys.count(key))) ||
                     (kind == StepKind::Build && kCmdOnlyKeys.count(key)) ||
                     (kind != StepKind::Build && key == "cache");
      if (useless) diag().warning(at, "'" + key + "' has no effect on a " + kindName(kind) + " step");
    }
  }

  YamlReader& r_;
  const YAML::Node& node_;
  ParsedStep parsed_;
  std::vector<std::pair<StepKind, SourcePosition>> kinds_;  // non-empty cmd/build/push keys, in file order
  std::vector<std::pair<std::string, SourcePosition>> present_;  // keys read, in file order
};

}  // namespace

void checkEnvEntries(const std::vector<PositionedString>& entries, Diagnostics& diagnostics) {
  for (const auto& entry : entries) {
    auto equals = entry.value.find('=');
    if (equals == std::string::npos) {
      diagnostics.error(entry.position, "env entries must have the form NAME=VALUE; this one has no '='");
    } else if (equals == 0) {
      diagnostics.error(entry.position,
                        "env entries must have the form NAME=VALUE; this one has an empty NAME");
    }
  }
}

ParsedStep parseStep(YamlReader& reader, const YAML::Node& node, std::size_t index,
                     const SourcePosition& listPosition) {
  return StepReader(reader, node, index, listPosition).read();
}

std::string withDefaultTag(std::string_view image) {
  if (image.find('@') != std::string_view::npos) return std::string(image);
  auto slash = image.rfind('/');
  std::string_view last = slash == std::string_view::npos ? image : image.substr(slash + 1);
  if (last.find(':') != std::string_view::npos) return std::string(image);
  return std::string(image) + ":latest";
}

}  // namespace hangar::config
