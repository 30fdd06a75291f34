#include "registry/docker_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace hangar::registry {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// base64("alice:s3cret"), base64("00000000-0000-0000-0000-000000000000:"), base64("bob:pw\0\0").
constexpr std::string_view kAliceAuth = "YWxpY2U6czNjcmV0";
constexpr std::string_view kNullGuidAuth = "MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwOg==";
constexpr std::string_view kBobNulAuth = "Ym9iOnB3AAA=";

Credential userPass(std::string user, std::string pass) { return {std::move(user), std::move(pass), ""}; }

// A fake credential-helper runner: answers from a table and records every question.
struct FakeHelpers {
  std::map<std::pair<std::string, std::string>, Credential> answers;  // (helper, serverUrl) -> credential
  std::vector<std::string> calls;                                     // "helper serverUrl"
  CredentialHelperRunner runner() {
    return [this](std::string_view helper, std::string_view url) -> std::optional<Credential> {
      calls.push_back(std::string(helper) + " " + std::string(url));
      if (helper == "broken")
        throw std::runtime_error("credential helper docker-credential-broken is not on PATH");
      const auto it = answers.find({std::string(helper), std::string(url)});
      if (it == answers.end()) return std::nullopt;
      return it->second;
    };
  }
};

class DockerConfigTest : public ::testing::Test {
 protected:
  test::TempDir dir_{"docker-config"};
  FakeHelpers helpers_;

  DockerConfig load(std::string_view json) {
    return DockerConfig::load(dir_.write("config.json", json), helpers_.runner());
  }
  std::string loadError(std::string_view json) {
    try {
      load(json);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(DockerConfigTest, MissingFileIsEmpty) {
  const auto config = DockerConfig::load(dir_.path() / "absent.json", helpers_.runner());
  EXPECT_EQ(config.find("docker.io"), std::nullopt);
  EXPECT_TRUE(config.hosts().empty());
  EXPECT_TRUE(helpers_.calls.empty());
}

TEST_F(DockerConfigTest, AuthIsBase64UserColonPassword) {
  const auto config = load(R"({"auths":{"myreg.azurecr.io":{"auth":")" + std::string(kAliceAuth) + R"("}}})");
  EXPECT_EQ(config.find("myreg.azurecr.io"), userPass("alice", "s3cret"));
  EXPECT_EQ(config.find("MyReg.AzureCR.io"), userPass("alice", "s3cret"));
  EXPECT_EQ(config.find("other.azurecr.io"), std::nullopt);
}

TEST_F(DockerConfigTest, PasswordMayContainColonsAndLosesTrailingNuls) {
  const auto config = load(R"({"auths":{"a.io":{"auth":"dTpwOnE6cg=="},"b.io":{"auth":")" +
                           std::string(kBobNulAuth) + R"("}}})");
  EXPECT_EQ(config.find("a.io"), userPass("u", "p:q:r"));
  EXPECT_EQ(config.find("b.io"), userPass("bob", "pw"));
}

TEST_F(DockerConfigTest, UsernamePasswordFieldsAndIdentityToken) {
  const auto config = load(R"({"auths":{
    "plain.io": {"username": "carol", "password": "pw"},
    "acr.azurecr.io": {"auth": ")" +
                           std::string(kNullGuidAuth) +
                           R"(", "identitytoken": "refresh-jwt"},
    "empty.io": {}
  }})");
  EXPECT_EQ(config.find("plain.io"), userPass("carol", "pw"));
  EXPECT_EQ(config.find("acr.azurecr.io"),
            (Credential{"00000000-0000-0000-0000-000000000000", "", "refresh-jwt"}));
  EXPECT_EQ(config.find("empty.io"), std::nullopt);
  EXPECT_THAT(config.hosts(), ElementsAre("acr.azurecr.io", "plain.io"));
}

TEST_F(DockerConfigTest, KeysAreNormalised) {
  const auto config = load(R"({"auths":{
    "https://index.docker.io/v1/": {"username": "hub", "password": "1"},
    "http://LocalHost:5000/v2/": {"username": "local", "password": "2"},
    "https://[::1]:5001": {"username": "six", "password": "3"}
  }})");
  for (const char* hub :
       {"docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1/"})
    EXPECT_EQ(config.find(hub), userPass("hub", "1")) << hub;
  EXPECT_EQ(config.find("localhost:5000"), userPass("local", "2"));
  EXPECT_EQ(config.find("localhost"), std::nullopt);
  EXPECT_EQ(config.find("[::1]:5001"), userPass("six", "3"));
  EXPECT_THAT(config.hosts(), ElementsAre("[::1]:5001", "docker.io", "localhost:5000"));
}

