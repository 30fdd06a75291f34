#include "config/cron_expression.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <span>
#include <stdexcept>
#include <vector>

namespace hangar::config {

namespace {

using namespace std::chrono;

/// What one of the five fields accepts.
struct FieldSpec {
  std::string_view name;
  int min;
  int max;
  std::span<const std::string_view> names;  // names[i] stands for min + i
};

constexpr std::array<std::string_view, 12> kMonthNames{"jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDayNames{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

const FieldSpec kFields[] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day-of-month", 1, 31, {}},
    {"month", 1, 12, kMonthNames},
    {"day-of-week", 0, 7, kDayNames},  // 7 is Sunday again
};

struct Shortcut {
  std::string_view name;
  std::string_view expansion;
};

constexpr Shortcut kShortcuts[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},  {"@midnight", "0 0 * * *"}, {"@hourly", "0 * * * *"},
};

std::string lowered(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> splitFields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

std::vector<std::string_view> splitOn(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

/// Parses the fields of one expression, producing errors that quote the whole expression.
class FieldParser {
 public:
  FieldParser(std::string_view expression, const FieldSpec& spec, std::string_view field)
      : expression_(expression), spec_(spec), field_(field) {}

  /// The set of values of the field (index = value), and whether it starts with `*`.
  std::vector<bool> parse(bool& star) {
    std::vector<bool> values(static_cast<size_t>(spec_.max) + 1, false);
    star = !field_.empty() && field_.front() == '*';
    for (std::string_view item : splitOn(field_, ',')) parseItem(item, values);
    return values;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument("cron expression '" + std::string(expression_) + "': " +
                                std::string(spec_.name) + " field '" + std::string(field_) + "': " + what);
  }

  int value(std::string_view text) const {
    if (text.empty()) fail("a value is missing");
    for (size_t i = 0; i < spec_.names.size(); ++i)
      if (lowered(text) == spec_.names[i]) return spec_.min + static_cast<int>(i);
    int number = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || end != text.data() + text.size() || text.front() == '-' ||
        text.front() == '+') {
      std::string expected = "a number";
      if (!spec_.names.empty())
        expected +=
            " or a name (" + std::string(spec_.names.front()) + ".." + std::string(spec_.names.back()) + ")";
      fail("'" + std::string(text) + "' is not " + expected);
    }
    if (number < spec_.min || number > spec_.max)
      fail("value " + std::string(text) + " is out of range " + std::to_string(spec_.min) + "-" +
           std::to_string(spec_.max));
    return number;
  }

  void parseItem(std::string_view item, std::vector<bool>& values) const {
    if (item.empty()) fail("empty list entry");
    int step = 1;
    bool hasStep = false;
    if (size_t slash = item.find('/'); slash != std::string_view::npos) {
      std::string_view stepText = item.substr(slash + 1);
      item = item.substr(0, slash);
      hasStep = true;
      auto [end, error] = std::from_chars(stepText.data(), stepText.data() + stepText.size(), step);
      const int span = spec_.max - spec_.min + 1;
      if (stepText.empty() || error != std::errc() || end != stepText.data() + stepText.size() || step < 1 ||
          step > span)
        fail("step '" + std::string(stepText) + "' must be a number from 1 to " + std::to_string(span));
    }
    int first = 0;
    int last = 0;
    if (item == "*") {
      first = spec_.min;
      last = spec_.max;
      if (spec_.name == "day-of-week") last = 6;  // 7 would repeat Sunday
    } else if (size_t dash = item.find('-'); dash != std::string_view::npos) {
      first = value(item.substr(0, dash));
      last = value(item.substr(dash + 1));
      if (last < first) fail("range " + std::string(item) + " goes backwards");
    } else {
      first = value(item);
      last = hasStep ? spec_.max : first;  // `a/n`: from a to the end, every n
    }
    for (int v = first; v <= last; v += step) values[static_cast<size_t>(v)] = true;
  }

  std::string_view expression_;
  const FieldSpec& spec_;
  std::string_view field_;
};

template <size_t N>
std::bitset<N> toBits(const std::vector<bool>& values) {
  std::bitset<N> bits;
  for (size_t i = 0; i < N && i < values.size(); ++i) bits[i] = values[i];
  return bits;
}

}  // namespace

CronExpression CronExpression::parse(std::string_view text) {
  std::vector<std::string_view> words = splitFields(text);
  if (words.empty()) throw std::invalid_argument("cron expression is empty");
  CronExpression result;
  for (size_t i = 0; i < words.size(); ++i) result.text_ += (i ? " " : "") + std::string(words[i]);

  std::string_view expression = result.text_;
  std::vector<std::string_view> fields = words;
  if (words.size() == 1 && words[0].front() == '@') {
    const std::string name = lowered(words[0]);
    const Shortcut* match = nullptr;
    for (const Shortcut& s : kShortcuts)
      if (s.name == name) match = &s;
    if (!match)
      throw std::invalid_argument("cron expression '" + result.text_ +
                                  "': unknown shortcut (use @yearly, @annually, @monthly, @weekly, @daily, "
                                  "@midnight or @hourly)");
    fields = splitFields(match->expansion);
  }
  if (fields.size() != 5)
    throw std::invalid_argument("cron expression '" + result.text_ + "' must have 5 fields (minute hour " +
                                "day-of-month month day-of-week), got " + std::to_string(fields.size()));

  bool star = false;
  result.minutes_ = toBits<60>(FieldParser(expression, kFields[0], fields[0]).parse(star));
  result.hours_ = toBits<24>(FieldParser(expression, kFields[1], fields[1]).parse(star));
  result.daysOfMonth_ = toBits<32>(FieldParser(expression, kFields[2], fields[2]).parse(star));
  result.dayOfMonthStar_ = star;
  result.months_ = toBits<13>(FieldParser(expression, kFields[3], fields[3]).parse(star));
  std::vector<bool> weekdays = FieldParser(expression, kFields[4], fields[4]).parse(star);
  if (weekdays[7]) weekdays[0] = true;
  result.daysOfWeek_ = toBits<7>(weekdays);
  result.dayOfWeekStar_ = star;
  return result;
}

bool CronExpression::dayMatches(year_month_day date) const {
  const bool dayOfMonth = daysOfMonth_[static_cast<unsigned>(date.day())];
  const bool dayOfWeek = daysOfWeek_[weekday(sys_days(date)).c_encoding()];
  if (dayOfMonthStar_ || dayOfWeekStar_) return dayOfMonth && dayOfWeek;
  return dayOfMonth || dayOfWeek;
}

std::optional<CronExpression::TimePoint> CronExpression::nextAfter(TimePoint t) const {
  const sys_time<minutes> start = floor<minutes>(t) + minutes(1);
  sys_days day = floor<days>(start);
  int fromMinute = static_cast<int>((start - day).count());
  for (int i = 0; i < kSearchDays; ++i, day += days(1), fromMinute = 0) {
    const year_month_day date(day);
    if (!months_[static_cast<unsigned>(date.month())] || !dayMatches(date)) continue;
    for (int h = fromMinute / 60; h < 24; ++h) {
      if (!hours_[static_cast<size_t>(h)]) continue;
      for (int m = (h == fromMinute / 60 ? fromMinute % 60 : 0); m < 60; ++m)
        if (minutes_[static_cast<size_t>(m)]) return TimePoint(day + hours(h) + minutes(m));
    }
  }
  return std::nullopt;
}

}  // namespace hangar::config
