#include "runner/task_run.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <mutex>

#include "runner/task_run_test_helper.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {

namespace fs = std::filesystem;
using namespace test_helper;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

TEST_F(TaskRunTest, BuildPushAndCmdRunInFileOrder) {
  request.task.steps = {buildStep("b", "-t 127.0.0.1:5000/hello:1 ."),
                        pushStep("p", {"127.0.0.1:5000/hello:1"}), cmdStep("c", "127.0.0.1:5000/hello:1")};
  launcher.script = [](const ProcessSpec& spec) {
    if (verbOf(spec) == "from")
      return exits(0, "Trying to pull 127.0.0.1:5000/hello:1...\n" + argAfter(spec, "--name") + "\n");
    return verbOf(spec) == "run" ? exits(0, "Hello from Docker!\n") : Reply{};
  };
  const auto record = run();

  EXPECT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_EQ(record.id, "r1");
  EXPECT_THAT(launcher.verbs(), ElementsAre("build", "push", "from", "inspect", "run", "rm"));
  ASSERT_EQ(record.steps.size(), 3u);
  for (const auto& step : record.steps) {
    EXPECT_EQ(step.status, StepStatus::Successful) << step.id;
    EXPECT_EQ(step.exitCode, 0) << step.id;
    ASSERT_TRUE(step.startTime && step.finishTime) << step.id;
    EXPECT_LE(*step.startTime, *step.finishTime);
  }
  ASSERT_EQ(record.outputImages.size(), 1u);
  EXPECT_EQ(record.outputImages[0].registry, "127.0.0.1:5000");
  EXPECT_EQ(record.outputImages[0].repository, "hello");
  EXPECT_EQ(record.outputImages[0].tag, "1");
  EXPECT_EQ(record.outputImages[0].digest, "sha256:" + std::string(64, 'a'));
  // Pull progress is shown; the container name `buildah from` prints is not the step's output.
  EXPECT_EQ(log.outputOf("c"), "Trying to pull 127.0.0.1:5000/hello:1...\nHello from Docker!\n");
  EXPECT_THAT(log.text(),
              HasSubstr("Executing step ID: c. Timeout(sec): 600, Working directory: '/workspace', "
                        "Network: 'host'\n"));
  EXPECT_THAT(log.text(), HasSubstr("Pushing image: 127.0.0.1:5000/hello:1, attempt 1\n"));
  EXPECT_THAT(log.text(),
              HasSubstr("<finished c>\nStep ID: c marked as successful (elapsed time in seconds: "));
  EXPECT_TRUE(record.startTime && record.finishTime);
  EXPECT_FALSE(fs::exists(runDir()));  // workspace, auth file and registries.conf are gone
}

TEST_F(TaskRunTest, BuildahSeesTheRunsRegistriesConfAndCredentialsOnlyThroughTheAuthFile) {
  // "user:pw-s3cret" in base64.
  root.write("config.json", R"({"auths": {"127.0.0.1:5000": {"auth": "dXNlcjpwdy1zM2NyZXQ="},
                                          "other.example.com": {"auth": "dXNlcjpwdy1zM2NyZXQ="}}})");
  request.dockerConfig = root.path() / "config.json";
  request.mirrors = {{"mcr.microsoft.com", "127.0.0.1:5000/mcr"}};
  request.task.steps = {buildStep("b", "-t 127.0.0.1:5000/hello:1 ."),
                        pushStep("p", {"127.0.0.1:5000/hello:1"}),
                        cmdStep("c", "mcr.microsoft.com/hello-world")};
  std::vector<std::string> problems;
  launcher.script = [&](const ProcessSpec& spec) {
    const fs::path conf = spec.env.at("CONTAINERS_REGISTRIES_CONF");
    const std::string text = test::read_file(conf);
    if (text.find("prefix = \"mcr.microsoft.com\"\nlocation = \"127.0.0.1:5000/mcr\"\ninsecure = true") ==
        std::string::npos) {
      problems.push_back("registries.conf lacks the mirror: " + text);
    }
    for (const auto& word : spec.argv) {
      if (word.find("s3cret") != std::string::npos || word.find("dXNlcjpw") != std::string::npos) {
        problems.push_back("a credential on argv: " + word);
      }
    }
    if (const std::string auth = argAfter(spec, "--authfile"); !auth.empty()) {
      struct stat info {};
      if (::stat(auth.c_str(), &info) != 0 || (info.st_mode & 0777) != 0600)
        problems.push_back("auth file not 0600");
      const std::string content = test::read_file(auth);
      if (content.find("127.0.0.1:5000") == std::string::npos ||
          content.find("other.example.com") == std::string::npos) {
        problems.push_back("auth file lacks a registry: " + content);
      }
    }
    return Reply{};
  };
  const auto record = run();
  EXPECT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_THAT(problems, IsEmpty());
  for (const auto* verb : {"build", "push", "from"}) {
    const auto specs = launcher.specs();
    const auto it =
        std::find_if(specs.begin(), specs.end(), [&](const auto& s) { return verbOf(s) == verb; });
    ASSERT_NE(it, specs.end());
    EXPECT_EQ(argAfter(*it, "--authfile"), (runDir() / "auth.json").string()) << verb;
  }
}

