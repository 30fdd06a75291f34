#include "config/key_suggestion.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hangar::config {
namespace {

const std::vector<std::string_view> kKeys = {"timeout", "retries", "retryDelay", "cmdDownloadRetries", "id"};

TEST(KeySuggestion, EditDistance) {
  EXPECT_EQ(editDistance("", ""), 0u);
  EXPECT_EQ(editDistance("abc", ""), 3u);
  EXPECT_EQ(editDistance("timout", "timeout"), 1u);
  EXPECT_EQ(editDistance("Timeout", "timeout"), 0u);
  EXPECT_EQ(editDistance("kitten", "sitting"), 3u);
}

TEST(KeySuggestion, SuggestsTheClosestPlausibleKey) {
  EXPECT_EQ(suggestKey("timout", kKeys), "timeout");
  EXPECT_EQ(suggestKey("retires", kKeys), "retries");
  EXPECT_EQ(suggestKey("RetryDelay", kKeys), "retryDelay");
  EXPECT_EQ(suggestKey("downloadRetries", kKeys), "cmdDownloadRetries");
  EXPECT_EQ(suggestKey("ID", kKeys), "id");
  EXPECT_EQ(suggestKey("frobnicate", kKeys), std::nullopt);
  EXPECT_EQ(suggestKey("x", kKeys), std::nullopt);  // "id" is 2 edits away but shares nothing
  EXPECT_EQ(suggestKey("timeout", {}), std::nullopt);
}

TEST(KeySuggestion, DidYouMean) {
  EXPECT_EQ(didYouMean("timout", kKeys), " (did you mean 'timeout'?)");
  EXPECT_EQ(didYouMean("frobnicate", kKeys), "");
}

}  // namespace
}  // namespace hangar::config
