#include "runner/run_record.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace hangar::runner {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

TimePoint at(int year, unsigned month, unsigned day, std::chrono::milliseconds sinceMidnight) {
  return std::chrono::sys_days(std::chrono::year(year) / month / day) + sinceMidnight;
}

RunRecord sampleRecord() {
  RunRecord record;
  record.id = "ca1";
  record.status = RunStatus::Failed;
  record.error = "step 'test' failed with exit code 2";
  record.startTime = at(2026, 11, 25, 8h);
  record.finishTime = at(2026, 11, 25, 8h + 9s + 250ms);
  StepRecord build;
  build.id = "build";
  build.status = StepStatus::Successful;
  build.exitCode = 0;
  build.startTime = at(2026, 11, 25, 8h + 1ms);
  build.finishTime = at(2026, 11, 25, 8h + 5s);
  StepRecord test;
  test.id = "test";
  test.status = StepStatus::Failed;
  test.exitCode = 2;
  test.startTime = at(2026, 11, 25, 8h + 5s);
  test.finishTime = at(2026, 11, 25, 8h + 9s);
  test.error = "exit status 2";
  StepRecord push;
  push.id = "push";
  push.status = StepStatus::Skipped;
  record.steps = {build, test, push};
  record.outputImages = {{"127.0.0.1:5000", "hello", "v1", "sha256:aaa"}};
  record.dependencies = {{"127.0.0.1:5000/hello:v1",
                          {"127.0.0.1:5000", "base/runtime", "3.19", "sha256:bbb"},
                          {{"registry.hub.docker.com", "library/golang", "1.22", "sha256:ccc"}}}};
  return record;
}

TEST(RunRecord, StatusNamesAreThoseOfAcr) {
  EXPECT_EQ(toString(RunStatus::Queued), "Queued");
  EXPECT_EQ(toString(RunStatus::Started), "Started");
  EXPECT_EQ(toString(RunStatus::Running), "Running");
  EXPECT_EQ(toString(RunStatus::Succeeded), "Succeeded");
  EXPECT_EQ(toString(RunStatus::Failed), "Failed");
  EXPECT_EQ(toString(RunStatus::Canceled), "Canceled");
  EXPECT_EQ(toString(RunStatus::Error), "Error");
  EXPECT_EQ(toString(RunStatus::Timeout), "Timeout");
  EXPECT_EQ(toString(StepStatus::Skipped), "Skipped");
  EXPECT_EQ(toString(StepStatus::InProgress), "InProgress");
  EXPECT_EQ(toString(StepStatus::Successful), "Successful");
  EXPECT_EQ(toString(StepStatus::Failed), "Failed");
  EXPECT_EQ(toString(StepStatus::Canceled), "Canceled");
  EXPECT_EQ(parseRunStatus("Timeout"), RunStatus::Timeout);
  EXPECT_EQ(parseStepStatus("InProgress"), StepStatus::InProgress);
  EXPECT_EQ(parseRunStatus("succeeded"), std::nullopt);
  EXPECT_EQ(parseStepStatus(""), std::nullopt);
}

TEST(RunRecord, FormatTimeIsUtcWithMilliseconds) {
  EXPECT_EQ(formatTime(at(2026, 11, 25, 8h + 123ms)), "2026-11-25T08:00:00.123Z");
  EXPECT_EQ(formatTime(at(1970, 1, 1, 0ms)), "1970-01-01T00:00:00.000Z");
  // Sub-millisecond parts are cut, not rounded up into the next second.
  EXPECT_EQ(formatTime(at(2024, 2, 29, 23h + 59min + 59s + 999ms) + 999us), "2024-02-29T23:59:59.999Z");
}

TEST(RunRecord, ParseTimeReadsRfc3339) {
  EXPECT_EQ(parseTime("2026-11-25T08:00:00.123Z"), at(2026, 11, 25, 8h + 123ms));
  EXPECT_EQ(parseTime("2026-11-25T08:00:00Z"), at(2026, 11, 25, 8h));
  EXPECT_EQ(parseTime("2026-11-25T09:30:00.5+01:30"), at(2026, 11, 25, 8h + 500ms));
  EXPECT_EQ(parseTime("2026-11-25T06:00:00-02:00"), at(2026, 11, 25, 8h));
  EXPECT_EQ(parseTime("2026-11-25T08:00:00.000000001Z"), at(2026, 11, 25, 8h) + 1ns);
  for (const char* bad :
       {"", "2026-11-25", "2026-11-25T08:00:00", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-25T24:00:00Z", "2026-11-25T08:00:00.Z", "2026-11-25T08:00:00Zx", "2026-11-25T08:-1:00Z",
        "2026/11/25T08:00:00Z", "2026-11-25T08:00:00+0100"}) {
    EXPECT_EQ(parseTime(bad), std::nullopt) << bad;
  }
}

