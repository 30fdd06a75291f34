#include "runner/built_images.hpp"

#include <gtest/gtest.h>

namespace hangar::runner {
namespace {

constexpr const char* kId = "e94727a2593cab6f444ceb02f516fc8a77f7f7e83607c8371693568a829e9338";

TEST(BuiltImages, NamesAreFoundWithOrWithoutTheDefaultTag) {
  BuiltImages built;
  built.record({"127.0.0.1:5000/hello", "local-name:v1"}, kId);
  EXPECT_EQ(built.idOf("127.0.0.1:5000/hello:latest"), kId);
  EXPECT_EQ(built.idOf("local-name:v1"), kId);
  EXPECT_EQ(built.idOf("127.0.0.1:5000/other:latest"), std::nullopt);
}

TEST(BuiltImages, TheIdIsBuildahsLastLine) {
  EXPECT_EQ(BuiltImages::idFromBuildOutput(kId), kId);
  EXPECT_EQ(BuiltImages::idFromBuildOutput(std::string(kId) + "\r"), kId);
  EXPECT_EQ(BuiltImages::idFromBuildOutput("Successfully tagged localhost/x:latest"), std::nullopt);
  EXPECT_EQ(BuiltImages::idFromBuildOutput(std::string(kId).substr(1)), std::nullopt);
  EXPECT_EQ(
      BuiltImages::idFromBuildOutput("E94727A2593CAB6F444CEB02F516FC8A77F7F7E83607C8371693568A829E9338"),
      std::nullopt);
}

TEST(LastLine, KeepsTheLastNonEmptyLineAcrossChunks) {
  LastLine last;
  last.feed("COMMIT x\n--> e947\nSuccessfully tagged x\n");
  EXPECT_EQ(last.line(), "Successfully tagged x");
  last.feed(std::string(kId).substr(0, 10));
  last.feed(std::string(kId).substr(10) + "\n\n");
  EXPECT_EQ(last.line(), kId);
  last.feed("partial");
  EXPECT_EQ(last.line(), "partial");
}

}  // namespace
}  // namespace hangar::runner
