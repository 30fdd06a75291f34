// Hostile task and values files: each is refused with a clear FILE:LINE:COL error, in a forked child
// with a 1 GiB address-space cap and a 30 s deadline (so a stack overflow, a memory blow-up or an endless
// loop fails the test instead of hanging it).

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "config/cron_expression.hpp"
#include "config/task_loader.hpp"
#include "config/values.hpp"
#include "tests/hostile/bounded_call.hpp"
#include "tests/support/command.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar {
namespace {
namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(HANGAR_HOSTILE_CORPUS);

std::string loadOutcome(const std::string& name, const std::string& text) {
  config::LoadOptions options;
  options.fileName = name;
  options.text = text;
  try {
    config::LoadedTask loaded = config::loadTask(options);
    return "LOADED " + std::to_string(loaded.task.steps.size()) + " steps";
  } catch (const config::TaskError& error) {
    return error.diagnostics().str();
  }
}

/// Loads `text` in a bounded child and expects an error that starts with `where` and contains `what`.
void expectRefused(const std::string& name, const std::string& text, const std::string& where,
                   const std::string& what) {
  const test::BoundedResult result = test::runBounded([&] { return loadOutcome(name, text); });
  ASSERT_TRUE(result.finished) << name << ": " << result.describe();
  EXPECT_LT(result.elapsed, std::chrono::seconds(30)) << name;
  EXPECT_TRUE(result.text.starts_with(where)) << name << ": " << result.text;
  EXPECT_NE(result.text.find(": error: "), std::string::npos) << name << ": " << result.text;
  EXPECT_NE(result.text.find(what), std::string::npos) << name << ": " << result.text;
}

void expectCorpusRefused(const std::string& file, const std::string& position, const std::string& what) {
  expectRefused(file, test::read_file(kCorpus / "task" / file), file + position, what);
}

TEST(HostileTaskFile, MalformedYamlNamesThePlace) {
  expectCorpusRefused("malformed_flow.yaml", ":4:1", "invalid YAML: end of sequence flow not found");
  expectCorpusRefused("malformed_indent.yaml", ":4:8", "invalid YAML: illegal map value");
}

TEST(HostileTaskFile, AliasBombsAreBounded) {
  expectCorpusRefused("billion_laughs.yaml", ":2:8", "the YAML expands to more than 200000 values");
  expectCorpusRefused("bomb_in_push.yaml", ":4:80", "the YAML expands to more than 200000 values");
}

TEST(HostileTaskFile, SelfReferringAliasesAreRefused) {
  expectCorpusRefused("recursive_map.yaml", ":2:6", "an alias refers to the value that contains it");
  expectCorpusRefused("when_self_alias.yaml", ":5:15", "an alias refers to the value that contains it");
}

TEST(HostileTaskFile, WhenCycleThroughAliasesIsRefused) {
  expectCorpusRefused("when_cycle.yaml", ":5:12", "'when' names step 'b', which is defined later");
}

TEST(HostileTaskFile, InvalidUtf8AndNulBytesAreRefused) {
  expectCorpusRefused("invalid_utf8.yaml", ":3:20", "the task file is not valid UTF-8");
  expectCorpusRefused("nul_in_value.yaml", ":3:21", "the task file contains a NUL byte");
  expectCorpusRefused("nul_at_line_start.yaml", ":2:1", "the task file contains a NUL byte");
}

TEST(HostileTaskFile, TemplateRecursionIsRefused) {
  expectCorpusRefused("template_define_loop.yaml", ":2:3", "{{define}} is not supported in task files");
  expectCorpusRefused("template_block_loop.yaml", ":2:3", "{{block}} is not supported in task files");
}

TEST(HostileTaskFile, TemplateOutputAndWorkAreBounded) {
  expectCorpusRefused("template_huge_range.yaml", ":3:17", "would make a list longer than 1000000 items");
  expectCorpusRefused("template_repeat.yaml", ":3:23", "repeat would make a string larger than 16 MiB");
  expectCorpusRefused("template_nested_repeat.yaml", ":3:42",
                      "repeat would make a string larger than 16 MiB");
  // A range over a plain integer needs no function: output and executed actions are bounded.
  expectRefused("range_output.yaml",
                "version: v1.1.0\nsteps:\n{{ range 100000 }}\n  - cmd: bash echo " + std::string(200, 'x') +
                    "\n{{ end }}",
                "range_output.yaml:3:1", "the rendered text would be larger than 16 MiB");
  expectRefused("range_work.yaml", "version: v1.1.0\n{{ range 100000 }}{{ range 100000 }}{{ end }}{{ end }}",
                "range_work.yaml:2", "the template executes more than 1000000 actions");
  // Go's fmt refuses widths over 1e6 (%!(BADWIDTH)), so printf cannot be asked for 2 GB of padding.
  const test::BoundedResult printf = test::runBounded([] {
    return loadOutcome(
        "printf_width.yaml",
        "version: v1.1.0\nsteps:\n  - cmd: bash echo {{ printf \"%*d|%99999999999d\" 2000000000 1 }}\n");
  });
  ASSERT_TRUE(printf.finished) << printf.describe();
  EXPECT_EQ(printf.text, "LOADED 1 steps");
}

TEST(HostileTaskFile, DeepNestingFailsCleanly) {
  expectRefused("deep_flow.yaml", "version: v1.1.0\nsteps: " + std::string(20000, '['), "deep_flow.yaml:2",
                "invalid YAML: nested more than");
  std::string block = "version: v1.1.0\nenv:\n";
  for (int i = 0; i < 1500; ++i) block += std::string(i + 1, ' ') + "-\n";
  expectRefused("deep_block.yaml", block, "deep_block.yaml:", "nested more than");
  std::string ifs = "version: v1.1.0\n";
  for (int i = 0; i < 20000; ++i) ifs += "{{if true}}";
  expectRefused("deep_if.yaml", ifs, "deep_if.yaml:2", "nested more than 1000 deep");
  std::string elseIfs = "version: v1.1.0\n{{if false}}";
  for (int i = 0; i < 20000; ++i) elseIfs += "{{else if false}}";
  expectRefused("else_if.yaml", elseIfs + "{{end}}", "else_if.yaml:2", "nested more than 1000 deep");
  expectRefused("deep_paren.yaml",
                "version: v1.1.0\nsteps:\n  - cmd: {{" + std::string(20000, '(') + "1" +
                    std::string(20000, ')') + "}}\n",
                "deep_paren.yaml:3", "parentheses nested more than 1000 deep");
}

TEST(HostileTaskFile, HugeTaskTextIsRefusedBySize) {
  expectRefused("huge.yaml",
                "version: v1.1.0\nsteps:\n  - cmd: bash echo " + std::string(5u << 20, 'x') + "\n",
                "huge.yaml", "the task file is 5242923 bytes; the limit is 4 MiB");
}

test::CommandOptions slow() {
  test::CommandOptions options;
  options.timeout = std::chrono::seconds(60);
  return options;
}

TEST(HostileTaskFile, HugeFilesAreNotReadIntoMemory) {
  // An 8 GiB sparse task file, a values file that is /dev/zero and a secret read from /dev/zero: hangar
  // validate / render refuses each after reading at most a few MiB, quickly.
  test::TempDir dir("hangar-hostile");
  const fs::path huge = dir.path() / "huge.yaml";
  { std::ofstream(huge) << "version: v1.1.0\n"; }
  fs::resize_file(huge, std::uintmax_t(8) << 30);
  const fs::path canary = dir.write("canary", "untouched");
  const auto start = std::chrono::steady_clock::now();
  test::CommandResult validate = test::run_hangar({"validate", huge.string()}, slow());
  EXPECT_NE(validate.exit_code, 0) << validate.describe();
  EXPECT_NE((validate.out + validate.err).find("is larger than 16 MiB"), std::string::npos)
      << validate.describe();
  const fs::path task = dir.write("task.yaml", "version: v1.1.0\nsteps:\n  - cmd: bash echo hi\n");
  test::CommandResult values =
      test::run_hangar({"render", "-f", task.string(), "--values", "/dev/zero", "/dev/null"}, slow());
  EXPECT_NE(values.exit_code, 0) << values.describe();
  EXPECT_NE((values.out + values.err).find("values file '/dev/zero' is larger than 16 MiB"),
            std::string::npos)
      << values.describe();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_EQ(test::read_file(canary), "untouched");
}

TEST(HostileTaskFile, ANamedPipeNoOneWritesToDoesNotHang) {
  // A FIFO as the values file, the task file and a --secret @FILE: opening one would wait for a writer
  // forever; hangar reads each as empty instead and answers within the command's deadline.
  test::TempDir dir("hangar-hostile-fifo");
  const fs::path fifo = dir.path() / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const fs::path task = dir.write("task.yaml", "version: v1.1.0\nsteps:\n  - cmd: bash echo {{.Values.x}}\n");
  test::CommandOptions bounded;
  bounded.timeout = std::chrono::seconds(20);

  const auto values =
      test::run_hangar({"render", "-f", task.string(), "--values", fifo.string(), "/dev/null"}, bounded);
  EXPECT_FALSE(values.timed_out) << values.describe();
  EXPECT_EQ(values.exit_code, 0) << values.describe();  // an empty values file: x renders as <no value>
  const auto taskFile = test::run_hangar({"validate", fifo.string()}, bounded);
  EXPECT_FALSE(taskFile.timed_out) << taskFile.describe();
  EXPECT_NE(taskFile.exit_code, 0) << taskFile.describe();  // an empty task has no steps
  const auto secret = test::run_hangar(
      {"render", "-f", task.string(), "--secret", "s=@" + fifo.string(), "/dev/null"}, bounded);
  EXPECT_FALSE(secret.timed_out) << secret.describe();
}

TEST(HostileValuesFile, BombsAndSelfReferenceAreBounded) {
  const std::map<std::string, std::pair<std::string, std::string>> cases = {
      {"values_bomb.yaml", {":1:19", "the YAML expands to more than 200000 values"}},
      {"values_merge_bomb.yaml", {":2:4", "the YAML expands to more than 200000 values"}},
      {"values_recursive.yaml", {":1:8", "an alias refers to the value that contains it"}},
  };
  for (const auto& [name, expected] : cases) {
    const std::string file = name;  // clang 14 cannot capture a structured binding in a lambda
    const std::string text = test::read_file(kCorpus / "values" / file);
    const test::BoundedResult result = test::runBounded([&] {
      try {
        config::parseValuesYaml(text, file);
        return std::string("PARSED");
      } catch (const config::TaskError& error) {
        return error.diagnostics().str();
      }
    });
    ASSERT_TRUE(result.finished) << file << ": " << result.describe();
    EXPECT_TRUE(result.text.starts_with(file + expected.first + ": error: ")) << result.text;
    EXPECT_NE(result.text.find(expected.second), std::string::npos) << result.text;
  }
}

TEST(HostileCron, OutOfRangeAndMalformedSchedulesAreRefused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"60 * * * *", "minute"},
      {"* 24 * * *", "hour"},
      {"* * 0 * *", "day"},
      {"* * 32 * *", "day"},
      {"* * * 13 *", "month"},
      {"* * * * 8", "week"},
      {"*/0 * * * *", "minute"},
      {"5-1 * * * *", "minute"},
      {"* * * * * *", "5 fields"},
      {"99999999999999999999 * * * *", "minute"},
      {"-1 * * * *", "minute"},
      {"@every 1s", "@every"},
      {"", "empty"},
      {std::string("0\0 * * * *", 10), "cron expression"},
  };
  for (const auto& [text, field] : cases) {
    const auto start = std::chrono::steady_clock::now();
    try {
      config::CronExpression::parse(text);
      ADD_FAILURE() << "accepted cron '" << text << "'";
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find(field), std::string::npos) << text << ": " << error.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  }
  // A valid schedule that never fires answers "never" quickly instead of searching forever.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(config::CronExpression::parse("0 0 30 2 *").nextAfter(std::chrono::system_clock::now()));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

}  // namespace
}  // namespace hangar
