#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace hangar::agent {

/// Issues run ids that are short, unique and sortable per agent, e.g. "ca01", "ca02", ..., "ca0z", "ca110".
///
/// Form: PREFIX + MARKER + DIGITS, all in [a-z0-9] so ids fit in image tags. DIGITS is the run counter in
/// base 36 (0-9 then a-z, ASCII order), MARKER is one base-36 character giving len(DIGITS) - 1. The
/// marker makes plain string comparison follow numeric order: a longer number has a larger marker
/// ("ca0z" < "ca110"), equal lengths compare digit by digit. Counter 1 is "01"; 1295 is "1zz"; 1296 is
/// "2100". The prefix is lowercase letters only, so no prefix is a prefix of another agent's id+digits.
///
/// The last issued counter is kept as decimal text in STATE_DIR/run-id-counter. next() opens that file,
/// takes an exclusive flock, reads, increments, writes and fsyncs it, so generators in other threads or
/// processes (concurrent `hangar run-once`) on the same state directory never issue the same id.
class RunIdGenerator {
 public:
  static constexpr std::string_view kCounterFile = "run-id-counter";

  /// `prefix` empty: defaultRunIdPrefix(). Throws std::invalid_argument for a prefix that is not 1-8
  /// lowercase ASCII letters. The state directory is created on the first next().
  explicit RunIdGenerator(std::filesystem::path stateDir, std::string prefix = "");

  /// The next id. Thread-safe. Throws std::runtime_error naming the counter file on I/O errors or when the
  /// file does not hold a number.
  std::string next();

  const std::string& prefix() const { return prefix_; }

 private:
  std::filesystem::path stateDir_;
  std::string prefix_;
};

/// PREFIX + MARKER + base-36 DIGITS of `counter` (see RunIdGenerator).
std::string formatRunId(std::string_view prefix, std::uint64_t counter);

/// Two lowercase letters from the host name: its first two ASCII letters, lowercased, padded with 'x'
/// ("Build-Agent-07" gives "bu", "7" gives "xx").
std::string runIdPrefixFromHostName(std::string_view hostName);

/// runIdPrefixFromHostName(gethostname()).
std::string defaultRunIdPrefix();

}  // namespace hangar::agent