TEST_F(DockerConfigTest, ExactKeyWinsOverUrlKey) {
  // Sorted key order puts "https://..." before "reg.io" and "reg.io" before "reg.io/v1"; the bare key wins
  // both times.
  const auto config = load(R"({"auths":{
    "https://reg.io/v2/": {"username": "url", "password": "1"},
    "reg.io": {"username": "exact", "password": "2"},
    "reg.io/v1": {"username": "path", "password": "3"}
  }})");
  EXPECT_EQ(config.find("reg.io"), userPass("exact", "2"));
}

TEST_F(DockerConfigTest, CredHelpersBeatCredsStoreBeatAuths) {
  helpers_.answers[{"ecr", "reg.io"}] = userPass("from-ecr", "1");
  helpers_.answers[{"store", "reg.io"}] = userPass("from-store", "2");
  helpers_.answers[{"store", "other.io"}] = userPass("store-other", "3");
  helpers_.answers[{"store", "https://index.docker.io/v1/"}] = userPass("store-hub", "4");
  const auto config = load(R"({
    "auths": {"reg.io": {"username": "file", "password": "0"}, "inline.io": {"username": "inline", "password": "5"},
              "other.io": {}},
    "credHelpers": {"https://reg.io": "ecr", "missing.io": "ecr"},
    "credsStore": "store"
  })");
  EXPECT_EQ(config.find("reg.io"), userPass("from-ecr", "1"));
  EXPECT_EQ(config.find("other.io"), userPass("store-other", "3"));
  EXPECT_EQ(config.find("docker.io"), userPass("store-hub", "4"));
  // The store has nothing for inline.io: the file's own entry is used.
  EXPECT_EQ(config.find("inline.io"), userPass("inline", "5"));
  // A credHelpers entry is the only source for its host.
  EXPECT_EQ(config.find("missing.io"), std::nullopt);
  EXPECT_THAT(helpers_.calls, ElementsAre("ecr reg.io", "store other.io", "store https://index.docker.io/v1/",
                                          "store inline.io", "ecr missing.io"));
  EXPECT_THAT(config.hosts(), ElementsAre("inline.io", "missing.io", "reg.io"));
}

TEST_F(DockerConfigTest, HelperFailureNamesFileAndHelper) {
  const auto config = load(R"({"credsStore": "broken"})");
  try {
    config.find("reg.io");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr((dir_.path() / "config.json").string()));
    EXPECT_THAT(e.what(), HasSubstr("\"broken\" for reg.io"));
    EXPECT_THAT(e.what(), HasSubstr("not on PATH"));
  }
}

TEST_F(DockerConfigTest, BadJsonGivesPlaceButNotContent) {
  const auto error = loadError("{\n  \"auths\": {\"a.io\": {\"auth\": \"c2VjcmV0\" x}}\n}");
  EXPECT_THAT(error, HasSubstr((dir_.path() / "config.json").string() + ":2:"));
  EXPECT_THAT(error, HasSubstr("not valid JSON"));
  EXPECT_THAT(error, Not(HasSubstr("c2VjcmV0")));
}

TEST_F(DockerConfigTest, MalformedEntriesAreErrorsWithoutSecrets) {
  EXPECT_THAT(loadError(R"({"auths":{"a.io":{"auth":"!!!!s3cret"}}})"),
              HasSubstr("auths[\"a.io\"].auth is not valid base64"));
  EXPECT_THAT(loadError(R"({"auths":{"a.io":{"auth":"s3cret"}}})"), Not(HasSubstr("s3cret")));
  // base64("nocolon") and base64(":pw"): no username.
  EXPECT_THAT(loadError(R"({"auths":{"a.io":{"auth":"bm9jb2xvbg=="}}})"), HasSubstr("non-empty username"));
  EXPECT_THAT(loadError(R"({"auths":{"a.io":{"auth":"OnB3"}}})"), HasSubstr("non-empty username"));
  EXPECT_THAT(loadError(R"({"auths":{"a.io":{"auth":"YQ==YQ=="}}})"), HasSubstr("not valid base64"));
  EXPECT_THAT(loadError(R"({"auths":{"a.io":{"password":7}}})"),
              HasSubstr("auths[\"a.io\"].password must be a string"));
  EXPECT_THAT(loadError(R"({"auths":[]})"), HasSubstr("\"auths\" must be an object"));
  EXPECT_THAT(loadError(R"({"auths":{"a.io":"x"}})"), HasSubstr("must be an object"));
  EXPECT_THAT(loadError(R"({"credHelpers":{"a.io":1}})"),
              HasSubstr("credHelpers[\"a.io\"] must be a string"));
  EXPECT_THAT(loadError(R"({"credsStore":true})"), HasSubstr("\"credsStore\" must be a string"));
  EXPECT_THAT(loadError("[]"), HasSubstr("top level must be a JSON object"));
  EXPECT_EQ(loadError(R"({"auths":{},"HttpHeaders":{"X":"y"},"experimental":"enabled"})"), "");
}