TEST_F(TaskRunTest, StepsWorkOnAPrivateCopyOfTheContext) {
  test::TempDir context;
  context.write("hello.txt", "from the user\n");
  request.contextDir = context.path();
  auto step = cmdStep("c", "img");
  step.workingDirectory = "sub/dir";
  request.task.steps = {step};
  bool sawContext = false;
  bool sawWorkingDirectory = false;
  launcher.script = [&](const ProcessSpec& spec) {
    if (verbOf(spec) == "run") {
      const std::string volume = argAfter(spec, "--volume");
      const fs::path host = volume.substr(0, volume.find(':'));
      sawContext = test::read_file(host / "hello.txt") == "from the user\n";
      sawWorkingDirectory =
          fs::is_directory(host / "sub/dir") && argAfter(spec, "--workingdir") == "/workspace/sub/dir";
      std::ofstream(host / "hello.txt") << "changed by a step";
      std::ofstream(host / "new.txt") << "made by a step";
    }
    return Reply{};
  };
  EXPECT_EQ(run().status, RunStatus::Succeeded);
  EXPECT_TRUE(sawContext);
  EXPECT_TRUE(sawWorkingDirectory);
  EXPECT_EQ(test::read_file(context.path() / "hello.txt"), "from the user\n");
  EXPECT_FALSE(fs::exists(context.path() / "new.txt"));
}

TEST_F(TaskRunTest, RetriesAreExtraAttemptsAndAFailureStopsTheRun) {
  auto failing = cmdStep("c", "img");
  failing.retries = 2;
  request.task.steps = {failing, cmdStep("after", "img")};
  launcher.script = [](const ProcessSpec& spec) { return verbOf(spec) == "run" ? exits(3) : Reply{}; };
  const auto record = run();

  EXPECT_EQ(launcher.count("run"), 3u);
  EXPECT_EQ(launcher.count("from"), 3u);
  EXPECT_EQ(launcher.count("rm"), 3u);  // each attempt's container is removed
  EXPECT_EQ(record.status, RunStatus::Failed);
  EXPECT_EQ(record.steps[0].status, StepStatus::Failed);
  EXPECT_EQ(record.steps[0].exitCode, 3);
  EXPECT_EQ(record.steps[0].error, "failed to run step ID: c: exit status 3");
  EXPECT_EQ(record.error, record.steps[0].error);
  EXPECT_EQ(record.steps[1].status, StepStatus::Skipped);
  EXPECT_FALSE(record.steps[1].startTime);
  EXPECT_THAT(log.text(), HasSubstr("Step ID: c marked as failed"));
}

TEST_F(TaskRunTest, RetriesStopAtTheFirstSuccess) {
  auto step = buildStep("b", "-t x .");
  step.retries = 5;
  int builds = 0;
  launcher.script = [&](const ProcessSpec&) { return exits(++builds < 3 ? 1 : 0); };
  request.task.steps = {step};
  const auto record = run();
  EXPECT_EQ(builds, 3);
  EXPECT_EQ(record.status, RunStatus::Succeeded);
  EXPECT_EQ(record.steps[0].exitCode, 0);
}

