// Secrets audit: one real `hangar run-once` (buildah, a loopback registry) with a secret from every
// source available to run-once — the registry password in a docker config (--authfile), --secret
// NAME=VALUE, --secret NAME=@FILE, --set-secret, a secret volume, a Key Vault secret (fetched with a
// managed-identity token from the loopback play IMDS and Key Vault), an agent-local secret file
// (agent.yaml `secrets:`), and a git password (agent.yaml `gitCredentials:`) for the context, fetched
// over smart HTTP with basic auth, and an ACR login with the managed identity (agent.yaml `registries:`:
// the play IMDS's AAD token traded at the play ACR's /oauth2/exchange for a refresh token that goes into
// the run's auth file) — and a step that prints each secret in plain, base64 and URL-encoded
// form (computed inside the container). Afterwards no byte Hangar wrote (stdout, stderr, the fresh state
// dir, its TMPDIR) and no argv of any process seen during the run (/proc/*/cmdline, sampled by a thread)
// holds any form of any secret, nor any token the play IMDS, AAD or ACR issued.

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "runner/git_http_test_server.hpp"
#include "runner/git_test_repo.hpp"
#include "tests/support/azure_play_server.hpp"
#include "tests/support/busybox_image.hpp"
#include "tests/support/command.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/stand_in_images.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {
namespace {
namespace fs = std::filesystem;

std::string base64(const std::string& text) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < text.size(); i += 3) {
    const unsigned v =
        (unsigned char)text[i] << 16 | (unsigned char)text[i + 1] << 8 | (unsigned char)text[i + 2];
    for (int k = 18; k >= 0; k -= 6) out += alphabet[(v >> k) & 63];
  }
  if (i < text.size()) {
    unsigned v = (unsigned char)text[i] << 16;
    if (i + 1 < text.size()) v |= (unsigned char)text[i + 1] << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += i + 1 < text.size() ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string urlEncoded(const std::string& text) {
  std::string out;
  char hex[4];
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

// Each secret holds '/', '+', ':' or '@' so that its URL-encoded form differs from the plain one.
const std::string kRegistryPassword = "reg/Pass+w0rd:7Q1";
const std::string kSecretValue = "val/Secret+v4:9Z2";
const std::string kSecretFile = "file/Secret+f8:3K5";
const std::string kSetSecret = "set/Secret+s6:1M4";
const std::string kVolumeSecret = "vol/Secret+m2:8P6";
const std::string kVaultSecret = "kv/Secret+k3:5V7";
const std::string kLocalSecret = "local/Secret+l5:6L8";
const std::string kGitPassword = "git/Pass+g7:2G9";

const std::vector<std::string>& secrets() {
  static const std::vector<std::string> all = {kRegistryPassword, kSecretValue, kSecretFile,  kSetSecret,
                                               kVolumeSecret,     kVaultSecret, kLocalSecret, kGitPassword};
  return all;
}

/// Plain, base64 (padded and not) and URL-encoded forms of every secret, plus the registry's
/// `user:password` basic-auth token.
std::vector<std::string> forbiddenForms() {
  std::vector<std::string> forms;
  for (const std::string& secret : secrets()) {
    forms.push_back(secret);
    std::string b64 = base64(secret);
    forms.push_back(b64);
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    forms.push_back(b64);
    forms.push_back(urlEncoded(secret));
  }
  forms.push_back(base64("audit:" + kRegistryPassword));
  forms.push_back(base64("gituser:" + kGitPassword));
  return forms;
}

/// Samples /proc/*/cmdline every millisecond or so until stopped, keeping each distinct argv.
class ArgvSampler {
 public:
  ArgvSampler() : thread_([this] { loop(); }) {}
  ~ArgvSampler() { stop(); }
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::set<std::string> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  long rounds() const { return rounds_; }

 private:
  void loop() {
    while (!stopping_) {
      DIR* proc = ::opendir("/proc");
      if (!proc) return;
      while (dirent* entry = ::readdir(proc)) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        std::ifstream in(std::string("/proc/") + entry->d_name + "/cmdline", std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        std::string argv = text.str();
        if (argv.empty()) continue;
        for (char& c : argv)
          if (c == '\0') c = ' ';
        std::lock_guard lock(mutex_);
        seen_.insert(argv);
      }
      ::closedir(proc);
      ++rounds_;
    }
  }

  std::atomic<bool> stopping_{false};
  std::atomic<long> rounds_{0};
  std::mutex mutex_;
  std::set<std::string> seen_;
  std::thread thread_;
};

/// Every regular file under `dir` that holds `needle` (binary-safe; SQLite files included).
std::vector<std::string> filesHolding(const fs::path& dir, const std::string& needle) {
  std::vector<std::string> found;
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, error), end; it != end; it.increment(error)) {
    if (error) break;
    if (!it->is_regular_file(error)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find(needle) != std::string::npos) found.push_back(it->path().string());
  }
  return found;
}

