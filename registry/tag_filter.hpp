#pragma once

#include <boost/regex.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::registry {

/// One `--filter REPO:TAG` as written: the repository and tag expressions.
struct FilterExpression {
  std::string repository;
  std::string tag;
};

/// Splits a filter on the one colon outside regex groups `(...)` and classes `[...]` (escapes honoured).
/// Throws std::invalid_argument with acr purge's messages: "unable to correctly parse filter flag",
/// "missing repository name/expression", "missing tag name/expression".
FilterExpression parseFilterExpression(std::string_view filter);

/// The filters of one purge: repository expressions anchored (^...$), tag expressions unanchored and OR-ed
/// per repository; Perl syntax (lookahead, lookbehind, backreferences) through Boost.Regex, whose match
/// complexity limit stops catastrophic backtracking with an error instead of hanging.
class TagFilter {
 public:
  /// Compiles `filters`; throws std::invalid_argument naming a bad expression.
  explicit TagFilter(const std::vector<std::string>& filters);

  /// For a repository: whether any filter names it and, if so, the combined tag expression ("a|b").
  bool matchesRepository(const std::string& repository) const;
  /// True when `tag` matches one of the tag expressions of the filters naming `repository`.
  /// Throws std::runtime_error when the match exceeds Boost.Regex's complexity limit.
  bool matchesTag(const std::string& repository, const std::string& tag) const;

 private:
  struct Compiled {
    boost::regex repository;
    boost::regex tag;
  };
  std::vector<Compiled> filters_;
};

}  // namespace hangar::registry
