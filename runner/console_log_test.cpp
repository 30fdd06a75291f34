#include "runner/console_log.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace hangar::runner {
namespace {

using namespace std::chrono_literals;

std::chrono::system_clock::time_point fixedTime() {
  return std::chrono::sys_days(std::chrono::year(2026) / 11 / 25) + 8h + 3min + 4s + 567ms;
}

class ConsoleLogTest : public ::testing::Test {
 protected:
  std::ostringstream out;
  ConsoleLog log{out, fixedTime};
};

TEST(LogTime, IsUtcLikeGoLog) { EXPECT_EQ(formatLogTime(fixedTime()), "2026/11/25 08:03:04"); }

TEST_F(ConsoleLogTest, HangarLinesAreTimeStamped) {
  log.info("Executing step ID: build. Timeout(sec): 600");
  EXPECT_EQ(out.str(), "2026/11/25 08:03:04 Executing step ID: build. Timeout(sec): 600\n");
}

TEST_F(ConsoleLogTest, OneStepsOutputPassesThroughAsIs) {
  log.output("build", "Step 1/3 : FROM ");
  EXPECT_EQ(out.str(), "Step 1/3 : FROM ") << "no waiting for the end of the line";
  log.output("build", "busybox\nStep 2/3");
  log.output("build", " : RUN true\n");
  log.stepFinished("build");
  EXPECT_EQ(out.str(), "Step 1/3 : FROM busybox\nStep 2/3 : RUN true\n");
}

TEST_F(ConsoleLogTest, HangarLineAfterAPartialLineStartsOnItsOwnLine) {
  log.output("build", "50%");
  log.info("Step ID: build marked as successful");
  EXPECT_EQ(out.str(), "50%\n2026/11/25 08:03:04 Step ID: build marked as successful\n");
}

TEST_F(ConsoleLogTest, StepEndCompletesItsLastLine) {
  log.output("a", "no newline at the end");
  log.stepFinished("a");
  log.output("b", "next\n");
  EXPECT_EQ(out.str(), "no newline at the end\nnext\n");
}

TEST_F(ConsoleLogTest, ConcurrentStepsGetPrefixedCompleteLines) {
  log.output("a", "a1\n");
  log.output("b", "b1\nb2-");
  log.output("a", "a2\n");
  log.output("b", "end\n");
  EXPECT_EQ(out.str(), "a1\n[b] b1\n[a] a2\n[b] b2-end\n");
}

TEST_F(ConsoleLogTest, PartialLineIsHeldUntilTheStepEnds) {
  log.output("a", "a1\n");
  log.output("b", "b-partial");
  log.output("a", "a2\n");
  EXPECT_EQ(out.str(), "a1\n[a] a2\n");
  log.stepFinished("b");
  EXPECT_EQ(out.str(), "a1\n[a] a2\n[b] b-partial\n");
}

TEST_F(ConsoleLogTest, ARawPartialLineIsEndedWhenASecondStepStarts) {
  log.output("a", "a1\na2-");
  log.output("b", "b1\n");
  log.output("a", "rest\n");
  EXPECT_EQ(out.str(), "a1\na2-\n[b] b1\n[a] rest\n");
}

TEST_F(ConsoleLogTest, BackToOneStepOutputIsUnprefixedAgain) {
  log.output("a", "a1\n");
  log.output("b", "b1\n");
  log.output("a", "a-part");
  log.stepFinished("b");
  log.output("a", "ial\nplain\n");
  EXPECT_EQ(out.str(), "a1\n[b] b1\n[a] a-partial\nplain\n");
}

TEST_F(ConsoleLogTest, FlushEmitsHeldPartialLines) {
  log.output("a", "x\n");
  log.output("b", "held");
  log.flush();
  EXPECT_EQ(out.str(), "x\n[b] held\n");
}

TEST_F(ConsoleLogTest, ParallelWritersKeepLinesWhole) {
  log.output("a", "");
  log.output("b", "");
  auto writer = [this](std::string step) {
    for (int i = 0; i < 300; ++i) {
      log.output(step, step + "-" + std::to_string(i) + " first half, ");
      log.output(step, "second half\n");
    }
  };
  std::thread a(writer, "a"), b(writer, "b");
  a.join();
  b.join();
  std::istringstream lines(out.str());
  int nextA = 0, nextB = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("[a] ", 0) == 0) {
      EXPECT_EQ(line, "[a] a-" + std::to_string(nextA++) + " first half, second half");
    } else {
      EXPECT_EQ(line, "[b] b-" + std::to_string(nextB++) + " first half, second half");
    }
  }
  EXPECT_EQ(nextA, 300);
  EXPECT_EQ(nextB, 300);
}

TEST(ConsoleLog, FailedWriteThrows) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  ConsoleLog log(out, fixedTime);
  EXPECT_THROW(log.info("x"), std::runtime_error);
}

TEST(FileLog, AppendsToTheFile) {
  std::string pattern = (std::filesystem::temp_directory_path() / "hangar-filelog-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const std::filesystem::path dir = pattern;
  const auto file = dir / "run.log";
  std::ofstream(file) << "earlier\n";
  {
    FileLog log(file, fixedTime);
    log.info("Run ID: ca1 was successful after 5s");
    log.output("build", "out\n");
  }
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "earlier\n2026/11/25 08:03:04 Run ID: ca1 was successful after 5s\nout\n");
  std::filesystem::remove_all(dir);
}

TEST(FileLog, UnopenableFileIsAnError) {
  try {
    FileLog log("/nonexistent-dir/run.log");
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()),
              "cannot open the log file '/nonexistent-dir/run.log': No such file or directory");
  }
}

}  // namespace
}  // namespace hangar::runner
