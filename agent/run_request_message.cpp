#include "agent/run_request_message.hpp"

#include <array>
#include <stdexcept>

namespace hangar::agent {

namespace {

using nlohmann::json;

constexpr int kFormatVersion = 1;
constexpr std::array<std::string_view, 5> kTriggers{"manual", "queue", "timer", "commit", "image"};

[[noreturn]] void fail(const std::string& message) { throw std::invalid_argument("run request: " + message); }

// A NUL would silently cut a path or argument short further on.
const std::string& noNul(const std::string& text, const std::string& what) {
  if (text.find('\0') != std::string::npos) fail("'" + what + "' must not contain NUL bytes");
  return text;
}

std::string stringField(const json& value, const char* key, bool required) {
  const auto it = value.find(key);
  if (it == value.end() || it->is_null()) {
    if (required) fail(std::string("missing '") + key + "'");
    return "";
  }
  if (!it->is_string()) fail(std::string("'") + key + "' must be a string, got " + it->type_name());
  return noNul(it->get<std::string>(), key);
}

}  // namespace

bool isValidRunId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

json RunRequestMessage::toJson() const {
  return json{{"version", kFormatVersion},
              {"runId", runId},
              {"task", task ? json(*task) : json(nullptr)},
              {"taskFile", taskFile},
              {"context", context},
              {"registry", registry},
              {"sets", sets},
              {"trigger", trigger},
              {"attempts", attempts}};
}

RunRequestMessage RunRequestMessage::fromJson(const json& value) {
  if (!value.is_object()) fail(std::string("expected a JSON object, got ") + value.type_name());
  if (auto it = value.find("version"); it != value.end()) {
    if (!it->is_number_integer() || it->get<long long>() != kFormatVersion)
      fail("unsupported format version " + (it->is_number() ? it->dump() : std::string(it->type_name())) +
           " (this hangar reads version 1)");
  }
  RunRequestMessage message;
  message.runId = stringField(value, "runId", true);
  if (!isValidRunId(message.runId))
    fail("'runId' must be 1 to 64 characters of [a-z0-9], got \"" + message.runId + "\"");
  if (auto it = value.find("task"); it != value.end() && !it->is_null()) {
    if (!it->is_string() || it->get<std::string>().empty()) fail("'task' must be a task name or null");
    message.task = noNul(it->get<std::string>(), "task");
  }
  message.taskFile = stringField(value, "taskFile", false);
  message.context = stringField(value, "context", false);
  message.registry = stringField(value, "registry", false);
  if (!message.task && message.taskFile.empty()) fail("needs 'task' (a configured task) or 'taskFile'");
  if (auto it = value.find("sets"); it != value.end() && !it->is_null()) {
    if (!it->is_array()) fail(std::string("'sets' must be an array of K=V strings, got ") + it->type_name());
    for (size_t i = 0; i < it->size(); ++i) {
      const json& item = (*it)[i];
      if (!item.is_string() || item.get<std::string>().find('=') == std::string::npos)
        fail("sets[" + std::to_string(i) + "] must be a K=V string");
      message.sets.push_back(noNul(item.get<std::string>(), "sets[" + std::to_string(i) + "]"));
    }
  }
  if (value.contains("trigger")) {
    message.trigger = stringField(value, "trigger", true);
    bool known = false;
    for (std::string_view trigger : kTriggers) known = known || trigger == message.trigger;
    if (!known)
      fail("'trigger' must be manual, queue, timer, commit or image, got \"" + message.trigger + "\"");
  }
  if (auto it = value.find("attempts"); it != value.end()) {
    if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 1'000'000)
      fail("'attempts' must be a non-negative integer");
    message.attempts = it->get<int>();
  }
  return message;
}

RunRequestMessage RunRequestMessage::parse(std::string_view text) {
  json value;
  try {
    value = json::parse(text);
  } catch (const json::parse_error& e) {
    // Not e.what(): it quotes the text around the error, and a request may hold secret values.
    fail("not valid JSON (syntax error at byte " + std::to_string(e.byte) + ")");
  } catch (const json::exception& e) {
    // A number beyond double's range (out_of_range 406, found by fuzzing); its what() quotes the number.
    fail("not valid JSON (error " + std::to_string(e.id) + ": a number out of range)");
  }
  return fromJson(value);
}

}  // namespace hangar::agent
