// runTask renewing expiring registry logins (RunRequest::renewLogins): once the renewal time has passed,
// the next step (or in-process command) sees the new credential in the run's auth file, its secret is
// masked in the log and record, and a failed renewal is a warning, not the end of the run. The clock is
// the request's `now`, moved by the steps themselves: nothing waits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "runner/task_run.hpp"
#include "runner/task_run_test_helper.hpp"

namespace hangar::runner {
namespace {

using namespace test_helper;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::system_clock;
using std::chrono::hours;
using std::chrono::minutes;

constexpr const char* kHost = "acr.example";
constexpr const char* kOldToken = "old-refresh-token-5a1";
constexpr const char* kNewToken = "new-refresh-token-9f3";

registry::Credential tokenLogin(const std::string& token) {
  return {"00000000-0000-0000-0000-000000000000", "", token};
}

// The identity token the auth file holds for kHost, or "" when none.
std::string identityTokenIn(const fs::path& authFile) {
  const auto json = nlohmann::json::parse(test::read_file(authFile));
  return json["auths"].value(kHost, nlohmann::json::object()).value("identitytoken", "");
}

mode_t modeOf(const fs::path& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? info.st_mode & 07777 : 0;
}

class LoginRenewalRunTest : public TaskRunTest {
 protected:
  LoginRenewalRunTest() {
    request.logins = {{kHost, tokenLogin(kOldToken)}};
    request.secretValues = {kOldToken};
    request.loginsExpiry = start_ + hours(1);  // renewed from 45 min on
    request.now = [this] { return start_ + minutes(elapsedMinutes_.load()); };
    request.renewLogins = [this] {
      ++renewals_;
      RegistryLogins logins;
      logins.credentials[kHost] = tokenLogin(kNewToken);
      logins.secretValues = {kNewToken};
      logins.expiry = start_ + hours(5);
      return logins;
    };
    // Every step runs in-process: it notes the token its auth file holds, prints the whole file (as a
    // careless tool might) and moves the clock by its `args[0]` minutes.
    request.inProcessCommand = [this](const std::string&, const std::vector<std::string>& args,
                                      const std::string& stepId, LogSink& log,
                                      const fs::path& authFile) -> std::optional<int> {
      {
        std::lock_guard lock(mutex_);
        seen_[stepId].push_back(identityTokenIn(authFile));
        modes_[stepId] = modeOf(authFile);
      }
      log.output(stepId, test::read_file(authFile));
      if (!args.empty()) elapsedMinutes_ += std::stoi(args[0]);
      return 0;
    };
  }

  std::string everythingLogged() const {
    std::string all = log.text();
    for (const auto& step : request.task.steps) all += log.outputOf(step.id);
    return all;
  }
  std::vector<std::string> seen(const std::string& stepId) {
    std::lock_guard lock(mutex_);
    return seen_[stepId];
  }

