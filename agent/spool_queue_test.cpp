#include "agent/spool_queue.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/spool_queue_test_helper.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

using ::testing::ElementsAre;
using testing::entries;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using testing::request;
using ::testing::SizeIs;

TEST(SpoolQueue, CreatesItsLayout) {
  test::TempDir dir;
  SpoolQueue queue(dir.path() / "queue");
  EXPECT_THAT(entries(dir.path() / "queue"), ElementsAre("claimed", "incoming", "poison", "tmp"));
  struct stat info {};
  ASSERT_EQ(stat((dir.path() / "queue" / "incoming").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  EXPECT_EQ(queue.depth(), 0u);
  EXPECT_EQ(queue.claim(), std::nullopt);
}

TEST(SpoolQueue, EnqueueWritesOneSortableFileAtomically) {
  test::TempDir dir;
  SpoolQueue queue(dir.path());
  queue.enqueue(request("ab1"));
  EXPECT_THAT(entries(dir.path() / "tmp"), IsEmpty());
  const auto names = entries(dir.path() / "incoming");
  ASSERT_THAT(names, SizeIs(1));
  EXPECT_THAT(names[0], MatchesRegex("[0-9]{20}-ab1\\.json"));
  struct stat info {};
  ASSERT_EQ(stat((dir.path() / "incoming" / names[0]).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);  // requests may carry --set values
  const auto content = test::read_file(dir.path() / "incoming" / names[0]);
  EXPECT_EQ(RunRequestMessage::parse(content).toJson(), request("ab1").toJson());
  EXPECT_EQ(queue.depth(), 1u);
}

TEST(SpoolQueue, ClaimsOldestFirstAndCompleteRemoves) {
  test::TempDir dir;
  SpoolQueue queue(dir.path());
  for (const char* id : {"r1", "r2", "r3"}) queue.enqueue(request(id));
  EXPECT_EQ(queue.depth(), 3u);

  const auto first = queue.claim();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->message.runId, "r1");
  EXPECT_EQ(first->message.task, "web");
  EXPECT_TRUE(first->message.malformedReason.empty());
  EXPECT_EQ(queue.depth(), 2u);
  EXPECT_THAT(entries(dir.path() / "claimed"), ElementsAre(first->claimId));
  EXPECT_THAT(first->claimId, MatchesRegex(std::to_string(getpid()) + "\\.[0-9]+-[0-9]{20}-r1\\.json"));

  queue.complete(*first);
  EXPECT_THAT(entries(dir.path() / "claimed"), IsEmpty());
  EXPECT_THROW(queue.complete(*first), std::runtime_error);  // not held any more

  EXPECT_EQ(queue.claim()->message.runId, "r2");
  EXPECT_EQ(queue.claim()->message.runId, "r3");
  EXPECT_EQ(queue.claim(), std::nullopt);
}

TEST(SpoolQueue, InvalidRequestsAreNotQueued) {
  test::TempDir dir;
  SpoolQueue queue(dir.path());
  EXPECT_THROW(queue.enqueue(request("Bad/Id")), std::invalid_argument);
  RunRequestMessage noTask = request("ok1");
  noTask.task.reset();
  EXPECT_THROW(queue.enqueue(noTask), std::invalid_argument);
  EXPECT_THAT(entries(dir.path() / "incoming"), IsEmpty());
  EXPECT_THAT(entries(dir.path() / "tmp"), IsEmpty());
}

TEST(SpoolQueue, ReleaseRequeuesUntilMaxAttemptsThenParksAsPoison) {
  test::TempDir dir;
  SpoolQueue queue(dir.path(), 3);
  queue.enqueue(request("p1"));
  for (int attempt = 1; attempt <= 2; ++attempt) {
    const auto claim = queue.claim();
    ASSERT_TRUE(claim) << attempt;
    EXPECT_EQ(claim->message.attempts, attempt - 1);
    queue.release(*claim, "engine unreachable");
    EXPECT_EQ(queue.depth(), 1u);
  }
  const auto last = queue.claim();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->message.attempts, 2);
  queue.release(*last, "engine unreachable (third time)");
  EXPECT_EQ(queue.depth(), 0u);
  EXPECT_EQ(queue.claim(), std::nullopt);
  EXPECT_THAT(entries(dir.path() / "claimed"), IsEmpty());
  EXPECT_THAT(entries(dir.path() / "tmp"), IsEmpty());

  const auto poison = entries(dir.path() / "poison");
  ASSERT_THAT(poison, SizeIs(2));
  EXPECT_THAT(poison[0], MatchesRegex("[0-9]{20}-p1\\.json"));
  EXPECT_EQ(poison[1], poison[0] + ".reason");
  EXPECT_EQ(RunRequestMessage::parse(test::read_file(dir.path() / "poison" / poison[0])).attempts, 3);
  EXPECT_EQ(test::read_file(dir.path() / "poison" / poison[1]),
            "failed 3 times; last: engine unreachable (third time)\n");
  EXPECT_THROW(queue.release(*last, "again"), std::runtime_error);
}

TEST(SpoolQueue, RequeueAfterAShutdownCountsNoAttemptAndKeepsItsPlace) {
  test::TempDir dir;
  SpoolQueue queue(dir.path(), 2);
  queue.enqueue(request("s1"));
  queue.enqueue(request("s2"));
  for (int round = 0; round < 5; ++round) {  // more than maxAttempts shutdowns: never poison
    const auto claim = queue.claim();
    ASSERT_TRUE(claim);
    EXPECT_EQ(claim->message.runId, "s1");  // first in line again
    EXPECT_EQ(claim->message.attempts, 0);
    queue.requeue(*claim);
    EXPECT_EQ(queue.depth(), 2u);
    EXPECT_THROW(queue.requeue(*claim), std::runtime_error);
  }
  EXPECT_THAT(entries(dir.path() / "poison"), IsEmpty());
  EXPECT_THAT(entries(dir.path() / "claimed"), IsEmpty());
}

TEST(SpoolQueue, AMalformedRequestIsClaimedWithItsReasonAndParkedUntouched) {
  test::TempDir dir;
  SpoolQueue queue(dir.path());
  const std::string garbage = "{\"runId\": \"bb7\", \"sets\": [\"password=hunter2\" oops";
  dir.write("incoming/00000000000000000001-bb7.json", garbage);
  dir.write("incoming/00000000000000000002-bb8.json", R"({"runId": "bb8"})");

  const auto broken = queue.claim();
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->message.runId, "bb7");  // from the file name, for the failed run's record
  EXPECT_THAT(
      broken->message.malformedReason,
      HasSubstr(
          "the queued request 00000000000000000001-bb7.json is malformed: run request: not valid JSON"));
  EXPECT_THAT(broken->message.malformedReason, Not(HasSubstr("hunter2")));

  const auto incomplete = queue.claim();
  ASSERT_TRUE(incomplete);
  EXPECT_EQ(incomplete->message.runId, "bb8");
  EXPECT_THAT(incomplete->message.malformedReason,
              HasSubstr("needs 'task' (a configured task) or 'taskFile'"));

  queue.release(*broken, "recorded as failed run bb7");
  EXPECT_EQ(test::read_file(dir.path() / "poison" / "00000000000000000001-bb7.json"), garbage);
  EXPECT_THAT(test::read_file(dir.path() / "poison" / "00000000000000000001-bb7.json.reason"),
              HasSubstr("malformed"));
  queue.complete(*incomplete);  // the service may also just drop it after recording the failure
  EXPECT_THAT(entries(dir.path() / "claimed"), IsEmpty());
}