TEST(RunRecord, JsonHasTheCliShape) {
  const json expected = json::parse(R"({
    "id": "ca1",
    "status": "Failed",
    "steps": [
      {"id": "build", "status": "Successful", "exitCode": 0,
       "startTime": "2026-11-25T08:00:00.001Z", "finishTime": "2026-11-25T08:00:05.000Z"},
      {"id": "test", "status": "Failed", "exitCode": 2,
       "startTime": "2026-11-25T08:00:05.000Z", "finishTime": "2026-11-25T08:00:09.000Z",
       "error": "exit status 2"},
      {"id": "push", "status": "Skipped", "exitCode": null, "startTime": null, "finishTime": null}
    ],
    "outputImages": [
      {"registry": "127.0.0.1:5000", "repository": "hello", "tag": "v1", "digest": "sha256:aaa"}
    ],
    "dependencies": [
      {"image": "127.0.0.1:5000/hello:v1",
       "runtime": {"registry": "127.0.0.1:5000", "repository": "base/runtime", "tag": "3.19", "digest": "sha256:bbb"},
       "buildtime": [{"registry": "registry.hub.docker.com", "repository": "library/golang", "tag": "1.22",
                      "digest": "sha256:ccc"}]}
    ],
    "error": "step 'test' failed with exit code 2",
    "startTime": "2026-11-25T08:00:00.000Z",
    "finishTime": "2026-11-25T08:00:09.250Z",
    "source": null
  })");
  EXPECT_EQ(sampleRecord().toJson(), expected) << sampleRecord().toJson().dump(2);
}

TEST(RunRecord, EmptyRecordHasNullTimesAndEmptyLists) {
  RunRecord record;
  record.id = "cb6";
  const auto j = record.toJson();
  EXPECT_EQ(j["status"], "Queued");
  EXPECT_TRUE(j["steps"].is_array() && j["steps"].empty());
  EXPECT_TRUE(j["outputImages"].is_array());
  EXPECT_TRUE(j["dependencies"].is_array());
  EXPECT_EQ(j["error"], "");
  EXPECT_TRUE(j["startTime"].is_null());
  EXPECT_TRUE(j["finishTime"].is_null());
}

TEST(RunRecord, FromJsonRoundTrips) {
  const auto original = sampleRecord();
  const auto copy = RunRecord::fromJson(original.toJson());
  EXPECT_EQ(copy.toJson(), original.toJson());
  ASSERT_EQ(copy.steps.size(), 3u);
  EXPECT_EQ(copy.steps[1].exitCode, 2);
  EXPECT_EQ(copy.steps[1].error, "exit status 2");
  EXPECT_EQ(copy.steps[2].exitCode, std::nullopt);
  EXPECT_EQ(copy.steps[2].startTime, std::nullopt);
  EXPECT_EQ(copy.finishTime, original.finishTime);
  EXPECT_EQ(copy.dependencies.at(0).buildtime.at(0).repository, "library/golang");
  // Through text too, as the run store keeps it.
  EXPECT_EQ(RunRecord::fromJson(json::parse(original.toJson().dump())).toJson(), original.toJson());
}

TEST(RunRecord, GitSourceIsRecordedAndReadBack) {
  RunRecord record = sampleRecord();
  record.source = SourceRecord{"https://git.example/org/app.git", std::string(40, 'a'), "main", "v1.2"};
  const json source = record.toJson()["source"];
  EXPECT_EQ(source, json::parse(R"({"repository": "https://git.example/org/app.git",
    "commit": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "branch": "main", "tag": "v1.2"})"));
  const RunRecord copy = RunRecord::fromJson(json::parse(record.toJson().dump()));
  ASSERT_TRUE(copy.source.has_value());
  EXPECT_EQ(copy.source->repository, "https://git.example/org/app.git");
  EXPECT_EQ(copy.source->commit, std::string(40, 'a'));
  EXPECT_EQ(copy.source->branch, "main");
  EXPECT_EQ(copy.source->tag, "v1.2");
  EXPECT_FALSE(RunRecord::fromJson(sampleRecord().toJson()).source.has_value()) << "null stays null";
  try {
    RunRecord::fromJson(json::parse(R"({"id": "x", "status": "Running", "source": {"commit": 5}})"));
    ADD_FAILURE() << "a number taken as a commit";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()), "run record: source.commit: expected a string");
  }
}

TEST(RunRecord, FromJsonToleratesMissingOptionalFields) {
  const auto record = RunRecord::fromJson(json::parse(R"({"id": "x", "status": "Running"})"));
  EXPECT_EQ(record.id, "x");
  EXPECT_EQ(record.status, RunStatus::Running);
  EXPECT_TRUE(record.steps.empty());
  EXPECT_EQ(record.startTime, std::nullopt);
}

void expectError(const char* text, const std::string& message) {
  try {
    RunRecord::fromJson(json::parse(text));
    ADD_FAILURE() << "no error for " << text;
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(error.what(), message);
  }
}

TEST(RunRecord, FromJsonNamesTheBadField) {
  expectError("[]", "run record: expected an object");
  expectError(R"({"status": "Running"})", "run record: missing 'id'");
  expectError(R"({"id": "x", "status": "Done"})", "run record: status: unknown run status 'Done'");
  expectError(R"({"id": "x", "status": "Failed", "steps": [{"id": "a", "status": "Successful"},
                 {"id": "b", "status": "Done"}]})",
              "run record: steps[1].status: unknown step status 'Done'");
  expectError(
      R"({"id": "x", "status": "Failed", "steps": [{"id": "a", "status": "Failed", "exitCode": "1"}]})",
      "run record: steps[0].exitCode: expected an integer");
  expectError(R"({"id": "x", "status": "Failed", "startTime": "yesterday"})",
              "run record: startTime: not an RFC 3339 time: 'yesterday'");
  expectError(R"({"id": 7, "status": "Failed"})", "run record: id: expected a string");
  expectError(R"({"id": "x", "status": "Failed", "outputImages": {}})",
              "run record: outputImages: expected an array");
}

}  // namespace
}  // namespace hangar::runner
