#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::runner {

/// Finds secret values in text and replaces them with `***`: each value as given, its base64 form
/// (padded and unpadded) and its URL-encoded forms. Overlapping or adjacent occurrences become one
/// `***`. Empty values are ignored. Not thread-safe: MaskingLog guards it.
class SecretMasker {
 public:
  static constexpr std::string_view kMask = "***";

  /// Registers a secret (and its encoded forms).
  void add(std::string_view secret);
  bool empty() const { return patterns_.empty(); }

  /// `text` with every occurrence masked.
  std::string mask(std::string_view text) const;

  /// For streamed text: the length of the leading part of `text` that can be masked and emitted
  /// now. The rest is a suffix that might be the beginning of a secret the next chunk completes
  /// (or a match overlapping such a suffix); it must be held and prepended to the next chunk.
  size_t settledLength(std::string_view text) const;

 private:
  struct Interval {
    size_t begin;
    size_t end;
  };
  /// Every occurrence of every pattern, merged where they overlap or touch, in order.
  std::vector<Interval> matches(std::string_view text) const;

  std::vector<std::string> patterns_;
};

/// The forms of `secret` that SecretMasker looks for, the value itself first, without duplicates.
std::vector<std::string> secretForms(std::string_view secret);

}  // namespace hangar::runner
