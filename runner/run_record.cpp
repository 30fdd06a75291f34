#include "runner/run_record.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <utility>

namespace hangar::runner {

namespace {

using nlohmann::json;

constexpr std::array<std::pair<RunStatus, std::string_view>, 8> kRunStatusNames{{
    {RunStatus::Queued, "Queued"},
    {RunStatus::Started, "Started"},
    {RunStatus::Running, "Running"},
    {RunStatus::Succeeded, "Succeeded"},
    {RunStatus::Failed, "Failed"},
    {RunStatus::Canceled, "Canceled"},
    {RunStatus::Error, "Error"},
    {RunStatus::Timeout, "Timeout"},
}};

constexpr std::array<std::pair<StepStatus, std::string_view>, 5> kStepStatusNames{{
    {StepStatus::Skipped, "Skipped"},
    {StepStatus::InProgress, "InProgress"},
    {StepStatus::Successful, "Successful"},
    {StepStatus::Failed, "Failed"},
    {StepStatus::Canceled, "Canceled"},
}};

template <typename Enum, size_t N>
std::string nameOf(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return std::string(name);
  }
  throw std::logic_error("status without a name: " + std::to_string(static_cast<int>(value)));
}

template <typename Enum, size_t N>
std::optional<Enum> valueOf(const std::array<std::pair<Enum, std::string_view>, N>& names,
                            std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

json timeOrNull(const std::optional<TimePoint>& time) {
  return time ? json(formatTime(*time)) : json(nullptr);
}

json imageJson(const OutputImage& image) {
  return json{{"registry", image.registry},
              {"repository", image.repository},
              {"tag", image.tag},
              {"digest", image.digest}};
}

/// Reads one record field, turning every failure into an error that names the field's path.
class Reader {
 public:
  Reader(const json& value, std::string path) : value_(value), path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& message) const {
    throw std::invalid_argument("run record: " + (path_.empty() ? "" : path_ + ": ") + message);
  }
  const json& value() const { return value_; }
  const std::string& path() const { return path_; }

  Reader member(const std::string& key) const {
    if (!value_.is_object()) fail("expected an object");
    const auto it = value_.find(key);
    if (it == value_.end()) fail("missing '" + key + "'");
    return Reader(*it, path_.empty() ? key : path_ + "." + key);
  }
  bool has(const std::string& key) const { return value_.is_object() && value_.contains(key); }

  std::string string() const {
    if (!value_.is_string()) fail("expected a string");
    return value_.get<std::string>();
  }
  std::string optionalString(const std::string& key) const { return has(key) ? member(key).string() : ""; }

  std::optional<TimePoint> optionalTime(const std::string& key) const {
    if (!has(key) || value_.at(key).is_null()) return std::nullopt;
    const auto text = member(key).string();
    const auto time = parseTime(text);
    if (!time) member(key).fail("not an RFC 3339 time: '" + text + "'");
    return time;
  }

  std::optional<int> optionalInt(const std::string& key) const {
    if (!has(key) || value_.at(key).is_null()) return std::nullopt;
    const auto& item = value_.at(key);
    if (!item.is_number_integer()) member(key).fail("expected an integer");
    return item.get<int>();
  }

  template <typename Fn>
  auto array(const std::string& key, Fn readItem) const {
    std::vector<decltype(readItem(std::declval<Reader>()))> items;
    if (!has(key) || value_.at(key).is_null()) return items;
    const Reader list = member(key);
    if (!list.value().is_array()) list.fail("expected an array");
    for (size_t i = 0; i < list.value().size(); ++i) {
      items.push_back(readItem(Reader(list.value()[i], list.path() + "[" + std::to_string(i) + "]")));
    }
    return items;
  }

 private:
  const json& value_;
  std::string path_;
};

OutputImage readImage(const Reader& reader) {
  return OutputImage{reader.optionalString("registry"), reader.optionalString("repository"),
                     reader.optionalString("tag"), reader.optionalString("digest")};
}

/// Reads `digits` decimal digits at `pos`; nothing when they are not all digits.
std::optional<int> digitsAt(std::string_view text, size_t pos, size_t digits) {
  if (pos + digits > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = pos; i < pos + digits; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::string toString(RunStatus status) { return nameOf(kRunStatusNames, status); }
std::string toString(StepStatus status) { return nameOf(kStepStatusNames, status); }
std::optional<RunStatus> parseRunStatus(std::string_view name) { return valueOf(kRunStatusNames, name); }
std::optional<StepStatus> parseStepStatus(std::string_view name) { return valueOf(kStepStatusNames, name); }

std::string formatTime(TimePoint time) {
  const auto millis = std::chrono::floor<std::chrono::milliseconds>(time);
  const auto seconds = std::chrono::floor<std::chrono::seconds>(millis);
  const std::time_t t = std::chrono::system_clock::to_time_t(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[96];  // room for any int fields, so no truncation warning
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>((millis - seconds).count()));
  return buffer;
}

std::optional<TimePoint> parseTime(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  const auto year = digitsAt(text, 0, 4), month = digitsAt(text, 5, 2), day = digitsAt(text, 8, 2);
  const auto hour = digitsAt(text, 11, 2), minute = digitsAt(text, 14, 2), second = digitsAt(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
      text[13] != ':' || text[16] != ':')
    return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;

  size_t pos = 19;
  std::chrono::nanoseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    long long scale = 100'000'000;
    const size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction += std::chrono::nanoseconds((text[pos] - '0') * scale);
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  if (pos >= text.size()) return std::nullopt;
  std::chrono::minutes offset{0};
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const auto offsetHours = digitsAt(text, pos + 1, 2), offsetMinutes = digitsAt(text, pos + 4, 2);
    if (!offsetHours || !offsetMinutes || text[pos + 3] != ':' || *offsetHours > 23 || *offsetMinutes > 59)
      return std::nullopt;
    offset = std::chrono::hours(*offsetHours) + std::chrono::minutes(*offsetMinutes);
    if (text[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  const std::chrono::year_month_day date{std::chrono::year(*year),
                                         std::chrono::month(static_cast<unsigned>(*month)),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  const auto local = std::chrono::sys_days(date) + std::chrono::hours(*hour) + std::chrono::minutes(*minute) +
                     std::chrono::seconds(*second);
  return std::chrono::time_point_cast<TimePoint::duration>(local - offset + fraction);
}

json RunRecord::toJson() const {
  json stepsJson = json::array();
  for (const auto& step : steps) {
    json item{{"id", step.id},
              {"status", toString(step.status)},
              {"exitCode", step.exitCode ? json(*step.exitCode) : json(nullptr)},
              {"startTime", timeOrNull(step.startTime)},
              {"finishTime", timeOrNull(step.finishTime)}};
    if (!step.error.empty()) item["error"] = step.error;
    stepsJson.push_back(std::move(item));
  }
  json images = json::array();
  for (const auto& image : outputImages) images.push_back(imageJson(image));
  json dependenciesJson = json::array();
  for (const auto& dependency : dependencies) {
    json buildtime = json::array();
    for (const auto& image : dependency.buildtime) buildtime.push_back(imageJson(image));
    dependenciesJson.push_back(json{
        {"image", dependency.image}, {"runtime", imageJson(dependency.runtime)}, {"buildtime", buildtime}});
  }
  return json{{"id", id},
              {"status", toString(status)},
              {"steps", stepsJson},
              {"outputImages", images},
              {"dependencies", dependenciesJson},
              {"error", error},
              {"startTime", timeOrNull(startTime)},
              {"finishTime", timeOrNull(finishTime)},
              {"source", source ? json{{"repository", source->repository},
                                       {"commit", source->commit},
                                       {"branch", source->branch},
                                       {"tag", source->tag}}
                                : json(nullptr)}};
}

RunRecord RunRecord::fromJson(const json& value) {
  const Reader root(value, "");
  if (!value.is_object()) root.fail("expected an object");
  RunRecord record;
  record.id = root.member("id").string();
  const auto statusName = root.member("status").string();
  const auto runStatus = parseRunStatus(statusName);
  if (!runStatus) root.member("status").fail("unknown run status '" + statusName + "'");
  record.status = *runStatus;
  record.steps = root.array("steps", [](const Reader& item) {
    StepRecord step;
    step.id = item.member("id").string();
    const auto name = item.member("status").string();
    const auto stepStatus = parseStepStatus(name);
    if (!stepStatus) item.member("status").fail("unknown step status '" + name + "'");
    step.status = *stepStatus;
    step.exitCode = item.optionalInt("exitCode");
    step.startTime = item.optionalTime("startTime");
    step.finishTime = item.optionalTime("finishTime");
    step.error = item.optionalString("error");
    return step;
  });
  record.outputImages = root.array("outputImages", readImage);
  record.dependencies = root.array("dependencies", [](const Reader& item) {
    ImageDependency dependency;
    dependency.image = item.member("image").string();
    if (item.has("runtime")) dependency.runtime = readImage(item.member("runtime"));
    dependency.buildtime = item.array("buildtime", readImage);
    return dependency;
  });
  record.error = root.optionalString("error");
  record.startTime = root.optionalTime("startTime");
  record.finishTime = root.optionalTime("finishTime");
  if (root.has("source") && !value.at("source").is_null()) {
    const Reader source = root.member("source");
    record.source = SourceRecord{source.optionalString("repository"), source.optionalString("commit"),
                                 source.optionalString("branch"), source.optionalString("tag")};
  }
  return record;
}

}  // namespace hangar::runner