  const Clock::time_point start_ = Clock::now();
  std::atomic<int> elapsedMinutes_{0};
  std::atomic<int> renewals_{0};
  std::mutex mutex_;
  std::map<std::string, std::vector<std::string>> seen_;
  std::map<std::string, mode_t> modes_;
};

TEST_F(LoginRenewalRunTest, AStepAfterTheRenewalTimeSeesTheRenewedLoginMaskedInTheLog) {
  request.task.steps = {cmdStep("first", "tool 120"), cmdStep("second", "tool")};  // "first" takes 2 h

  const auto record = run();

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_THAT(seen("first"), ElementsAre(kOldToken));
  EXPECT_THAT(seen("second"), ElementsAre(kNewToken));
  EXPECT_EQ(renewals_, 1);
  EXPECT_EQ(modes_["second"], 0600u);  // the rewritten file is as private as the first
  EXPECT_THAT(log.text(), HasSubstr("Registry logins renewed: acr.example"));
  EXPECT_THAT(log.outputOf("second"), HasSubstr("\"identitytoken\": \"***\""));
  EXPECT_THAT(everythingLogged(), AllOf(Not(HasSubstr(kNewToken)), Not(HasSubstr(kOldToken))));
  EXPECT_THAT(record.toJson().dump(), Not(HasSubstr(kNewToken)));
  // Before the renewal: the first step ran with the old login, and nothing was renewed early.
  const auto lines = log.lines();
  const auto renewed = std::find(lines.begin(), lines.end(), "Registry logins renewed: acr.example");
  const auto firstEnd = std::find(lines.begin(), lines.end(), "<finished first>");
  EXPECT_LT(firstEnd - lines.begin(), renewed - lines.begin());
}

TEST_F(LoginRenewalRunTest, LoginsAreNotRenewedBeforeTheirTimeNorAgainAfterARenewal) {
  request.task.steps = {
      cmdStep("a", "tool"), cmdStep("b", "tool 120"), cmdStep("c", "tool 60"),
      cmdStep("d", "tool")};  // due from 45 min (c starts at 2 h); renewed: from 4.5 h (d starts at 3 h)

  const auto record = run();

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_THAT(seen("a"), ElementsAre(kOldToken));
  EXPECT_THAT(seen("b"), ElementsAre(kOldToken));
  EXPECT_THAT(seen("c"), ElementsAre(kNewToken));
  EXPECT_THAT(seen("d"), ElementsAre(kNewToken));
  EXPECT_EQ(renewals_, 1);
}

TEST_F(LoginRenewalRunTest, ThreeHourLoginsAreRenewedHalfAnHourBeforeTheyExpire) {
  request.loginsExpiry = start_ + hours(3);  // an ACR refresh token's life
  request.task.steps = {cmdStep("a", "tool 149"), cmdStep("b", "tool 1"), cmdStep("c", "tool")};

  const auto record = run();

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_THAT(seen("b"), ElementsAre(kOldToken));  // at 2 h 29 min
  EXPECT_THAT(seen("c"), ElementsAre(kNewToken));  // at 2 h 30 min
  EXPECT_EQ(renewals_, 1);
}

TEST_F(LoginRenewalRunTest, ARetriedInProcessCommandRenewsBetweenAttempts) {
  auto step = cmdStep("purge", "tool 120");
  step.retries = 1;
  request.task.steps = {step};
  int attempts = 0;
  auto inner = request.inProcessCommand;
  request.inProcessCommand = [&](const std::string& image, const std::vector<std::string>& args,
                                 const std::string& stepId, LogSink& log, const fs::path& authFile) {
    inner(image, args, stepId, log, authFile);
    return std::optional<int>(++attempts == 1 ? 1 : 0);  // the first attempt fails, two hours later
  };

  const auto record = run();

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_THAT(seen("purge"), ElementsAre(kOldToken, kNewToken));
  EXPECT_EQ(renewals_, 1);
}

TEST_F(LoginRenewalRunTest, AFailedRenewalIsLoggedWithoutSecretsAndTheStepsGoOnWithTheOldLogin) {
  request.renewLogins = [this]() -> RegistryLogins {
    ++renewals_;
    // An error text that (against the rules) quotes a token is still masked.
    throw std::runtime_error(std::string("cannot log in to registry acr.example: IMDS is down (") +
                             kOldToken + ")");
  };
  // A failure is tried again a minute later at the earliest: "second" takes an hour, so before "third".
  request.task.steps = {cmdStep("first", "tool 120"), cmdStep("second", "tool 60"), cmdStep("third", "tool")};

  const auto record = run();

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_THAT(seen("second"), ElementsAre(kOldToken));
  EXPECT_THAT(seen("third"), ElementsAre(kOldToken));
  EXPECT_EQ(renewals_, 2);  // before second (not again for its in-process command), before third
  EXPECT_THAT(log.text(),
              HasSubstr("Warning: cannot renew the registry logins; the steps go on with the "
                        "current ones: cannot log in to registry acr.example: IMDS is down (***)"));
  EXPECT_THAT(everythingLogged(), Not(HasSubstr(kOldToken)));
  EXPECT_THAT(log.text(), Not(HasSubstr("Registry logins renewed")));
}

TEST_F(LoginRenewalRunTest, ParallelStepsRenewOnceAndAllSeeTheNewLoginMasked) {
  auto first = cmdStep("first", "tool 120");
  request.task.steps = {first};
  for (const std::string id : {"p1", "p2", "p3", "p4", "p5", "p6"}) {
    auto step = cmdStep(id, "tool");
    step.when = {"first"};
    request.task.steps.push_back(step);
  }

  const auto record = run();

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_EQ(renewals_, 1);
  for (const std::string id : {"p1", "p2", "p3", "p4", "p5", "p6"}) {
    EXPECT_THAT(seen(id), ElementsAre(kNewToken)) << id;
    EXPECT_THAT(log.outputOf(id), HasSubstr("\"identitytoken\": \"***\"")) << id;
  }
  EXPECT_THAT(everythingLogged(), Not(HasSubstr(kNewToken)));
}

TEST_F(LoginRenewalRunTest, OtherHostsOfTheAuthFileStayWhenLoginsAreRenewed) {
  const fs::path config = root.write("docker-config.json", R"({"auths": {"other.example": {"auth": ")" +
                                                               std::string("dXNlcjpwYXNz") + R"("}}})");
  request.dockerConfig = config;
  std::string authAfter;
  auto inner = request.inProcessCommand;
  request.inProcessCommand = [&](const std::string& image, const std::vector<std::string>& args,
                                 const std::string& stepId, LogSink& log, const fs::path& authFile) {
    if (stepId == "second") authAfter = test::read_file(authFile);
    return inner(image, args, stepId, log, authFile);
  };
  request.task.steps = {cmdStep("first", "tool 120"), cmdStep("second", "tool")};

  const auto record = run();

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_THAT(seen("second"), ElementsAre(kNewToken));
  const auto auths = nlohmann::json::parse(authAfter)["auths"];
  EXPECT_EQ(auths["other.example"].value("auth", ""), "dXNlcjpwYXNz");
}

