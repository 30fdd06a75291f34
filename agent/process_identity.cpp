#include "agent/process_identity.hpp"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace hangar::agent {

namespace {

struct ProcStat {
  char state = '?';
  std::uint64_t startTime = 0;
};

/// Fields 3 (state) and 22 (starttime) of /proc/PID/stat. The command name (field 2) is in parentheses
/// and may itself hold spaces and parentheses, so fields are counted after its last ')'.
std::optional<ProcStat> readStat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 1));
  std::vector<std::string> items;
  for (std::string item; fields >> item;) items.push_back(item);
  // items[0] is field 3 (state), so field N is items[N - 3].
  if (items.size() < 20 || items[0].empty()) return std::nullopt;
  ProcStat stat;
  stat.state = items[0][0];
  const std::string& start = items[22 - 3];
  auto [end, error] = std::from_chars(start.data(), start.data() + start.size(), stat.startTime);
  if (error != std::errc() || end != start.data() + start.size()) return std::nullopt;
  return stat;
}

template <typename T>
std::optional<T> number(std::string_view text) {
  T value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

ProcessIdentity ProcessIdentity::self() {
  static const ProcessIdentity identity = [] {
    const auto me = of(::getpid());
    if (!me) throw std::runtime_error("cannot read /proc/self/stat to identify this process");
    return *me;
  }();
  // After fork() the child has another PID: look it up again.
  if (identity.pid != ::getpid()) {
    if (auto me = of(::getpid())) return *me;
    throw std::runtime_error("cannot read /proc/self/stat to identify this process");
  }
  return identity;
}

std::optional<ProcessIdentity> ProcessIdentity::of(pid_t pid) {
  const auto stat = readStat(pid);
  if (!stat) return std::nullopt;
  return ProcessIdentity{pid, stat->startTime};
}

std::optional<ProcessIdentity> ProcessIdentity::parse(std::string_view text) {
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const auto pid = number<pid_t>(text.substr(0, dot));
  const auto start = number<std::uint64_t>(text.substr(dot + 1));
  if (!pid || !start || *pid <= 0) return std::nullopt;
  return ProcessIdentity{*pid, *start};
}

std::string ProcessIdentity::str() const { return std::to_string(pid) + "." + std::to_string(startTime); }

bool ProcessIdentity::alive() const {
  const auto stat = readStat(pid);
  return stat && stat->startTime == startTime && stat->state != 'Z' && stat->state != 'X';
}

}  // namespace hangar::agent
