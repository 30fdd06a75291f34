#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/agent_config.hpp"
#include "config/agent_config_test_helper.hpp"

namespace hangar::config {
namespace {

using testing::AgentParse;
using ::testing::ElementsAre;
using testing::failsAt;
using ::testing::HasSubstr;
using ::testing::Pair;
using testing::parseAgent;
using testing::validAgent;

TEST(AgentConfigTasks, TheThreeKindsAndTheirDefaults) {
  const AgentConfig config = validAgent(R"(tasks:
  - name: web
    file: acb.yaml
    context: /srv/web
  - name: quick
    dockerfile: Dockerfile
    imageNames: ['web:{{.Run.ID}}', 'web:latest']
    noPush: true
    context: /srv/web
  - name: purge
    cmd: acr purge --filter 'web:.*' --ago 30d --untagged
)");
  ASSERT_EQ(config.tasks.size(), 3u);
  const TaskDefinition& web = config.tasks[0];
  EXPECT_EQ(web.kind, TaskKind::File);
  EXPECT_EQ(web.timeout, 3600);
  EXPECT_TRUE(web.enabled);
  EXPECT_TRUE(web.timers.empty());
  EXPECT_EQ(web.catchup, Catchup::Latest);
  EXPECT_EQ(web.concurrency, Concurrency::Forbid);
  EXPECT_EQ(web.baseImageTrigger, BaseImageTrigger::Runtime);
  EXPECT_FALSE(web.sourceTrigger);
  EXPECT_TRUE(web.queue.empty());
  const TaskDefinition& quick = config.tasks[1];
  EXPECT_EQ(quick.kind, TaskKind::Dockerfile);
  EXPECT_EQ(quick.dockerfile, "Dockerfile");
  EXPECT_THAT(quick.imageNames, ElementsAre("web:{{.Run.ID}}", "web:latest"));
  EXPECT_TRUE(quick.noPush);
  const TaskDefinition& purge = config.tasks[2];
  EXPECT_EQ(purge.kind, TaskKind::Cmd);
  EXPECT_EQ(purge.cmd, "acr purge --filter 'web:.*' --ago 30d --untagged");
  EXPECT_EQ(purge.context, "/dev/null");
}

TEST(AgentConfigTasks, TimersCatchupConcurrencyAndTriggers) {
  const AgentConfig config = validAgent(R"(tasks:
  - name: nightly
    cmd: busybox true
    timers:
      - {name: nightly, schedule: "0 2 * * *"}
      - schedule: "@hourly"
      - {schedule: "*/5 * * * Mon-Fri"}
    catchup: none
    concurrency: replace
    baseImageTrigger: off
    timeout: 28800
    enabled: false
    values: {env: prod, replicas: 3, debug: false}
)");
  const TaskDefinition& task = config.tasks.at(0);
  ASSERT_EQ(task.timers.size(), 3u);
  EXPECT_EQ(task.timers[0].name, "nightly");
  EXPECT_EQ(task.timers[1].name, "t2");  // ACR names unnamed timers t1, t2, ...
  EXPECT_EQ(task.timers[1].schedule.str(), "@hourly");
  EXPECT_EQ(task.timers[2].name, "t3");
  EXPECT_EQ(task.timers[2].position.line, 7);
  EXPECT_EQ(task.catchup, Catchup::None);
  EXPECT_EQ(task.concurrency, Concurrency::Replace);
  EXPECT_EQ(task.baseImageTrigger, BaseImageTrigger::Off);
  EXPECT_EQ(task.timeout, 28800);
  EXPECT_FALSE(task.enabled);
  EXPECT_THAT(task.values, ElementsAre(Pair("debug", "false"), Pair("env", "prod"), Pair("replicas", "3")));
}

TEST(AgentConfigTasks, SourceTriggerNeedsAGitContext) {
  const AgentConfig config = validAgent(
      "tasks:\n  - {name: a, file: t.yaml, context: 'https://github.com/o/r.git#main', sourceTrigger: {}}\n"
      "  - {name: b, file: t.yaml, context: 'git@github.com:o/r.git', sourceTrigger: {pullRequest: true, "
      "interval: "
      "30}}\n");
  ASSERT_TRUE(config.tasks[0].sourceTrigger);
  EXPECT_TRUE(config.tasks[0].sourceTrigger->commit);
  EXPECT_EQ(config.tasks[0].sourceTrigger->interval, 60);
  EXPECT_TRUE(config.tasks[1].sourceTrigger->pullRequest);
  EXPECT_EQ(config.tasks[1].sourceTrigger->interval, 30);
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - name: a\n    cmd: x\n    sourceTrigger: {commit: true}\n"), 4,
                      5, "'sourceTrigger' needs a git URL context, got '/dev/null'"));
  EXPECT_TRUE(
      failsAt(parseAgent("tasks:\n  - {name: a, file: t, context: 'https://h/r', sourceTrigger: {interval: "
                         "1}}\n"),
              2, 74, "'interval' must be from 10"));
}