TEST_F(TaskRunTest, RetryOnErrorsRetriesOnlyWhenTheOutputMatches) {
  auto step = cmdStep("c", "img");
  step.retries = 3;
  step.retryOnErrors = {"connection reset"};
  request.task.steps = {step};
  launcher.script = [](const ProcessSpec& spec) {
    return verbOf(spec) == "run" ? exits(1, "fatal: bad input\n") : Reply{};
  };
  EXPECT_EQ(run().status, RunStatus::Failed);
  EXPECT_EQ(launcher.count("run"), 1u);

  request.runId = "r2";
  launcher.script = [](const ProcessSpec& spec) {
    return verbOf(spec) == "run" ? exits(1, "read: connection reset by peer\n") : Reply{};
  };
  EXPECT_EQ(run().status, RunStatus::Failed);
  EXPECT_EQ(launcher.count("run"), 1u + 4u);
}

TEST_F(TaskRunTest, RepeatRunsEveryRepetitionAndAnyFailureFailsTheStep) {
  auto step = cmdStep("c", "img");
  step.repeat = 2;
  request.task.steps = {step};
  int runs = 0;
  launcher.script = [&](const ProcessSpec& spec) {
    if (verbOf(spec) != "run") return Reply{};
    return exits(++runs == 1 ? 7 : 0);
  };
  const auto record = run();
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(record.steps[0].status, StepStatus::Failed);
  EXPECT_EQ(record.steps[0].exitCode, 7);
  EXPECT_THAT(record.steps[0].error, HasSubstr("exit status 7"));

  request.runId = "r2";
  runs = 1;  // every later run succeeds
  EXPECT_EQ(run().status, RunStatus::Succeeded);
  EXPECT_EQ(runs, 4);
}

TEST_F(TaskRunTest, IgnoreErrorsMarksTheStepSuccessfulAndTheRunGoesOn) {
  auto failing = cmdStep("c", "img");
  failing.ignoreErrors = true;
  request.task.steps = {failing, cmdStep("after", "img")};
  int runs = 0;
  launcher.script = [&](const ProcessSpec& spec) {
    if (verbOf(spec) != "run") return Reply{};
    return exits(++runs == 1 ? 1 : 0);
  };
  const auto record = run();
  EXPECT_EQ(record.status, RunStatus::Succeeded);
  EXPECT_EQ(record.steps[0].status, StepStatus::Successful);
  EXPECT_EQ(record.steps[0].exitCode, 1);
  EXPECT_THAT(record.steps[0].error, HasSubstr("exit status 1"));
  EXPECT_EQ(record.steps[1].status, StepStatus::Successful);
  EXPECT_EQ(runs, 2);
}

TEST_F(TaskRunTest, AStepTimeoutKillsTheStepAndTheContainerIsRemoved) {
  auto slow = cmdStep("slow", "img sleep 60");
  slow.timeout = 1;
  slow.retries = 3;  // a timeout is not retried
  request.task.steps = {slow, cmdStep("after", "img")};
  launcher.script = [](const ProcessSpec& spec) { return Reply{0, "", verbOf(spec) == "run"}; };
  const auto started = Clock::now();
  const auto record = run();
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(10));
  EXPECT_EQ(record.status, RunStatus::Failed);
  EXPECT_EQ(record.steps[0].error, "step slow exceeded its timeout of 1 s");
  EXPECT_EQ(record.steps[1].status, StepStatus::Skipped);
  EXPECT_THAT(launcher.verbs(), ElementsAre("from", "inspect", "run", "rm"));
  EXPECT_EQ(stepOf(launcher.specs().back().argv.back()), "slow");
}

TEST_F(TaskRunTest, TheRunTimeoutCapsEveryStep) {
  request.timeoutSeconds = 1;
  request.task.steps = {cmdStep("slow", "img"), cmdStep("after", "img")};
  launcher.script = [](const ProcessSpec& spec) { return Reply{0, "", verbOf(spec) == "run"}; };
  const auto record = run();
  EXPECT_EQ(record.status, RunStatus::Timeout);
  EXPECT_EQ(record.error, "run exceeded its timeout of 1 s");
  EXPECT_EQ(record.steps[0].status, StepStatus::Failed);
  EXPECT_THAT(record.steps[0].error, HasSubstr("the run exceeded its timeout of 1 s"));
  EXPECT_EQ(record.steps[1].status, StepStatus::Skipped);
  EXPECT_EQ(launcher.count("rm"), 1u);
}

