#include "runner/masking_log.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "runner/memory_log.hpp"

namespace hangar::runner {
namespace {

using Event = MemoryLog::Event;

TEST(MaskingLog, MasksInfoLines) {
  MemoryLog inner;
  MaskingLog log(inner, {"hunter2"});
  log.info("logging in with hunter2");
  EXPECT_EQ(inner.infoLines(), std::vector<std::string>{"logging in with ***"});
}

TEST(MaskingLog, WithoutSecretsChunksPassThroughUnchanged) {
  MemoryLog inner;
  MaskingLog log(inner);
  log.output("a", "hel");
  log.output("a", "lo\n");
  EXPECT_EQ(inner.events(),
            (std::vector<Event>{{Event::Kind::Output, "a", "hel"}, {Event::Kind::Output, "a", "lo\n"}}));
}

TEST(MaskingLog, SecretSplitAcrossChunksIsMasked) {
  MemoryLog inner;
  MaskingLog log(inner, {"token123"});
  log.output("build", "using tok");
  EXPECT_EQ(inner.outputOf("build"), "using ") << "the possible start of the secret is held back";
  log.output("build", "en123 now\n");
  EXPECT_EQ(inner.outputOf("build"), "using *** now\n");
}

TEST(MaskingLog, SecretSplitAcrossManyChunksIsMasked) {
  MemoryLog inner;
  MaskingLog log(inner, {"abcdefgh"});
  for (const char* chunk : {"x a", "b", "cd", "efg", "h y"}) log.output("s", chunk);
  log.stepFinished("s");
  EXPECT_EQ(inner.outputOf("s"), "x *** y");
}

TEST(MaskingLog, Base64AndUrlFormsSplitAcrossChunksAreMasked) {
  MemoryLog inner;
  MaskingLog log(inner, {"s3cr3t!"});
  log.output("s", "Authorization: Basic czNj");
  log.output("s", "cjN0IQ==\nurl=s3cr3t");
  log.output("s", "%21\n");
  log.stepFinished("s");
  EXPECT_EQ(inner.outputOf("s"), "Authorization: Basic ***\nurl=***\n");
}

TEST(MaskingLog, OverlappingSecretsAcrossChunks) {
  MemoryLog inner;
  MaskingLog log(inner, {"abc", "cde"});
  log.output("s", "xxabc");
  log.output("s", "de!");
  log.stepFinished("s");
  EXPECT_EQ(inner.outputOf("s"), "xx***!");
}

TEST(MaskingLog, HeldBytesAreEmittedWhenTheStepFinishes) {
  MemoryLog inner;
  MaskingLog log(inner, {"secret"});
  log.output("s", "almost a sec");
  log.stepFinished("s");
  EXPECT_EQ(inner.events(), (std::vector<Event>{{Event::Kind::Output, "s", "almost a "},
                                                {Event::Kind::Output, "s", "sec"},
                                                {Event::Kind::StepFinished, "s", ""}}));
}

TEST(MaskingLog, StepsAreSeparateStreams) {
  MemoryLog inner;
  MaskingLog log(inner, {"token"});
  log.output("a", "to");
  log.output("b", "ken");  // "to" + "ken" spans two steps: it is not the secret
  log.stepFinished("a");
  log.stepFinished("b");
  EXPECT_EQ(inner.outputOf("a"), "to");
  EXPECT_EQ(inner.outputOf("b"), "ken");
}

TEST(MaskingLog, EmptySecretIsIgnored) {
  MemoryLog inner;
  MaskingLog log(inner, {""});
  log.addSecret("");
  log.output("a", "text");
  EXPECT_EQ(inner.outputOf("a"), "text");
}

TEST(MaskingLog, SecretsAddedLaterApply) {
  MemoryLog inner;
  MaskingLog log(inner);
  log.addSecret("late-secret");
  log.info("late-secret");
  EXPECT_EQ(log.mask("a late-secret b"), "a *** b");
  EXPECT_EQ(inner.infoLines(), std::vector<std::string>{"***"});
}

TEST(MaskingLog, DestructorEmitsHeldBytes) {
  MemoryLog inner;
  {
    MaskingLog log(inner, {"secret"});
    log.output("a", "s");
  }
  EXPECT_EQ(inner.outputOf("a"), "s");
}

TEST(MaskingLog, ParallelStepsAreEachMaskedCompletely) {
  MemoryLog inner;
  MaskingLog log(inner, {"p4ssw0rd"});
  auto writer = [&log](std::string step) {
    for (int i = 0; i < 500; ++i) {
      log.output(step, "line p4s");
      log.output(step, "sw0rd\n");
    }
    log.stepFinished(step);
  };
  std::thread a(writer, "a"), b(writer, "b");
  a.join();
  b.join();
  std::string expected;
  for (int i = 0; i < 500; ++i) expected += "line ***\n";
  EXPECT_EQ(inner.outputOf("a"), expected);
  EXPECT_EQ(inner.outputOf("b"), expected);
}

}  // namespace
}  // namespace hangar::runner
