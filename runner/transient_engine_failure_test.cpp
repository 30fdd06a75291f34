#include "runner/transient_engine_failure.hpp"

#include <gtest/gtest.h>

namespace hangar::runner {
namespace {

// What buildah 1.28 printed on a CI run when a `buildah run` could not start its container.
constexpr std::string_view kBuildahOutput =
    "Close_Fd sealing memfd copy: Device or resource busy\nError: exit status 1\n";

TEST(TransientEngineFailure, RecognisesEachReexecFailureMessage) {
  EXPECT_TRUE(TransientEngineFailure::isFailureLine("Close_Fd sealing memfd copy: Device or resource busy"));
  EXPECT_TRUE(TransientEngineFailure::isFailureLine("Error sealing memfd copy: Device or resource busy\r"));
  EXPECT_TRUE(TransientEngineFailure::isFailureLine("Error during reexec(...): Permission denied"));
  EXPECT_FALSE(TransientEngineFailure::isFailureLine("Close_Fd sealing memfd copy: "));
  EXPECT_FALSE(
      TransientEngineFailure::isFailureLine("echo Close_Fd sealing memfd copy: Device or resource busy"));
  EXPECT_FALSE(TransientEngineFailure::isFailureLine("Error: exit status 1"));
  EXPECT_FALSE(TransientEngineFailure::isFailureLine(""));
  EXPECT_TRUE(TransientEngineFailure::isFailureLine(
      "Error: copying image \"6234\": committing the finished image: saving manifest for image \"6234\": "
      "locating image with ID \"6234\": image not known"));
  EXPECT_FALSE(TransientEngineFailure::isFailureLine("Error: creating build container: image not known"));
}

TEST(TransientEngineFailure, SeesTheFailureAsTheFirstOutputEvenOneByteAtATime) {
  TransientEngineFailure failure;
  for (const char c : kBuildahOutput) failure.feed(std::string_view(&c, 1));
  EXPECT_TRUE(failure.seen());
  EXPECT_TRUE(failure.onlyEngineOutput());
}

TEST(TransientEngineFailure, AFailureAfterTheCommandsOwnOutputIsSeenButNotBeforeIt) {
  TransientEngineFailure failure;
  failure.feed("STEP 2/3: RUN make\nbuilding...\n");
  EXPECT_FALSE(failure.seen());
  failure.feed(kBuildahOutput);
  EXPECT_TRUE(failure.seen());               // a build may run again
  EXPECT_FALSE(failure.onlyEngineOutput());  // a cmd step's command may have run: not again
}

TEST(TransientEngineFailure, TheCommandsOutputAfterTheFailureLineAlsoMeansItRan) {
  // stderr and stdout are two pipes: the command's own stderr line may be read before its stdout.
  TransientEngineFailure failure;
  failure.feed("Close_Fd sealing memfd copy: Device or resource busy\nsubprocess exited with status 1\n");
  EXPECT_TRUE(failure.onlyEngineOutput());
  failure.feed("ran\n");
  EXPECT_FALSE(failure.onlyEngineOutput());
  failure.reset();
  failure.feed(kBuildahOutput);
  failure.feed("partial output without a newline");
  EXPECT_FALSE(failure.onlyEngineOutput());
}

TEST(TransientEngineFailure, BuildahsOwnErrorLinesAreNotTheCommands) {
  EXPECT_TRUE(TransientEngineFailure::isEngineErrorLine("Error: exit status 1"));
  EXPECT_TRUE(TransientEngineFailure::isEngineErrorLine("subprocess exited with status 1\r"));
  EXPECT_TRUE(
      TransientEngineFailure::isEngineErrorLine("error running container: from /bin/sh: exit status 1"));
  EXPECT_FALSE(TransientEngineFailure::isEngineErrorLine("ran"));
  EXPECT_FALSE(TransientEngineFailure::isEngineErrorLine("error: x"));
}

TEST(TransientEngineFailure, AnUnfinishedLineIsNotJudged) {
  TransientEngineFailure failure;
  failure.feed("Close_Fd sealing memfd copy: Device or resource busy");
  EXPECT_FALSE(failure.seen());
  failure.feed("\n");
  EXPECT_TRUE(failure.seen());
}

TEST(TransientEngineFailure, ALongLineIsCutAndNeverMatchesLater) {
  TransientEngineFailure failure;
  failure.feed(std::string(10000, 'x'));
  failure.feed("Close_Fd sealing memfd copy: Device or resource busy\n");
  EXPECT_FALSE(failure.seen());
  EXPECT_FALSE(failure.onlyEngineOutput());
}

TEST(TransientEngineFailure, ResetForgetsEverything) {
  TransientEngineFailure failure;
  failure.feed("hello\n");
  failure.feed(kBuildahOutput);
  failure.reset();
  EXPECT_FALSE(failure.seen());
  failure.feed(kBuildahOutput);
  EXPECT_TRUE(failure.onlyEngineOutput());
}

}  // namespace
}  // namespace hangar::runner