TEST_F(TaskRunTest, CancelStopsTheRunningStepAndCleansUp) {
  std::stop_source cancel;
  auto kept = cmdStep("kept", "img");
  kept.keep = true;
  request.task.steps = {kept, cmdStep("slow", "img"), cmdStep("never", "img")};
  launcher.script = [&](const ProcessSpec& spec) {
    if (verbOf(spec) == "run" && stepOf(spec.argv[spec.argv.size() - 3]) == "slow") {
      cancel.request_stop();  // the user cancels while this step runs
      return Reply{0, "", true};
    }
    return Reply{};
  };
  const auto record = run(cancel.get_token());
  EXPECT_EQ(record.status, RunStatus::Canceled);
  EXPECT_EQ(record.steps[0].status, StepStatus::Successful);
  EXPECT_EQ(record.steps[1].status, StepStatus::Canceled);
  EXPECT_EQ(record.steps[2].status, StepStatus::Skipped);
  // The kept container and the canceled one are both removed at the end.
  std::vector<std::string> removed;
  for (const auto& spec : launcher.specs()) {
    if (verbOf(spec) == "rm") removed.push_back(stepOf(spec.argv.back()));
  }
  EXPECT_THAT(removed, ::testing::UnorderedElementsAre("kept", "slow"));
}

TEST_F(TaskRunTest, StartDelayWaitsAndCanBeCanceled) {
  std::stop_source cancel;
  auto delayed = cmdStep("d", "img");
  delayed.startDelay = 600;
  request.task.steps = {delayed};
  log.onInfo = [&](std::string_view line) {
    if (line.starts_with("Waiting 600 seconds before executing step ID: d")) cancel.request_stop();
  };
  const auto started = Clock::now();
  const auto record = run(cancel.get_token());
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(10));
  EXPECT_EQ(record.status, RunStatus::Canceled);
  EXPECT_EQ(record.steps[0].status, StepStatus::Canceled);
  EXPECT_THAT(launcher.verbs(), IsEmpty());
}

TEST_F(TaskRunTest, PushRetriesEachImageThreeTimesWithBackoff) {
  request.task.steps = {pushStep("p", {"127.0.0.1:5000/a:1", "127.0.0.1:5000/b:2"})};
  int pushes = 0;
  launcher.script = [&](const ProcessSpec&) { return exits(++pushes <= 2 ? 1 : 0); };
  const auto started = Clock::now();
  const auto record = run();
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(250 + 500));
  EXPECT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_EQ(pushes, 4);  // a: attempts 1-3; b: attempt 1
  EXPECT_THAT(log.text(), AllOf(HasSubstr("Pushing image: 127.0.0.1:5000/a:1, attempt 3\n"),
                                Not(HasSubstr("Pushing image: 127.0.0.1:5000/b:2, attempt 2"))));
  ASSERT_EQ(record.outputImages.size(), 2u);
  EXPECT_EQ(record.outputImages[1].repository, "b");
  EXPECT_EQ(record.outputImages[1].tag, "2");
}

TEST_F(TaskRunTest, APushThatFailsThreeTimesFailsTheStep) {
  auto push = pushStep("p", {"127.0.0.1:5000/a:1"});
  push.retries = 5;  // retries do not apply to push steps
  request.task.steps = {push};
  launcher.script = [](const ProcessSpec&) { return exits(125); };
  const auto record = run();
  EXPECT_EQ(launcher.count("push"), 3u);
  EXPECT_EQ(record.status, RunStatus::Failed);
  EXPECT_EQ(record.steps[0].error,
            "failed to push image 127.0.0.1:5000/a:1 after 3 attempts: exit status 125");
  EXPECT_THAT(record.outputImages, IsEmpty());
}

