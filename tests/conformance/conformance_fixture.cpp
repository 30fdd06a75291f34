#include "tests/conformance/conformance_fixture.hpp"

#include "tests/conformance/conformance_corpus.hpp"
#include "tests/support/busybox_image.hpp"
#include "tests/support/stand_in_images.hpp"

namespace hangar::test {
namespace {

constexpr auto kRunTimeout = std::chrono::minutes(3);

/// Adds owner write permission to everything under `root`: the corpus is read-only, and the context copy
/// must be removable (and writable by steps, as a checkout is).
void make_owner_writable(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  fs::permissions(root, fs::perms::owner_all, fs::perm_options::add);
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const auto extra = entry.is_directory() ? fs::perms::owner_all : fs::perms::owner_write;
    fs::permissions(entry.path(), extra, fs::perm_options::add);
  }
}

}  // namespace

const nlohmann::json& SampleRun::step(const std::string& id) const {
  if (record.is_object() && record.contains("steps")) {
    for (const auto& step : record.at("steps"))
      if (step.value("id", "") == id) return step;
  }
  throw std::out_of_range("the run record has no step '" + id + "'");
}

std::string SampleRun::describe() const {
  return command.describe() + (record.is_null() ? "" : "\nrun record:\n" + record.dump(2));
}

void ConformanceTest::SetUp() {
  const auto corpus = find_conformance_corpus();
  if (!corpus) {
    if (running_in_ci())
      FAIL()
          << "conformance corpus not found (set HANGAR_CONFORMANCE_DIR or put it in ../shared/conformance)";
    GTEST_SKIP() << "conformance corpus not found (set HANGAR_CONFORMANCE_DIR)";
  }
  corpus_ = *corpus;
  registry_ = std::make_unique<LocalRegistry>();
  context_ = std::make_unique<TempDir>("hangar-conformance");
  state_ = std::make_unique<TempDir>("hangar-conformance-state");
  std::filesystem::copy(corpus_ / "azure-samples", samples(), std::filesystem::copy_options::recursive);
  make_owner_writable(samples());
  push_stand_ins(mcr_stand_ins(), registry_->host() + "/mcr");
}

void ConformanceTest::TearDown() {
  if (registry_) remove_local_images(registry_->host() + "/");
}

void ConformanceTest::push_docker_hub_stand_ins() const {
  push_stand_ins(docker_hub_stand_ins(), registry_->host() + "/dockerhub");
}

SampleRun ConformanceTest::run_sample(const std::string& sample, const std::vector<std::string>& extra,
                                      const std::filesystem::path& context) const {
  const std::string host = registry_->host();
  std::vector<std::string> args = {"run-once", "-f", sample, "--registry", host,
                                   // Every public registry the samples name maps into the loopback registry,
                                   // so nothing leaves 127.0.0.0/8: what is not there fails to pull.
                                   "--mirror", "mcr.microsoft.com=" + host + "/mcr", "--mirror",
                                   "docker.io=" + host + "/dockerhub", "--mirror",
                                   "cmd.azurecr.io=" + host + "/cmd", "--state-dir", state_->path().string(),
                                   "--output", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back((context.empty() ? samples() : context).string());
  CommandOptions options;
  options.timeout = kRunTimeout;
  for (const char* variable :
       {"HANGAR_AZURE_IMDS_ENDPOINT", "HANGAR_AZURE_AUTHORITY_HOST", "HANGAR_AZURE_KEYVAULT_ENDPOINT"})
    options.env[variable] = azure_;
  SampleRun run;
  run.command = run_hangar(args, options);
  run.record = nlohmann::json::parse(run.command.out, nullptr, /*allow_exceptions=*/false);
  if (run.record.is_discarded()) run.record = nullptr;
  return run;
}

void ConformanceTest::use_azure(const std::string& url) { azure_ = url; }

CommandResult ConformanceTest::validate_sample(const std::string& sample,
                                               const std::vector<std::string>& extra) const {
  std::vector<std::string> args = {"validate", "--registry", registry_->host(), "--context",
                                   samples().string()};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back((samples() / sample).string());
  return run_hangar(args);
}

}  // namespace hangar::test