TEST(AgentConfigTasks, NamesAreCheckedAndUnique) {
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - {name: Web_1, cmd: x}\n"), 2, 12,
                      "task name 'Web_1' must match [a-z0-9-]+"));
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - {name: web, cmd: x}\n  - {name: web, cmd: y}\n"), 3, 12,
                      "task name 'web' is used twice (first at line 2)"));
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - {cmd: x}\n"), 2, 5, "tasks[0] needs 'name'"));
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - name: a\n    cmd: x\n    nmae: b\n"), 4, 5,
                      "unknown key 'nmae' in tasks[0]"));
}

TEST(AgentConfigTasks, ExactlyOneOfFileDockerfileOrCmd) {
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - {name: a, context: /x}\n"), 2, 5,
                      "task 'a' needs one of 'file' (a task file), 'dockerfile' (a quick build) or 'cmd'"));
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - name: a\n    file: t.yaml\n    cmd: x\n    context: /x\n"), 4,
                      5, "'cmd' cannot be combined with 'file'"));
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - name: a\n    file: t.yaml\n"), 2, 5,
                      "task 'a' needs 'context' (a directory, a git URL, or /dev/null)"));
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - name: a\n    cmd: x\n    imageNames: [a]\n"), 4, 5,
                      "'imageNames' applies only to a 'dockerfile' task"));
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - name: a\n    cmd: x\n    noPush: true\n"), 4, 5,
                      "'noPush' applies only to a 'dockerfile' task"));
}

TEST(AgentConfigTasks, FieldValuesAreChecked) {
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - {name: a, cmd: x, timeout: 299}\n"), 2, 32,
                      "'timeout' must be from 300 to 28800, got 299"));
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - {name: a, cmd: x, timeout: 28801}\n"), 2, 32, "got 28801"));
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - {name: a, cmd: x, catchup: all}\n"), 2, 32,
                      "'catchup' must be latest or none, got 'all'"));
  EXPECT_TRUE(
      failsAt(parseAgent("tasks:\n  - {name: a, cmd: x, concurrency: forbidden}\n"), 2, 36,
              "'concurrency' must be forbid, allow or replace, got 'forbidden' (did you mean 'forbid'?)"));
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - {name: a, cmd: x, baseImageTrigger: none}\n"), 2, 41,
                      "'baseImageTrigger' must be runtime, all or off"));
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - {name: a, cmd: x, values: {a: {b: c}}}\n"), 2, 35,
                      "values.a must be a single value"));
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - {name: a, cmd: x, queue: Linux}\n"), 2, 30,
                      "'queue' must match [a-z0-9-]+"));
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - {name: a, cmd: x, enabled: 1}\n"), 2, 32,
                      "'enabled' must be true or false"));
  EXPECT_TRUE(failsAt(parseAgent("tasks: {name: a}\n"), 1, 8, "'tasks' must be a list"));
}

TEST(AgentConfigTasks, TimerErrors) {
  const AgentParse badCron = parseAgent(
      "tasks:\n  - name: a\n    cmd: x\n    timers:\n      - {name: n, schedule: "
      "\"0 25 * * *\"}\n");
  EXPECT_TRUE(failsAt(badCron, 5, 29,
                      "cron expression '0 25 * * *': hour field '25': value 25 is out of range 0-23"));
  EXPECT_TRUE(
      failsAt(parseAgent("tasks:\n  - name: a\n    cmd: x\n    timers:\n      - {name: n, schedule: \"0 0 * "
                         "* * *\"}\n"),
              5, 29, "must have 5 fields"));
  EXPECT_TRUE(failsAt(
      parseAgent("tasks:\n  - name: a\n    cmd: x\n    timers:\n      - {name: n, schedule: '@daily'}\n"
                 "      - {name: n, schedule: '@hourly'}\n"),
      6, 16, "timer name 'n' is used twice in task 'a' (first at line 5)"));
  EXPECT_TRUE(failsAt(
      parseAgent("tasks:\n  - name: a\n    cmd: x\n    timers:\n      - {name: m, schedule: '@daily'}\n"
                 "      - {name: n, schedule: '@daily'}\n"),
      6, 9, "timer 'n' repeats the schedule of timer 'm'"));
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - name: a\n    cmd: x\n    timers:\n      - {name: m}\n"), 5, 9,
                      "tasks[0].timers[0] needs 'schedule'"));
  EXPECT_TRUE(failsAt(
      parseAgent("tasks:\n  - name: a\n    cmd: x\n    timers:\n      - {name: m, shedule: '@daily'}\n"), 5,
      19, "unknown key 'shedule' in tasks[0].timers[0] (did you mean 'schedule'?)"));
  EXPECT_TRUE(failsAt(parseAgent("tasks:\n  - name: a\n    cmd: x\n    timers:\n      - '@daily'\n"), 5, 9,
                      "must be a map {name: N, schedule: \"CRON\"}"));
  EXPECT_TRUE(
      failsAt(parseAgent("tasks:\n  - name: a\n    cmd: x\n    timers:\n      - {name: 'my timer', schedule: "
                         "'@daily'}\n"),
              5, 16, "timer name 'my timer' must match [A-Za-z0-9_-]+"));
}

}  // namespace
}  // namespace hangar::config
