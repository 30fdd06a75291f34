// Conformance: `hangar validate` accepts every sample of the corpus's azure-samples/ as it is, given the
// --set values the sample's templates name (as a user would pass them).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "tests/conformance/conformance_corpus.hpp"
#include "tests/support/command.hpp"

namespace hangar::test {
namespace {

/// Every task file in azure-samples/, with the --set values its templates use.
const std::map<std::string, std::vector<std::string>>& samples_and_values() {
  static const std::map<std::string, std::vector<std::string>> samples = {
      {"bash-echo-3.yaml", {}},
      {"bash-echo.yaml", {}},
      {"build-aspnetapp/WeatherService/acb.yaml", {}},
      {"build-hello-world.yaml", {}},
      {"build-push-hello-world-multi.yaml", {}},
      {"build-push-hello-world.yaml", {}},
      {"build-run-hello-world.yaml", {}},
      {"build-test-hello-world.yaml", {}},
      {"build-test-update-hello-world.yaml", {}},
      {"buildx.yml", {}},
      {"files-working-directory.yaml", {}},
      {"hello-world.yaml", {}},
      {"managed-identities.yaml", {"--set", "registryName=myregistry"}},
      {"mounts-multistep.yaml", {"--set", "secret1=one", "--set", "secret2=two"}},
      {"mounts-secrets.yaml", {"--set", "mysecret=abcdefg123456"}},
      {"multipleRegistries/testtask.yaml",
       {"--set", "REGISTRY1=one.azurecr.io", "--set", "REGISTRY2=two.azurecr.io"}},
      {"network-curl.yaml", {}},
      {"simpletask.yaml", {}},
      {"when-parallel-dependent.yaml", {}},
      {"when-parallel.yaml", {}},
      {"when-sequential-default.yaml", {}},
      {"when-sequential-id.yaml", {}},
  };
  return samples;
}

class ValidateSample : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const auto corpus = find_conformance_corpus();
    if (!corpus && running_in_ci()) FAIL() << "conformance corpus not found (set HANGAR_CONFORMANCE_DIR)";
    if (!corpus) GTEST_SKIP() << "conformance corpus not found (set HANGAR_CONFORMANCE_DIR)";
    samples_ = *corpus / "azure-samples";
  }
  std::filesystem::path samples_;
};

TEST_P(ValidateSample, ExitsZero) {
  const auto file = samples_ / GetParam();
  // The file comes first: CLI11 lets a repeatable --set take the positional arguments after it.
  std::vector<std::string> args = {"validate",   file.string(),
                                   "--registry", "myregistry.azurecr.io",
                                   "--context",  file.parent_path().string()};
  const auto& values = samples_and_values().at(GetParam());
  args.insert(args.end(), values.begin(), values.end());

  const auto result = run_hangar(args);

  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.err, ::testing::Not(::testing::HasSubstr("error"))) << result.describe();
}

std::vector<std::string> sample_names() {
  std::vector<std::string> names;
  for (const auto& [name, values] : samples_and_values()) names.push_back(name);
  return names;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(AzureSamples, ValidateSample, ::testing::ValuesIn(sample_names()), test_name);

TEST_F(ValidateSample, ListCoversEveryTaskFileOfTheCorpus) {
  std::set<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(samples_)) {
    const auto extension = entry.path().extension();
    if (entry.is_regular_file() && (extension == ".yaml" || extension == ".yml"))
      found.insert(std::filesystem::relative(entry.path(), samples_).string());
  }
  std::set<std::string> listed;
  for (const auto& [name, values] : samples_and_values()) listed.insert(name);
  EXPECT_EQ(found, listed);
}

}  // namespace
}  // namespace hangar::test