TEST(SpoolQueue, OddFilesInIncomingAreReportedNotDropped) {
  test::TempDir dir;
  SpoolQueue queue(dir.path());
  const auto secret = dir.write("secret.txt", "top secret");
  std::filesystem::create_symlink(secret, dir.path() / "incoming" / "1-link.json");
  dir.write("incoming/2-big.json", std::string(SpoolQueue::kMaxMessageBytes + 1, ' '));
  dir.write("incoming/3-notes.txt", "hello");

  const auto link = queue.claim();
  ASSERT_TRUE(link);
  EXPECT_THAT(link->message.malformedReason, HasSubstr("symbolic link"));
  EXPECT_THAT(link->message.malformedReason, Not(HasSubstr("top secret")));
  const auto big = queue.claim();
  ASSERT_TRUE(big);
  EXPECT_THAT(big->message.malformedReason, HasSubstr("more than the limit of 1048576"));
  const auto notes = queue.claim();
  ASSERT_TRUE(notes);
  EXPECT_EQ(notes->message.runId, "");  // no run id in that name
  EXPECT_THAT(notes->message.malformedReason, HasSubstr("3-notes.txt is malformed"));
  EXPECT_EQ(queue.claim(), std::nullopt);
}

TEST(SpoolQueue, RemoveWaitingCancelsAQueuedRequest) {
  test::TempDir dir;
  SpoolQueue queue(dir.path());
  queue.enqueue(request("c1"));
  queue.enqueue(request("c2"));
  EXPECT_TRUE(queue.removeWaiting("c1"));
  EXPECT_FALSE(queue.removeWaiting("c1"));
  const auto claim = queue.claim();
  ASSERT_TRUE(claim);
  EXPECT_EQ(claim->message.runId, "c2");
  EXPECT_FALSE(queue.removeWaiting("c2"));  // claimed: the service cancels it instead
  EXPECT_FALSE(queue.removeWaiting("../x"));
  EXPECT_EQ(queue.depth(), 0u);
  EXPECT_THAT(entries(dir.path() / "tmp"), IsEmpty());
}