TEST_F(LoginRenewalRunTest, WithoutARenewalTimeNothingIsRenewed) {
  request.loginsExpiry.reset();  // e.g. passwords only
  request.task.steps = {cmdStep("first", "tool 300"), cmdStep("second", "tool")};

  const auto record = run();

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_EQ(renewals_, 0);
  EXPECT_THAT(seen("second"), ElementsAre(kOldToken));
}

TEST_F(LoginRenewalRunTest, ALongStepSeesItsLoginRenewedWhileItRuns) {
  request.loginRenewalCheck = std::chrono::milliseconds(2);
  // The step (a purge that lasts for hours) moves the clock past the renewal time, then reads its auth
  // file until the renewed login is there (the run's watcher renews it), for at most 20 s.
  std::string seenWhileRunning;
  request.inProcessCommand = [&](const std::string&, const std::vector<std::string>&, const std::string&,
                                 LogSink&, const fs::path& authFile) -> std::optional<int> {
    elapsedMinutes_ += 120;
    const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (identityTokenIn(authFile) != kNewToken && std::chrono::steady_clock::now() < giveUp)
      std::this_thread::yield();
    seenWhileRunning = identityTokenIn(authFile);
    return 0;
  };
  request.task.steps = {cmdStep("long", "tool")};

  const auto record = run();

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_EQ(seenWhileRunning, kNewToken);
  EXPECT_EQ(renewals_, 1);  // and not again: the renewed login lasts 5 hours
  EXPECT_THAT(log.text(), HasSubstr("Registry logins renewed: acr.example"));
}

}  // namespace
}  // namespace hangar::runner
