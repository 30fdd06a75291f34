#pragma once

// The base of every conformance test: a private copy of the corpus's azure-samples/ as the context, a
// private loopback registry holding the stand-ins for mcr.microsoft.com, a private state dir, and the
// real `hangar` binary run on a sample file exactly as it is in the corpus.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/command.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {

/// One finished `hangar run-once --output json`: the process (log on stderr) and the run record.
struct SampleRun {
  CommandResult command;
  nlohmann::json record;  ///< the run record on stdout; null when stdout held no JSON

  int exit_code() const { return command.exit_code; }
  /// The run's log (stderr, since stdout carries the record).
  const std::string& log() const { return command.err; }
  /// The record's step with this id; throws std::out_of_range naming it when there is none.
  const nlohmann::json& step(const std::string& id) const;
  /// Exit code, log and record, for a failed assertion.
  std::string describe() const;
};

/// Fixture: skips (or fails, when CI=true) without the corpus; otherwise sets up the registry, the
/// stand-ins under <registry>/mcr, the context copy and the state dir, all private to the test.
class ConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// Pushes the Docker Hub stand-ins (library/bash:3.0, …) under <registry>/dockerhub.
  void push_docker_hub_stand_ins() const;

  /// `hangar run-once -f SAMPLE --registry R --mirror … --state-dir S --output json CONTEXT`, where
  /// SAMPLE is relative to the context (the copy of azure-samples/ unless `context` is given).
  SampleRun run_sample(const std::string& sample, const std::vector<std::string>& extra = {},
                       const std::filesystem::path& context = {}) const;

  /// Points the runs' IMDS, Entra ID and Key Vault at `url` (an AzurePlayServer). Until then they point
  /// at a closed loopback port, so a sample's Key Vault secret fails without leaving 127.0.0.0/8.
  void use_azure(const std::string& url);

  /// `hangar validate --registry R --context CONTEXT SAMPLE` on the copy of `sample`.
  CommandResult validate_sample(const std::string& sample, const std::vector<std::string>& extra = {}) const;

  /// The copy of azure-samples/ (owner-writable).
  std::filesystem::path samples() const { return context_->path() / "azure-samples"; }
  /// "127.0.0.1:PORT".
  std::string registry_host() const { return registry_->host(); }
  const LocalRegistry& registry() const { return *registry_; }

 private:
  std::filesystem::path corpus_;
  std::unique_ptr<LocalRegistry> registry_;
  std::unique_ptr<TempDir> context_;
  std::unique_ptr<TempDir> state_;
  std::string azure_ = "http://127.0.0.1:9";  // discard port: nothing listens there
};

}  // namespace hangar::test