// The step reads each secret from its environment or the mounted volume and prints it three ways:
// plain, base64 and URL-encoded (sed over the characters the secrets use), all computed in the container.
constexpr const char* kTask = R"TASK(version: v1.1.0
secrets:
  - id: vault
    keyvault: https://auditvault.vault.azure.net/secrets/audit-secret
  - id: local
    keyvault: https://auditvault.vault.azure.net/secrets/served-locally
steps:
  - id: leak
    cmd: >-
      $Registry/audit/busybox:1 sh -c 'for v in "$A" "$B" "$C" "$D" "$E" "$(cat /run/vol/s.txt)"; do
      echo "plain=$v"; printf %s "$v" | base64;
      printf "url=%s\n" "$(printf %s "$v" | sed -e "s|/|%2F|g" -e "s|+|%2B|g" -e "s|:|%3A|g")"; done;
      echo audit-step-done'
    env: ["A={{.Secrets.value}}", "B={{.Secrets.file}}", "C={{.Values.set}}", "D={{.Secrets.vault}}",
          "E={{.Secrets.local}}"]
    volumeMounts:
      - name: vol
        mountPath: /run/vol
volumes:
  - name: vol
    secret:
      s.txt: {{.Values.volume}}
)TASK";

TEST(SecretsAudit, NoFormOfAnySecretIsWrittenOrOnAnyArgv) {
  LocalRegistry registry;
  build_and_push_busybox_image(busybox_base_image(), registry.host() + "/audit/busybox:1");
  TempDir outside("hangar-audit-inputs");  // the test's own inputs, not scanned
  TempDir state("hangar-audit-state");
  TempDir tmp("hangar-audit-tmp");
  // The volume's value comes in with --set-secret: the task file (in git, so also in the mirror under
  // the state dir) holds no secret of its own.
  const std::string task = kTask;
  // The context: a git repository behind basic auth; the password comes from agent.yaml.
  GitTestRepo repo(outside.path() / "git", "audit");
  repo.commit("acr-task.yaml", task);
  repo.push();
  GitHttpTestServer gitServer(outside.path() / "git");
  gitServer.user = "gituser";
  gitServer.password = kGitPassword;
  AzurePlayServer azure;
  azure.addSecret("audit-secret", kVaultSecret);
  const std::string acrHost = "127.0.0.1:" + std::to_string(azure.port());
  azure.setAcrService(acrHost);  // the play ACR's login server
  const fs::path gitPasswordFile = outside.write("git.pw", kGitPassword);
  const fs::path localSecretFile = outside.write("local.secret", kLocalSecret);
  ::chmod(gitPasswordFile.c_str(), 0600);
  ::chmod(localSecretFile.c_str(), 0600);
  const fs::path agentConfig = outside.write(
      "agent.yaml",
      "azure:\n  imdsEndpoint: " + azure.url() + "\n  keyVaultEndpoint: " + azure.url() +
          "\nsecrets:\n  - id: local\n    valueFile: " + localSecretFile.string() +
          "\ngitCredentials:\n  - host: " + gitServer.url("").substr(std::string("http://").size()) +
          "\n    username: gituser\n    passwordFile: " + gitPasswordFile.string() +
          "\nregistries:\n  - host: " + acrHost + "\n    auth:\n      managedIdentity: {}\n");
  const fs::path secretFile = outside.write("secret.txt", kSecretFile);
  const fs::path authFile =
      outside.write("config.json", R"({"auths":{")" + registry.host() + R"(":{"auth":")" +
                                       base64("audit:" + kRegistryPassword) + R"("}}})");

  CommandOptions options;
  options.timeout = std::chrono::minutes(5);
  options.env["TMPDIR"] = tmp.path().string();
  options.unset_env = {"HANGAR_AZURE_IMDS_ENDPOINT", "HANGAR_AZURE_KEYVAULT_ENDPOINT",
                       "HANGAR_GIT_USERNAME",        "HANGAR_GIT_PASSWORD",
                       "HANGAR_GIT_TOKEN",           "HANGAR_GIT_CREDENTIAL_HELPER"};
  ArgvSampler sampler;
  const CommandResult result = run_hangar({"run-once",
                                           "-f",
                                           "acr-task.yaml",
                                           "--registry",
                                           registry.host(),
                                           "--state-dir",
                                           (state.path() / "hangar").string(),
                                           "--authfile",
                                           authFile.string(),
                                           "--secret",
                                           "value=" + kSecretValue,
                                           "--secret",
                                           "file=@" + secretFile.string(),
                                           "--set-secret",
                                           "set=" + kSetSecret,
                                           "--set-secret",
                                           "volume=" + base64(kVolumeSecret),
                                           "--config",
                                           agentConfig.string(),
                                           "--output",
                                           "json",
                                           gitServer.url("/git/audit.git#main")},
                                          options);
  sampler.stop();
  remove_local_images(registry.host() + "/");

  ASSERT_EQ(result.exit_code, 0) << result.describe();
  // Key Vault was asked with a managed-identity token, the git server with the password: those sources
  // were really used. The tokens IMDS issued are secrets too.
  const auto vaultRequests = azure.requests("/secrets/audit-secret");
  ASSERT_EQ(vaultRequests.size(), 1u) << result.describe();
  EXPECT_TRUE(azure.requests("/secrets/served-locally").empty());
  std::vector<std::string> forms = forbiddenForms();
  for (const auto& request : azure.requests()) {
    if (auto auth = request.headers.find("authorization"); auth != request.headers.end()) {
      ASSERT_TRUE(auth->second.starts_with("Bearer ")) << auth->second;
      forms.push_back(auth->second.substr(7));
    }
  }
  ASSERT_GT(forms.size(), forbiddenForms().size()) << "no bearer token was seen";
  // The ACR login happened: its refresh token (in the run's auth file while the run lasted) and the
  // AAD tokens are secrets too.
  ASSERT_EQ(azure.requests("/oauth2/exchange").size(), 1u) << result.describe();
  for (const auto& token : azure.issuedTokens()) forms.push_back(token);
  EXPECT_GT(gitServer.requests.load(), 0);
  // The step really ran and printed every secret in every form (masked on the way out).
  EXPECT_NE(result.err.find("audit-step-done"), std::string::npos) << result.describe();
  EXPECT_NE(result.err.find("plain=***"), std::string::npos) << result.describe();
  EXPECT_NE(result.err.find("url=***"), std::string::npos) << result.describe();

  // Hangar created its state dir private, and removed the run's directory (workspace, auth.json) at the end.
  struct stat info {};
  ASSERT_EQ(::stat((state.path() / "hangar").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  std::error_code error;
  for (fs::recursive_directory_iterator it(state.path(), error), end; it != end; it.increment(error)) {
    EXPECT_NE(it->path().filename(), "auth.json") << it->path();
    EXPECT_NE(it->path().filename(), "workspace") << it->path();
    EXPECT_NE(it->path().filename(), "secret-volumes") << it->path();
  }

  // The sampler saw the run's children: at least one buildah command line with the run's registry.
  const std::set<std::string> argvs = sampler.seen();
  std::size_t buildahArgvs = 0;
  for (const std::string& argv : argvs)
    if (argv.find("buildah") != std::string::npos && argv.find(registry.host()) != std::string::npos)
      ++buildahArgvs;
  EXPECT_GE(buildahArgvs, 1u) << "the sampler saw no buildah child in " << sampler.rounds() << " rounds";

  for (const std::string& form : forms) {
    EXPECT_EQ(result.out.find(form), std::string::npos) << "stdout holds " << form;
    EXPECT_EQ(result.err.find(form), std::string::npos) << "stderr holds " << form;
    const auto inState = filesHolding(state.path(), form);
    EXPECT_TRUE(inState.empty()) << form << " in " << inState.front();
    const auto inTmp = filesHolding(tmp.path(), form);
    EXPECT_TRUE(inTmp.empty()) << form << " in " << inTmp.front();
    for (const std::string& argv : argvs) {
      // hangar's own command line holds what this test typed after --secret/--set-secret (NAME=VALUE is
      // visible in ps by nature; docs/security.md says to prefer NAME=@FILE): every other argv is Hangar's.
      if (argv.starts_with(std::string(HANGAR_BINARY) + " run-once ")) continue;
      EXPECT_EQ(argv.find(form), std::string::npos) << "argv: " << argv;
    }
  }
}

}  // namespace
}  // namespace hangar::test