TEST_F(TaskRunTest, DetachedStepsRunUntilTheRunEnds) {
  auto server = cmdStep("web", "nginx");
  server.detach = true;
  request.task.steps = {server, cmdStep("client", "curl http://web")};
  std::vector<std::string> fromArgs;
  launcher.script = [&](const ProcessSpec& spec) {
    if (verbOf(spec) == "from" && stepOf(argAfter(spec, "--name")) == "client") fromArgs = spec.argv;
    const bool isServer = verbOf(spec) == "run" && stepOf(spec.argv[spec.argv.size() - 3]) == "web";
    return Reply{0, isServer ? "server started\n" : "", isServer};
  };
  const auto record = run();
  EXPECT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_EQ(record.steps[0].status, StepStatus::Successful);
  EXPECT_EQ(record.steps[1].status, StepStatus::Successful);
  EXPECT_THAT(fromArgs, Contains("web:127.0.0.1"));
  EXPECT_EQ(log.outputOf("web"), "server started\n");
  // Killed (its wait() returned) before its container was removed, after the client's.
  EXPECT_THAT(launcher.verbs(), ElementsAre("from", "inspect", "run", "from", "inspect", "run", "rm", "rm"));
  EXPECT_EQ(stepOf(launcher.specs().back().argv.back()), "web");
  EXPECT_THAT(log.text(), HasSubstr("<finished web>"));
}

TEST_F(TaskRunTest, AnUnparsableCmdFailsWithoutStartingAnything) {
  request.task.steps = {cmdStep("c", "--bogus img")};
  const auto record = run();
  EXPECT_EQ(record.status, RunStatus::Failed);
  EXPECT_THAT(record.steps[0].error, HasSubstr("failed to run step ID: c: cmd: unknown flag: --bogus"));
  EXPECT_THAT(launcher.verbs(), IsEmpty());
}

TEST_F(TaskRunTest, AContainerThatCannotBeCreatedFailsTheStep) {
  request.task.steps = {cmdStep("c", "missing-image")};
  launcher.script = [](const ProcessSpec& spec) {
    return verbOf(spec) == "from" ? exits(125, "Error: missing-image: image not known\n") : Reply{};
  };
  const auto record = run();
  EXPECT_EQ(record.steps[0].error,
            "failed to run step ID: c: cannot create a container from missing-image: exit status 125");
  EXPECT_EQ(record.steps[0].exitCode, 125);
  EXPECT_THAT(log.outputOf("c"), HasSubstr("image not known"));
  EXPECT_THAT(launcher.verbs(), ElementsAre("from"));
}

TEST_F(TaskRunTest, SecretsAreMaskedInRecordedErrors) {
  request.secretValues = {"hunter2"};
  request.task.steps = {cmdStep("c", "127.0.0.1:5000/hunter2")};
  launcher.script = [](const ProcessSpec& spec) { return verbOf(spec) == "from" ? exits(125) : Reply{}; };
  const auto record = run();
  EXPECT_EQ(record.status, RunStatus::Failed);
  EXPECT_EQ(record.steps[0].error,
            "failed to run step ID: c: cannot create a container from 127.0.0.1:5000/***: exit status 125");
  EXPECT_EQ(record.error, record.steps[0].error);
}

TEST_F(TaskRunTest, SetupProblemsEndTheRunWithError) {
  request.engine.kind = "rkt";
  request.task.steps = {cmdStep("c", "img")};
  auto record = run();
  EXPECT_EQ(record.status, RunStatus::Error);
  EXPECT_THAT(record.error, HasSubstr("engine 'rkt' is unknown"));
  EXPECT_EQ(record.steps[0].status, StepStatus::Skipped);

  request.engine.kind = "buildah";
  fs::create_directories(runDir());  // another run has this id
  record = run();
  EXPECT_EQ(record.status, RunStatus::Error);
  EXPECT_THAT(record.error, HasSubstr("cannot prepare the run: run directory"));
  EXPECT_TRUE(fs::exists(runDir()));  // not ours: left alone
  EXPECT_THAT(launcher.verbs(), IsEmpty());
}

}  // namespace
}  // namespace hangar::runner
