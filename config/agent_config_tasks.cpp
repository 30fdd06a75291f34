// The `tasks:` section of agent.yaml: task definitions like `az acr task create`, with their timers.

#include <array>
#include <map>
#include <stdexcept>

#include "config/agent_config_sections.hpp"

namespace hangar::config::agent_config_detail {

namespace {

constexpr std::array<std::string_view, 18> kTaskKeys{
    "name",    "file",     "dockerfile",  "imageNames",       "noPush",        "cmd",
    "context", "registry", "values",      "valuesFile",       "timeout",       "enabled",
    "timers",  "catchup",  "concurrency", "baseImageTrigger", "sourceTrigger", "queue"};
constexpr std::array<std::string_view, 3> kTimerKeys{"name", "schedule", "jitter"};
constexpr std::array<std::string_view, 3> kSourceTriggerKeys{"commit", "pullRequest", "interval"};

bool matches(std::string_view text, bool allowUpperAndUnderscore) {
  if (text.empty()) return false;
  for (char c : text) {
    const bool lower = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    const bool extra = allowUpperAndUnderscore && ((c >= 'A' && c <= 'Z') || c == '_');
    if (!lower && !extra) return false;
  }
  return true;
}

/// A git URL (https://, ssh://, file://, git@host:...), as opposed to a local directory or /dev/null.
bool isGitContext(std::string_view context) {
  return context.find("://") != std::string_view::npos || context.starts_with("git@");
}

class TaskReader {
 public:
  TaskReader(YamlReader& reader, std::map<std::string, int>& names) : r_(reader), names_(names) {}

  std::optional<TaskDefinition> read(const YAML::Node& item, const SourcePosition& at, size_t index) {
    where_ = "tasks[" + std::to_string(index) + "]";
    task_.position = at;
    r_.forEachEntry(item, where_, kTaskKeys,
                    [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& v) {
                      return entry(key, keyAt, v);
                    });
    finish(at);
    if (!ok_) return std::nullopt;
    return task_;
  }

 private:
  void fail(const SourcePosition& at, const std::string& message) {
    r_.diagnostics().error(at, message);
    ok_ = false;
  }

  template <typename T>
  void set(std::optional<T> value, T& field) {
    if (value)
      field = std::move(*value);
    else
      ok_ = false;
  }

  bool entry(const std::string& key, const SourcePosition& at, const YAML::Node& v) {
    if (key == "name") {
      name(v, at);
    } else if (key == "file" || key == "dockerfile" || key == "cmd") {
      kind(key, at);
      std::string& field = key == "file" ? task_.file : key == "dockerfile" ? task_.dockerfile : task_.cmd;
      set(nonEmptyString(r_, v, key, at), field);
    } else if (key == "imageNames") {
      dockerfileOnly_.emplace_back(key, at);
      if (auto names = r_.stringList(v, key, at)) {
        for (const PositionedString& image : *names) task_.imageNames.push_back(image.value);
      } else {
        ok_ = false;
      }
    } else if (key == "noPush") {
      dockerfileOnly_.emplace_back(key, at);
      set(r_.boolean(v, key, at), task_.noPush);
    } else if (key == "context") {
      set(nonEmptyString(r_, v, key, at), task_.context);
    } else if (key == "registry") {
      set(nonEmptyString(r_, v, key, at), task_.registry);
    } else if (key == "values") {
      values(v, at);
    } else if (key == "valuesFile") {
      set(nonEmptyString(r_, v, key, at), task_.valuesFile);
    } else if (key == "timeout") {
      set(integerInRange(r_, v, key, at, 300, 28800), task_.timeout);
    } else if (key == "enabled") {
      set(r_.boolean(v, key, at), task_.enabled);
    } else if (key == "timers") {
      timers(v, at);
    } else if (key == "catchup") {
      set(oneOf<Catchup>(r_, v, key, at, {{"latest", Catchup::Latest}, {"none", Catchup::None}}),
          task_.catchup);
    } else if (key == "concurrency") {
      set(oneOf<Concurrency>(r_, v, key, at,
                             {{"forbid", Concurrency::Forbid},
                              {"allow", Concurrency::Allow},
                              {"replace", Concurrency::Replace}}),
          task_.concurrency);
    } else if (key == "baseImageTrigger") {
      set(oneOf<BaseImageTrigger>(r_, v, key, at,
                                  {{"runtime", BaseImageTrigger::Runtime},
                                   {"all", BaseImageTrigger::All},
                                   {"off", BaseImageTrigger::Off}}),
          task_.baseImageTrigger);
    } else if (key == "sourceTrigger") {
      sourceTriggerAt_ = at;
      sourceTrigger(v, at);
    } else if (key == "queue") {
      auto label = nonEmptyString(r_, v, key, at);
      if (label && !matches(*label, false)) {
        fail(r_.position(v, at), "'queue' must match [a-z0-9-]+, got '" + *label + "'");
        label.reset();
      }
      set(label, task_.queue);
    } else {
      return false;
    }
    return true;
  }

