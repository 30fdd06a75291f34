#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hangar::config {

/// The Levenshtein distance between two strings, ignoring ASCII case.
std::size_t editDistance(std::string_view a, std::string_view b);

/// The candidate closest to `word` by edit distance (ties go to the earliest candidate), or nothing
/// when none is close enough to be a plausible typo.
std::optional<std::string> suggestKey(std::string_view word, std::span<const std::string_view> candidates);

/// " (did you mean 'x'?)" for the closest candidate, or "" when there is none.
std::string didYouMean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace hangar::config
