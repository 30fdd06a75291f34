// Hostile queue messages: whatever lands in the spool's incoming/ folder (broken JSON, binary, lies
// about run ids, huge or deeply nested files, symlinks, FIFOs) is claimed as malformed with a clear
// reason that quotes none of its bytes, parked in poison/, and nothing outside the spool is touched.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "agent/run_request_message.hpp"
#include "agent/spool_queue.hpp"
#include "tests/hostile/bounded_call.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar {
namespace {
namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(HANGAR_HOSTILE_CORPUS) / "queue";

class HostileQueue : public ::testing::Test {
 protected:
  void SetUp() override {
    canary_ = dir_.write("outside/canary.txt", "untouched SECRET-OUTSIDE");
    queue_ = std::make_unique<agent::SpoolQueue>(dir_.path() / "spool");
  }

  /// Drops `bytes` into incoming/ under a well-formed name for run `id`.
  fs::path drop(const std::string& bytes, const std::string& id = "abc") {
    const fs::path file = dir_.path() / "spool" / "incoming" / ("00000000000000000001-" + id + ".json");
    std::ofstream(file, std::ios::binary) << bytes;
    return file;
  }

  /// Claims the single waiting request within the deadline and expects it malformed with `reason`;
  /// releases it and expects it in poison/.
  void expectMalformed(const std::string& label, const std::string& reason) {
    const auto start = std::chrono::steady_clock::now();
    std::optional<agent::Claim> claim = queue_->claim();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30)) << label;
    ASSERT_TRUE(claim) << label;
    const std::string& why = claim->message.malformedReason;
    EXPECT_NE(why.find(reason), std::string::npos) << label << ": " << why;
    EXPECT_EQ(why.find("SECRET"), std::string::npos) << label << ": the reason quotes the file: " << why;
    EXPECT_EQ(claim->message.runId, "abc") << label << " (taken from the file name)";
    queue_->release(*claim, why);
    EXPECT_FALSE(queue_->claim()) << label << ": a malformed request came back";
    EXPECT_EQ(queue_->depth(), 0u);
    EXPECT_TRUE(fs::exists(dir_.path() / "spool" / "poison" / "00000000000000000001-abc.json")) << label;
    fs::remove_all(dir_.path() / "spool" / "poison");
    fs::create_directories(dir_.path() / "spool" / "poison");
    EXPECT_EQ(test::read_file(canary_), "untouched SECRET-OUTSIDE");
  }

  test::TempDir dir_{"hangar-hostile-queue"};
  fs::path canary_;
  std::unique_ptr<agent::SpoolQueue> queue_;
};

TEST_F(HostileQueue, CorpusMessagesAreMalformedWithAClearReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"truncated_json.json", "not valid JSON (syntax error at byte"},
      {"binary.json", "not valid JSON (syntax error at byte"},
      {"runid_traversal.json", "'runId' must be 1 to 64 characters of [a-z0-9]"},
      {"runid_shell.json", "'runId' must be 1 to 64 characters of [a-z0-9]"},
      {"future_version.json", "unsupported format version 2"},
      {"no_task.json", "needs 'task' (a configured task) or 'taskFile'"},
      {"sets_not_list.json", "'sets' must be an array of K=V strings"},
      {"sets_not_strings.json", "sets[0] must be a K=V string"},
      {"attempts_huge.json", "'attempts' must be a non-negative integer"},
      {"attempts_negative.json", "'attempts' must be a non-negative integer"},
      {"unknown_trigger.json", "'trigger' must be manual, queue, timer, commit or image"},
      {"not_object.json", "expected a JSON object, got array"},
      {"task_not_string.json", "'task' must be a task name or null"},
      {"nul_in_string.json", "must not contain NUL"},
  };
  for (const auto& [file, reason] : cases) {
    drop(test::read_file(kCorpus / file));
    expectMalformed(file, reason);
  }
}

TEST_F(HostileQueue, HugeAndDeeplyNestedMessagesAreBounded) {
  drop(std::string(agent::SpoolQueue::kMaxMessageBytes + 1, ' '));
  expectMalformed("huge", "more than the limit of 1048576");
  // 200,000 '[' are within the size limit: the parser must not recurse (nlohmann's parser does not).
  const std::string deep(200000, '[');
  const test::BoundedResult parsed = test::runBounded([&] {
    try {
      agent::RunRequestMessage::parse(deep);
      return std::string("PARSED");
    } catch (const std::invalid_argument& error) {
      return std::string(error.what());
    }
  });
  ASSERT_TRUE(parsed.finished) << parsed.describe();
  EXPECT_NE(parsed.text.find("not valid JSON"), std::string::npos) << parsed.text;
  // Deep but complete JSON: parsed and destroyed without a stack overflow, then refused.
  const std::string closed = std::string(200000, '[') + std::string(200000, ']');
  const test::BoundedResult nested = test::runBounded([&] {
    try {
      agent::RunRequestMessage::parse(closed);
      return std::string("PARSED");
    } catch (const std::invalid_argument& error) {
      return std::string(error.what());
    }
  });
  ASSERT_TRUE(nested.finished) << nested.describe();
  EXPECT_NE(nested.text.find("expected a JSON object, got array"), std::string::npos) << nested.text;
}

TEST_F(HostileQueue, SymlinksAndFifosAreNotFollowed) {
  const fs::path link = dir_.path() / "spool" / "incoming" / "00000000000000000001-abc.json";
  fs::create_symlink(canary_, link);
  expectMalformed("symlink", "it is a symbolic link, not a request file");
  EXPECT_TRUE(fs::exists(canary_));
  // A FIFO is never opened for reading (which would block the agent): it is skipped or refused at once.
  const fs::path fifo = dir_.path() / "spool" / "incoming" / "00000000000000000002-abd.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const test::BoundedResult claimed = test::runBounded(
      [&] {
        agent::SpoolQueue queue(dir_.path() / "spool");
        auto claim = queue.claim();
        return claim ? "CLAIMED " + claim->message.malformedReason : std::string("NONE");
      },
      std::chrono::seconds(30));
  ASSERT_TRUE(claimed.finished) << claimed.describe();
  EXPECT_TRUE(claimed.text == "NONE" || claimed.text.find("not a regular file") != std::string::npos)
      << claimed.text;
}

TEST_F(HostileQueue, NamesThatAreNotRequestsAreLeftAlone) {
  // A file whose name carries no valid run id is still claimed as malformed, with an empty run id.
  std::ofstream(dir_.path() / "spool" / "incoming" / "evil-..%2F..%2Fetc.json") << "{}";
  std::optional<agent::Claim> claim = queue_->claim();
  ASSERT_TRUE(claim);
  EXPECT_TRUE(claim->message.runId.empty()) << claim->message.runId;
  EXPECT_FALSE(claim->message.malformedReason.empty());
  queue_->release(*claim, claim->message.malformedReason);
  EXPECT_EQ(test::read_file(canary_), "untouched SECRET-OUTSIDE");
  for (const auto& entry : fs::recursive_directory_iterator(dir_.path() / "spool"))
    EXPECT_TRUE(entry.path().string().starts_with((dir_.path() / "spool").string())) << entry.path();
}

}  // namespace
}  // namespace hangar