  void name(const YAML::Node& v, const SourcePosition& at) {
    auto name = nonEmptyString(r_, v, "name", at);
    if (!name) return void(ok_ = false);
    if (!matches(*name, false))
      return fail(r_.position(v, at),
                  "task name '" + *name + "' must match [a-z0-9-]+ (lower-case letters, digits, -)");
    task_.name = *name;
    if (auto [first, inserted] = names_.emplace(*name, at.line); !inserted)
      fail(r_.position(v, at),
           "task name '" + *name + "' is used twice (first at line " + std::to_string(first->second) + ")");
  }

  void kind(const std::string& key, const SourcePosition& at) {
    if (!kindKey_.empty()) {
      fail(at, "'" + key + "' cannot be combined with '" + kindKey_ +
                   "': a task is a task file (file), a quick build (dockerfile) or one command (cmd)");
      return;
    }
    kindKey_ = key;
    task_.kind = key == "file" ? TaskKind::File : key == "dockerfile" ? TaskKind::Dockerfile : TaskKind::Cmd;
  }

  void values(const YAML::Node& v, const SourcePosition& at) {
    if (v.IsNull()) return;
    if (!r_.expectMap(v, "values", at)) return void(ok_ = false);
    for (auto it = v.begin(); it != v.end(); ++it) {
      const SourcePosition keyAt = r_.position(it->first, at);
      if (!it->first.IsScalar() || it->first.Scalar().empty()) {
        fail(keyAt, "each key of 'values' must be a name, got " + YamlReader::describe(it->first));
        continue;
      }
      const std::string& key = it->first.Scalar();
      if (it->second.IsMap() || it->second.IsSequence()) {
        fail(r_.position(it->second, keyAt), "values." + key + " must be a single value (like --set " + key +
                                                 "=V); put nested values in valuesFile");
        continue;
      }
      const std::string text = it->second.IsNull() ? "" : it->second.Scalar();
      if (!task_.values.emplace(key, text).second) fail(keyAt, "duplicate key '" + key + "' in values");
    }
  }

  void timers(const YAML::Node& v, const SourcePosition& at) {
    if (v.IsNull()) return;
    if (!r_.expectList(v, "timers", at)) return void(ok_ = false);
    std::map<std::string, int> timerNames;
    std::map<std::string, std::string> schedules;  // schedule text -> timer name
    for (size_t index = 0; index < v.size(); ++index) {
      const YAML::Node item = v[index];
      const SourcePosition itemAt = r_.position(item, at);
      const std::string where = where_ + ".timers[" + std::to_string(index) + "]";
      if (!item.IsMap()) {
        fail(itemAt,
             where + " must be a map {name: N, schedule: \"CRON\"}, got " + YamlReader::describe(item));
        continue;
      }
      std::string name = "t" + std::to_string(index + 1);  // ACR's default names
      SourcePosition nameAt = itemAt;
      std::optional<CronExpression> schedule;
      int jitter = 0;
      bool hasSchedule = false, unknownKey = false;
      r_.forEachEntry(item, where, kTimerKeys,
                      [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& value) {
                        if (key == "name") {
                          auto text = nonEmptyString(r_, value, key, keyAt);
                          if (text && !matches(*text, true)) {
                            fail(r_.position(value, keyAt),
                                 "timer name '" + *text + "' must match [A-Za-z0-9_-]+");
                            text.reset();
                          }
                          set(text, name);
                          nameAt = r_.position(value, keyAt);
                        } else if (key == "schedule") {
                          hasSchedule = true;
                          auto text = nonEmptyString(r_, value, key, keyAt);
                          if (!text) {
                            ok_ = false;
                            return true;
                          }
                          try {
                            schedule = CronExpression::parse(*text);
                          } catch (const std::invalid_argument& e) {
                            fail(r_.position(value, keyAt), e.what());
                          }
                        } else if (key == "jitter") {
                          if (auto n = integerInRange(r_, value, key, keyAt, 0, 86400))
                            jitter = *n;
                          else
                            ok_ = false;
                        } else {
                          ok_ = false;
                          unknownKey = true;
                          return false;
                        }
                        return true;
                      });
      if (!hasSchedule && !unknownKey) fail(itemAt, where + " needs 'schedule' (5-field cron, UTC)");
      if (auto [first, inserted] = timerNames.emplace(name, nameAt.line); !inserted)
        fail(nameAt, "timer name '" + name + "' is used twice in task '" + task_.name + "' (first at line " +
                         std::to_string(first->second) + ")");
      if (!schedule) continue;
      if (auto [first, inserted] = schedules.emplace(schedule->str(), name); !inserted)
        fail(itemAt, "timer '" + name + "' repeats the schedule of timer '" + first->second + "'");
      task_.timers.push_back({name, *schedule, itemAt, jitter});
    }
  }

