#include "runner/tee_log.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "runner/memory_log.hpp"

namespace hangar::runner {
namespace {

TEST(TeeLog, SendsEveryCallToEverySink) {
  MemoryLog first, second;
  TeeLog tee({&first, &second});
  tee.info("hello");
  tee.output("a", "chunk");
  tee.stepFinished("a");
  const std::vector<MemoryLog::Event> expected{{MemoryLog::Event::Kind::Info, "", "hello"},
                                               {MemoryLog::Event::Kind::Output, "a", "chunk"},
                                               {MemoryLog::Event::Kind::StepFinished, "a", ""}};
  EXPECT_EQ(first.events(), expected);
  EXPECT_EQ(second.events(), expected);
}

class FailingLog : public LogSink {
 public:
  void info(std::string_view) override { throw std::runtime_error("disk full"); }
  void output(std::string_view, std::string_view) override { throw std::runtime_error("disk full"); }
};

TEST(TeeLog, AFailingSinkDoesNotStarveTheOthers) {
  FailingLog failing;
  MemoryLog memory;
  TeeLog tee;
  tee.add(failing);
  tee.add(memory);
  EXPECT_THROW(tee.info("hello"), std::runtime_error);
  EXPECT_EQ(memory.infoLines(), std::vector<std::string>{"hello"});
  tee.stepFinished("a");  // the default stepFinished of a sink does nothing
  EXPECT_EQ(memory.events().size(), 2u);
}

}  // namespace
}  // namespace hangar::runner