TEST_F(DockerConfigTest, UnreadableFileIsAnError) {
  std::filesystem::create_directory(dir_.path() / "dir.json");
  EXPECT_THROW(DockerConfig::load(dir_.path() / "dir.json", helpers_.runner()), std::runtime_error);
}

// Sets an environment variable for one scope (nullptr unsets it).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) saved_ = old;
    value ? setenv(name, value, 1) : unsetenv(name);
  }
  ~ScopedEnv() { saved_ ? setenv(name_, saved_->c_str(), 1) : unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

TEST(DockerConfigDefaultPath, DockerConfigVariableThenHome) {
  {
    ScopedEnv config("DOCKER_CONFIG", "/etc/hangar/docker");
    EXPECT_EQ(DockerConfig::defaultPath(), "/etc/hangar/docker/config.json");
  }
  ScopedEnv config("DOCKER_CONFIG", nullptr);
  ScopedEnv home("HOME", "/home/builder");
  EXPECT_EQ(DockerConfig::defaultPath(), "/home/builder/.docker/config.json");
}

class WriteAuthFileTest : public ::testing::Test {
 protected:
  test::TempDir dir_{"auth-file"};
  std::filesystem::path file_ = dir_.path() / "auth.json";

  static unsigned mode(const std::filesystem::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
};

TEST_F(WriteAuthFileTest, WritesDockerAuthsFormat) {
  writeAuthFile(file_, {{"127.0.0.1:5000", userPass("alice", "s3cret")},
                        {"docker.io", userPass("hub", "pw")},
                        {"acr.azurecr.io", {"00000000-0000-0000-0000-000000000000", "", "refresh-jwt"}},
                        {"tok.io", {"", "", "only-token"}}});
  const auto json = nlohmann::json::parse(test::read_file(file_));
  EXPECT_EQ(json["auths"]["127.0.0.1:5000"], (nlohmann::json{{"auth", kAliceAuth}}));
  EXPECT_EQ(json["auths"]["https://index.docker.io/v1/"], (nlohmann::json{{"auth", "aHViOnB3"}}));
  EXPECT_EQ(json["auths"]["acr.azurecr.io"],
            (nlohmann::json{{"auth", kNullGuidAuth}, {"identitytoken", "refresh-jwt"}}));
  EXPECT_EQ(json["auths"]["tok.io"], (nlohmann::json{{"identitytoken", "only-token"}}));
  EXPECT_EQ(json["auths"].size(), 4u);
}

TEST_F(WriteAuthFileTest, RoundTripsThroughDockerConfig) {
  const std::map<std::string, Credential> credentials = {
      {"127.0.0.1:5000", userPass("alice", "pa:ss")},
      {"docker.io", userPass("hub", "pw")},
      {"acr.azurecr.io", {"00000000-0000-0000-0000-000000000000", "", "refresh-jwt"}}};
  writeAuthFile(file_, credentials);
  const auto config = DockerConfig::load(file_);
  for (const auto& [host, credential] : credentials) EXPECT_EQ(config.find(host), credential) << host;
}

TEST_F(WriteAuthFileTest, ModeIs0600EvenWithPermissiveUmask) {
  const mode_t old = ::umask(0);
  writeAuthFile(file_, {{"a.io", userPass("a", "b")}});
  ::umask(old);
  EXPECT_EQ(mode(file_), 0600u);
}

TEST_F(WriteAuthFileTest, OverwritesAtomicallyAndLeavesNoTemporaryFile) {
  dir_.write("auth.json", "old content",
             std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                 std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  ASSERT_EQ(mode(file_), 0644u);
  writeAuthFile(file_, {{"a.io", userPass("a", "b")}});
  EXPECT_EQ(mode(file_), 0600u);
  EXPECT_EQ(DockerConfig::load(file_).find("a.io"), userPass("a", "b"));
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path()))
    names.push_back(entry.path().filename());
  EXPECT_THAT(names, ElementsAre("auth.json"));
}

TEST_F(WriteAuthFileTest, EmptyMapGivesEmptyAuths) {
  writeAuthFile(file_, {});
  EXPECT_EQ(nlohmann::json::parse(test::read_file(file_)),
            (nlohmann::json{{"auths", nlohmann::json::object()}}));
}

TEST_F(WriteAuthFileTest, MissingFolderIsAnErrorWithoutSecrets) {
  try {
    writeAuthFile(dir_.path() / "no" / "auth.json", {{"a.io", userPass("a", "s3cret")}});
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr((dir_.path() / "no").string()));
    EXPECT_THAT(e.what(), Not(HasSubstr("s3cret")));
  }
}

}  // namespace
}  // namespace hangar::registry