  void sourceTrigger(const YAML::Node& v, const SourcePosition& at) {
    SourceTrigger trigger;
    if (!v.IsNull()) {
      if (!r_.expectMap(v, "sourceTrigger", at)) return void(ok_ = false);
      r_.forEachEntry(v, where_ + ".sourceTrigger", kSourceTriggerKeys,
                      [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& value) {
                        if (key == "commit")
                          set(r_.boolean(value, key, keyAt), trigger.commit);
                        else if (key == "pullRequest")
                          set(r_.boolean(value, key, keyAt), trigger.pullRequest);
                        else if (key == "interval")
                          set(integerInRange(r_, value, key, keyAt, 10, 86400), trigger.interval);
                        else
                          return ok_ = false;
                        return true;
                      });
    }
    task_.sourceTrigger = trigger;
  }

  void finish(const SourcePosition& at) {
    const std::string label = task_.name.empty() ? where_ : "task '" + task_.name + "'";
    if (task_.name.empty() && ok_) fail(at, where_ + " needs 'name'");
    if (kindKey_.empty())
      fail(at,
           label + " needs one of 'file' (a task file), 'dockerfile' (a quick build) or 'cmd' (one command)");
    if (task_.kind != TaskKind::Dockerfile && !kindKey_.empty())
      for (const auto& [key, keyAt] : dockerfileOnly_)
        fail(keyAt, "'" + key + "' applies only to a 'dockerfile' task");
    if (task_.context.empty()) {
      if (task_.kind == TaskKind::Cmd)
        task_.context = "/dev/null";
      else if (!kindKey_.empty())
        fail(at, label + " needs 'context' (a directory, a git URL, or /dev/null)");
    }
    if (sourceTriggerAt_ && !task_.context.empty() && !isGitContext(task_.context))
      fail(*sourceTriggerAt_, "'sourceTrigger' needs a git URL context, got '" + task_.context + "'");
  }

  YamlReader& r_;
  std::map<std::string, int>& names_;
  std::string where_;
  TaskDefinition task_;
  std::string kindKey_;
  std::vector<std::pair<std::string, SourcePosition>> dockerfileOnly_;
  std::optional<SourcePosition> sourceTriggerAt_;
  bool ok_ = true;
};

}  // namespace

void readTasks(YamlReader& reader, const YAML::Node& value, const SourcePosition& keyPosition,
               std::vector<TaskDefinition>& out) {
  if (value.IsNull()) return;
  if (!reader.expectList(value, "tasks", keyPosition)) return;
  std::map<std::string, int> names;
  for (size_t index = 0; index < value.size(); ++index) {
    const YAML::Node item = value[index];
    const SourcePosition at = reader.position(item, keyPosition);
    if (!item.IsMap()) {
      reader.diagnostics().error(at, "tasks[" + std::to_string(index) +
                                         "] must be a map (name:, file:, ...), got " +
                                         YamlReader::describe(item));
      continue;
    }
    if (auto task = TaskReader(reader, names).read(item, at, index)) out.push_back(std::move(*task));
  }
}

}  // namespace hangar::config::agent_config_detail
