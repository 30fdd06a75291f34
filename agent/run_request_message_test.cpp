#include "agent/run_request_message.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hangar::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string errorOf(std::string_view text) {
  try {
    RunRequestMessage::parse(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(RunRequestMessage, RoundTripsThroughJson) {
  RunRequestMessage message;
  message.runId = "ca12";
  message.task = "nightly-web";
  message.context = "https://example.com/r.git#main";
  message.registry = "127.0.0.1:5000";
  message.sets = {"env=prod", "n=5"};
  message.trigger = "timer";
  message.attempts = 2;
  const RunRequestMessage back = RunRequestMessage::parse(message.toJson().dump());
  EXPECT_EQ(back.toJson(), message.toJson());
  EXPECT_EQ(back.task, "nightly-web");
  EXPECT_EQ(back.attempts, 2);
  EXPECT_EQ(back.sets, message.sets);
  EXPECT_TRUE(back.malformedReason.empty());
  EXPECT_EQ(message.toJson()["version"], 1);
}

TEST(RunRequestMessage, AnAdHocRequestHasATaskFileAndDefaults) {
  const RunRequestMessage message =
      RunRequestMessage::parse(R"({"runId": "ab1", "taskFile": "acb.yaml", "context": "/srv/ctx"})");
  EXPECT_EQ(message.task, std::nullopt);
  EXPECT_EQ(message.taskFile, "acb.yaml");
  EXPECT_EQ(message.trigger, "queue");
  EXPECT_EQ(message.attempts, 0);
  EXPECT_TRUE(message.sets.empty());
  EXPECT_TRUE(message.toJson()["task"].is_null());
}

TEST(RunRequestMessage, ErrorsSayWhatIsWrong) {
  EXPECT_THAT(errorOf("[1]"), HasSubstr("run request: expected a JSON object, got array"));
  EXPECT_THAT(errorOf(R"({"task": "t"})"), HasSubstr("missing 'runId'"));
  EXPECT_THAT(errorOf(R"({"runId": "../../etc", "task": "t"})"),
              HasSubstr("'runId' must be 1 to 64 characters of [a-z0-9]"));
  EXPECT_THAT(errorOf(R"({"runId": 5, "task": "t"})"), HasSubstr("'runId' must be a string, got number"));
  EXPECT_THAT(errorOf(R"({"runId": "a1"})"), HasSubstr("needs 'task' (a configured task) or 'taskFile'"));
  EXPECT_THAT(errorOf(R"({"runId": "a1", "task": ""})"), HasSubstr("'task' must be a task name or null"));
  EXPECT_THAT(errorOf(R"({"runId": "a1", "task": "t", "sets": "a=b"})"),
              HasSubstr("'sets' must be an array"));
  EXPECT_THAT(errorOf(R"({"runId": "a1", "task": "t", "sets": ["a=b", "c"]})"),
              HasSubstr("sets[1] must be a K=V string"));
  EXPECT_THAT(errorOf(R"({"runId": "a1", "task": "t", "trigger": "cron"})"),
              HasSubstr("'trigger' must be manual, queue, timer, commit or image, got \"cron\""));
  EXPECT_THAT(errorOf(R"({"runId": "a1", "task": "t", "attempts": -1})"), HasSubstr("'attempts' must be"));
  EXPECT_THAT(errorOf(R"({"version": 2, "runId": "a1", "task": "t"})"),
              HasSubstr("unsupported format version 2"));
}

TEST(RunRequestMessage, ASyntaxErrorDoesNotQuoteTheText) {
  const std::string error = errorOf(R"({"runId": "a1", "sets": ["password=hunter2" oops]})");
  EXPECT_THAT(error, HasSubstr("not valid JSON (syntax error at byte"));
  EXPECT_THAT(error, Not(HasSubstr("hunter2")));
  EXPECT_THAT(error, Not(HasSubstr("oops")));
}

// Found by fuzzing: a number beyond double's range made nlohmann::json throw out_of_range, which escaped
// parse() (not std::invalid_argument) with a message quoting the number.
TEST(RunRequestMessage, AnOutOfRangeNumberIsAnInvalidRequestThatDoesNotQuoteIt) {
  EXPECT_THAT(errorOf("999e99999999999999999999999999999v"), HasSubstr("not valid JSON"));
  const std::string error = errorOf(R"({"runId": "a1", "attempts": 31337e999999})");
  EXPECT_THAT(error, HasSubstr("a number out of range"));
  EXPECT_THAT(error, Not(HasSubstr("31337")));
}

TEST(RunRequestMessage, RunIds) {
  EXPECT_TRUE(isValidRunId("ca1"));
  EXPECT_TRUE(isValidRunId(std::string(64, 'a')));
  EXPECT_FALSE(isValidRunId(""));
  EXPECT_FALSE(isValidRunId(std::string(65, 'a')));
  EXPECT_FALSE(isValidRunId("Ca1"));
  EXPECT_FALSE(isValidRunId("a-1"));
  EXPECT_FALSE(isValidRunId("a/1"));
}

}  // namespace
}  // namespace hangar::agent
