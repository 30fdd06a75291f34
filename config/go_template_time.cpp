#include "config/go_template_time.hpp"

#include <array>

namespace hangar::config::gotemplate {
namespace {

const std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                             "May",       "June",     "July",     "August",
                                             "September", "October",  "November", "December"};
const std::array<const char*, 7> kWeekdays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                              "Thursday", "Friday", "Saturday"};

/// The calendar fields of a UTC time.
struct Civil {
  int year = 0;
  int month = 0;  // 1-12
  int day = 0;
  int yearDay = 0;  // 1-366
  int weekday = 0;  // 0 = Sunday
  int hour = 0;
  int minute = 0;
  int second = 0;
  long nanosecond = 0;
};

Civil civil(TimePoint t) {
  using namespace std::chrono;
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const nanoseconds rest = t - day;
  Civil c;
  c.year = static_cast<int>(ymd.year());
  c.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  c.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  c.yearDay = static_cast<int>((day - sys_days(ymd.year() / January / 1)).count()) + 1;
  c.weekday = static_cast<int>(weekday(day).c_encoding());
  const long long ns = rest.count();
  c.hour = static_cast<int>(ns / 3'600'000'000'000LL);
  c.minute = static_cast<int>(ns / 60'000'000'000LL % 60);
  c.second = static_cast<int>(ns / 1'000'000'000LL % 60);
  c.nanosecond = static_cast<long>(ns % 1'000'000'000LL);
  return c;
}

std::string pad(long value, int width, char fill = '0') {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out = value < 0 ? "-" : "";
  if (static_cast<int>(digits.size()) < width)
    out.append(static_cast<std::size_t>(width) - digits.size(), fill);
  return out + digits;
}

/// The fraction of a second with `digits` digits; `trim` drops trailing zeros (and the separator
/// when nothing is left), as Go's ".999" does.
std::string fraction(long nanosecond, int digits, bool trim, char separator) {
  std::string nine = pad(nanosecond, 9);
  std::string part = nine.substr(0, static_cast<std::size_t>(std::min(digits, 9)));
  if (trim) {
    while (!part.empty() && part.back() == '0') part.pop_back();
    if (part.empty()) return "";
  }
  return separator + part;
}

bool startsWith(std::string_view text, std::size_t pos, std::string_view prefix) {
  return text.substr(pos, prefix.size()) == prefix;
}

bool isDigit(std::string_view text, std::size_t pos) {
  return pos < text.size() && text[pos] >= '0' && text[pos] <= '9';
}

}  // namespace

std::string formatTimeDefault(TimePoint t) {
  return formatGoTime(t, "2006-01-02 15:04:05.999999999 -0700 MST");
}

std::string formatGoTime(TimePoint t, std::string_view layout) {
  const Civil c = civil(t);
  const int hour12 = c.hour % 12 == 0 ? 12 : c.hour % 12;
  std::string out;
  std::size_t i = 0;
  while (i < layout.size()) {
    const auto take = [&](std::string_view token, const std::string& value) {
      if (!startsWith(layout, i, token)) return false;
      out += value;
      i += token.size();
      return true;
    };
    switch (layout[i]) {
      case 'J':
        if (take("January", kMonths[static_cast<std::size_t>(c.month - 1)]) ||
            take("Jan", std::string(kMonths[static_cast<std::size_t>(c.month - 1)]).substr(0, 3)))
          continue;
        break;
      case 'M':
        if (take("Monday", kWeekdays[static_cast<std::size_t>(c.weekday)]) ||
            take("Mon", std::string(kWeekdays[static_cast<std::size_t>(c.weekday)]).substr(0, 3)) ||
            take("MST", "UTC"))
          continue;
        break;
      case '0':
        if (take("002", pad(c.yearDay, 3)) || take("01", pad(c.month, 2)) || take("02", pad(c.day, 2)) ||
            take("03", pad(hour12, 2)) || take("04", pad(c.minute, 2)) || take("05", pad(c.second, 2)) ||
            take("06", pad(c.year % 100, 2)))
          continue;
        break;
      case '1':
        if (take("15", pad(c.hour, 2)) || take("1", std::to_string(c.month))) continue;
        break;
      case '2':
        if (take("2006", pad(c.year, 4)) || take("2", std::to_string(c.day))) continue;
        break;
      case '_':
        if (startsWith(layout, i, "_2006")) {  // "_" then the year, as Go reads it
          out += '_';
          ++i;
          continue;
        }
        if (take("__2", pad(c.yearDay, 3, ' ')) || take("_2", pad(c.day, 2, ' '))) continue;
        break;
      case '3':
        if (take("3", std::to_string(hour12))) continue;
        break;
      case '4':
        if (take("4", std::to_string(c.minute))) continue;
        break;
      case '5':
        if (take("5", std::to_string(c.second))) continue;
        break;
      case 'P':
        if (take("PM", c.hour >= 12 ? "PM" : "AM")) continue;
        break;
      case 'p':
        if (take("pm", c.hour >= 12 ? "pm" : "am")) continue;
        break;
      case '-':
        if (take("-07:00:00", "+00:00:00") || take("-070000", "+000000") || take("-07:00", "+00:00") ||
            take("-0700", "+0000") || take("-07", "+00"))
          continue;
        break;
      case 'Z':
        if (take("Z07:00:00", "Z") || take("Z070000", "Z") || take("Z07:00", "Z") || take("Z0700", "Z") ||
            take("Z07", "Z"))
          continue;
        break;
      case '.':
      case ',':
        if (i + 1 < layout.size() && (layout[i + 1] == '0' || layout[i + 1] == '9')) {
          const char digit = layout[i + 1];
          std::size_t j = i + 1;
          while (j < layout.size() && layout[j] == digit) ++j;
          if (!isDigit(layout, j)) {
            out += fraction(c.nanosecond, static_cast<int>(j - i - 1), digit == '9', layout[i]);
            i = j;
            continue;
          }
        }
        break;
      default:
        break;
    }
    out += layout[i++];
  }
  return out;
}

}  // namespace hangar::config::gotemplate
