#include "registry/duration.hpp"

#include <cctype>
#include <cmath>
#include <stdexcept>

namespace hangar::registry {
namespace {

constexpr long double kNsPerHour = 3600.0e9L;
constexpr long double kCapNs = 150.0L * 365 * 24 * kNsPerHour;

long double unitNs(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1e3L;
  if (unit == "ms") return 1e6L;
  if (unit == "s") return 1e9L;
  if (unit == "m") return 60e9L;
  if (unit == "h") return kNsPerHour;
  return -1;
}

// Go's time.ParseDuration, as a long double of nanoseconds (so huge values can be capped, not overflow).
long double parseGoNs(std::string_view original) {
  const std::string quoted = "\"" + std::string(original) + "\"";
  std::string_view s = original;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) throw std::invalid_argument("time: invalid duration " + quoted);
  long double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    std::string number(s.substr(0, i));
    bool hadDigits = i > 0;
    if (i < s.size() && s[i] == '.') {
      const size_t start = ++i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      hadDigits = hadDigits || i > start;
      number += "." + std::string(s.substr(start, i - start));
    }
    if (!hadDigits) throw std::invalid_argument("time: invalid duration " + quoted);
    s.remove_prefix(i);
    size_t u = 0;
    while (u < s.size() && s[u] != '.' && !std::isdigit(static_cast<unsigned char>(s[u]))) ++u;
    if (u == 0) throw std::invalid_argument("time: missing unit in duration " + quoted);
    const std::string_view unit = s.substr(0, u);
    const long double scale = unitNs(unit);
    if (scale < 0) {
      throw std::invalid_argument("time: unknown unit \"" + std::string(unit) + "\" in duration " + quoted);
    }
    total += std::stold(number.front() == '.' ? "0" + number : number) * scale;
    s.remove_prefix(u);
  }
  return negative ? -total : total;
}

}  // namespace

std::chrono::nanoseconds parseGoDuration(std::string_view text) {
  const long double ns = parseGoNs(text);
  if (std::fabs(ns) > 9.2e18L)
    throw std::invalid_argument("time: invalid duration \"" + std::string(text) + "\"");
  return std::chrono::nanoseconds(static_cast<long long>(ns));
}

AgoDuration parseAgo(std::string_view text) {
  if (text.empty()) throw std::invalid_argument("EOF");
  long double ns = 0;
  const auto d = text.find('d');
  if (d != std::string_view::npos) {
    // fmt.Sscanf("%dd%s"): an integer, 'd', then the rest (a Go duration) if any.
    const std::string_view days = text.substr(0, d);
    size_t i = (!days.empty() && (days[0] == '-' || days[0] == '+')) ? 1 : 0;
    if (i == days.size()) throw std::invalid_argument("expected integer");
    for (; i < days.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(days[i]))) throw std::invalid_argument("expected integer");
    }
    ns = std::stold(std::string(days)) * 24 * kNsPerHour;
    const std::string_view rest = text.substr(d + 1);
    if (!rest.empty()) ns += parseGoNs(rest);
  } else {
    ns = parseGoNs(text);
  }
  AgoDuration result;
  if (ns > kCapNs) {
    result.capped = true;
    ns = kCapNs;
  }
  if (ns < -kCapNs) ns = -kCapNs;
  result.value = std::chrono::nanoseconds(static_cast<long long>(ns));
  return result;
}

}  // namespace hangar::registry