/// Forks a child that claims `count` requests from the spool at `root` and exits without completing
/// them, as a killed agent would. Returns once the child is gone.
void claimInADyingChild(const std::filesystem::path& root, int count) {
  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    int claimed = 0;
    try {
      SpoolQueue queue(root);
      for (int i = 0; i < count; ++i) claimed += queue.claim() ? 1 : 0;
    } catch (...) {
      _exit(100);
    }
    _exit(claimed);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), count);
}

TEST(SpoolQueue, RecoversClaimsOfDeadProcessesOnly) {
  test::TempDir dir;
  SpoolQueue queue(dir.path());
  for (const char* id : {"d1", "d2", "d3"}) queue.enqueue(request(id));
  claimInADyingChild(dir.path(), 2);
  EXPECT_EQ(queue.depth(), 1u);
  const auto mine = queue.claim();  // held by this live process: must stay claimed
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->message.runId, "d3");
  EXPECT_THAT(entries(dir.path() / "claimed"), SizeIs(3));

  EXPECT_EQ(queue.recoverDeadClaims(), 2u);
  EXPECT_THAT(entries(dir.path() / "claimed"), ElementsAre(mine->claimId));
  const auto again1 = queue.claim();
  const auto again2 = queue.claim();
  ASSERT_TRUE(again1 && again2);
  EXPECT_EQ(again1->message.runId, "d1");  // back in its old place, oldest first
  EXPECT_EQ(again2->message.runId, "d2");
  EXPECT_EQ(again1->message.attempts, 1);  // the crash counts as an attempt
  EXPECT_EQ(queue.recoverDeadClaims(), 0u);
  queue.complete(*mine);
}

TEST(SpoolQueue, RecoveryTreatsAReusedPidAsDeadAndPoisonsExhaustedRequests) {
  test::TempDir dir;
  SpoolQueue queue(dir.path(), 2);
  ProcessIdentity ghost = ProcessIdentity::self();
  ghost.startTime += 1;  // our PID, another process's start time
  RunRequestMessage tired = request("e1");
  tired.attempts = 1;
  dir.write("claimed/" + ghost.str() + "-00000000000000000001-e1.json", tired.toJson().dump());
  dir.write("claimed/" + ghost.str() + "-00000000000000000002-e2.json", request("e2").toJson().dump());
  dir.write("claimed/" + ghost.str() + "-00000000000000000003-e3.json", "not json");
  dir.write("tmp/" + ghost.str() + "-00000000000000000004-e4.json.0", "half written");
  dir.write("tmp/" + ProcessIdentity::self().str() + "-00000000000000000005-e5.json.0", "ours, in progress");

  EXPECT_EQ(queue.recoverDeadClaims(), 3u);
  EXPECT_THAT(entries(dir.path() / "claimed"), IsEmpty());
  EXPECT_THAT(entries(dir.path() / "poison"),
              ElementsAre("00000000000000000001-e1.json", "00000000000000000001-e1.json.reason"));
  EXPECT_THAT(test::read_file(dir.path() / "poison" / "00000000000000000001-e1.json.reason"),
              HasSubstr("that claimed it died"));
  EXPECT_THAT(entries(dir.path() / "incoming"),
              ElementsAre("00000000000000000002-e2.json", "00000000000000000003-e3.json"));
  EXPECT_EQ(test::read_file(dir.path() / "incoming" / "00000000000000000003-e3.json"), "not json");
  EXPECT_THAT(entries(dir.path() / "tmp"),
              ElementsAre(ProcessIdentity::self().str() + "-00000000000000000005-e5.json.0"));
}

}  // namespace
}  // namespace hangar::agent
