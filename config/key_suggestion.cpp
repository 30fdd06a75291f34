#include "config/key_suggestion.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace hangar::config {

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

}  // namespace

std::size_t editDistance(std::string_view a, std::string_view b) {
  // Classic two-row dynamic programme; keys are short, so this is cheap.
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t substitution = previous[j - 1] + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::optional<std::string> suggestKey(std::string_view word, std::span<const std::string_view> candidates) {
  // A typo is plausible up to 2 edits, or a third of the word's length for long keys
  // (`downloadRetries` -> `cmdDownloadRetries` is 3 edits).
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  std::optional<std::string> best;
  std::size_t bestDistance = limit + 1;
  for (std::string_view candidate : candidates) {
    std::size_t d = editDistance(word, candidate);
    if (d < bestDistance && d < std::max(word.size(), candidate.size())) {
      best = std::string(candidate);
      bestDistance = d;
    }
  }
  return best;
}

std::string didYouMean(std::string_view word, std::span<const std::string_view> candidates) {
  auto suggestion = suggestKey(word, candidates);
  return suggestion ? " (did you mean '" + *suggestion + "'?)" : std::string();
}

}  // namespace hangar::config
