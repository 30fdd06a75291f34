#include "runner/line_splitter.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hangar::runner {
namespace {

TEST(LineSplitter, LinesSplitAcrossChunksAreWholeAndLongOnesCut) {
  LineSplitter lines;
  std::vector<std::string> seen;
  const auto keep = [&](std::string_view line) { seen.emplace_back(line); };
  lines.feed("one\ntw", keep);
  EXPECT_EQ(lines.pending(), "tw");
  lines.feed("o\n\n" + std::string(1000, 'x'), keep);
  lines.feed("\nlast", keep);
  EXPECT_EQ(seen, (std::vector<std::string>{"one", "two", "", std::string(LineSplitter::kMaxLine, 'x')}));
  EXPECT_EQ(lines.pending(), "last");
  lines.reset();
  EXPECT_EQ(lines.pending(), "");
}

}  // namespace
}  // namespace hangar::runner
