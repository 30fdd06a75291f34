#include "registry/token_authenticator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <atomic>
#include <mutex>

#include "tests/support/loopback_server.hpp"

namespace hangar::registry {
namespace {

using ::testing::HasSubstr;

std::string b64url(const std::string& text) {
  std::string out(4 * ((text.size() + 2) / 3), '\0');
  out.resize(static_cast<size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                                 reinterpret_cast<const unsigned char*>(text.data()),
                                                 static_cast<int>(text.size()))));
  for (auto& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

// A registry that wants a bearer token from its own /token realm, and the token server: it grants
// "tok-<scope>" for alice:pw (or any refresh token "rt"), and anonymous tokens when `anonymous` is set.
struct PlayRegistry {
  test::LoopbackServer server;
  std::mutex mutex;
  std::vector<std::string> tokenQueries;
  bool anonymous = false;
  long long expiresIn = 300;

  PlayRegistry() {
    server.server().Get("/token",
                        [this](const httplib::Request& req, httplib::Response& res) { token(req, res); });
    server.server().Post("/token",
                         [this](const httplib::Request& req, httplib::Response& res) { token(req, res); });
    server.server().Get(R"(/v2/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
      const std::string want =
          "Bearer tok-repository:" + req.matches[1].str().substr(0, req.matches[1].str().find('/')) + ":pull";
      if (req.get_header_value("Authorization") != want) {
        res.status = 401;
        res.set_header("WWW-Authenticate", "Bearer realm=\"" + server.url() + "/token\",service=\"play\"");
        return;
      }
      res.set_content("content", "text/plain");
    });
    server.start();
  }

  void token(const httplib::Request& req, httplib::Response& res) {
    std::string scope = req.get_param_value("scope");
    const bool refresh = req.method == "POST" && req.get_param_value("grant_type") == "refresh_token" &&
                         req.get_param_value("refresh_token") == "rt";
    const bool basic = req.get_header_value("Authorization") == "Basic YWxpY2U6cHc=";
    {
      std::lock_guard lock(mutex);
      tokenQueries.push_back(req.method + " service=" + req.get_param_value("service") + " scope=" + scope);
    }
    if (!refresh && !basic && !anonymous) {
      res.status = 401;
      res.set_content(R"({"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]})",
                      "application/json");
      return;
    }
    const std::string key = req.method == "POST" ? "access_token" : "token";
    res.set_content(
        "{\"" + key + "\":\"tok-" + scope + "\",\"expires_in\":" + std::to_string(expiresIn) + "}",
        "application/json");
  }
};

TEST(TokenAuthenticator, BearerFlowWithBasicCredentialsAndCachePerScope) {
  PlayRegistry play;
  HttpOptions options;
  options.maxRetries = 0;
  CurlTransport transport(options);
  TokenAuthenticator auth(transport,
                          std::make_shared<StaticCredentialProvider>(Credential{"alice", "pw", ""}),
                          play.server.host());
  EXPECT_EQ(auth.send({"GET", play.server.url() + "/v2/app/tags/list", {}, ""}, "repository:app:pull").status,
            200);
  EXPECT_EQ(
      auth.send({"GET", play.server.url() + "/v2/app/manifests/x", {}, ""}, "repository:app:pull").status,
      200);
  EXPECT_EQ(auth.tokenRequests(), 1);
  EXPECT_EQ(auth.send({"GET", play.server.url() + "/v2/web/tags/list", {}, ""}, "repository:web:pull").status,
            200);
  EXPECT_EQ(auth.tokenRequests(), 2);
  EXPECT_THAT(play.tokenQueries, ::testing::ElementsAre("GET service=play scope=repository:app:pull",
                                                        "GET service=play scope=repository:web:pull"));
}

TEST(TokenAuthenticator, RefreshTokenUsesOAuth2Post) {
  PlayRegistry play;
  CurlTransport transport;
  TokenAuthenticator auth(transport,
                          std::make_shared<StaticCredentialProvider>(
                              Credential{"00000000-0000-0000-0000-000000000000", "", "rt"}),
                          play.server.host());
  EXPECT_EQ(auth.send({"GET", play.server.url() + "/v2/app/tags/list", {}, ""}, "repository:app:pull").status,
            200);
  EXPECT_THAT(play.tokenQueries, ::testing::ElementsAre("POST service=play scope=repository:app:pull"));
}

TEST(TokenAuthenticator, AnonymousTokenAndShortLivedTokensAreRefreshed) {
  PlayRegistry play;
  play.anonymous = true;
  play.expiresIn = 1;  // refreshAt is before now + 1 s: refreshed on every use once a quarter second passed
  CurlTransport transport;
  TokenAuthenticator auth(transport, nullptr, play.server.host());
  EXPECT_EQ(auth.send({"GET", play.server.url() + "/v2/app/tags/list", {}, ""}, "repository:app:pull").status,
            200);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (auth.tokenRequests() < 2 && std::chrono::steady_clock::now() < deadline) {
    EXPECT_EQ(
        auth.send({"GET", play.server.url() + "/v2/app/tags/list", {}, ""}, "repository:app:pull").status,
        200);
  }
  EXPECT_GE(auth.tokenRequests(), 2);
}

TEST(TokenAuthenticator, RefusedTokenIsAClearErrorWithoutSecrets) {
  PlayRegistry play;
  CurlTransport transport;
  TokenAuthenticator auth(transport,
                          std::make_shared<StaticCredentialProvider>(Credential{"alice", "wrong-secret", ""}),
                          play.server.host());
  try {
    auth.send({"GET", play.server.url() + "/v2/app/tags/list", {}, ""}, "repository:app:pull");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("HTTP 401 (UNAUTHORIZED: bad credentials)"));
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("wrong-secret")));
  }
}

TEST(TokenAuthenticator, BasicChallengeSendsBasicAndAnonymousGets401Back) {
  test::LoopbackServer server;
  server.server().Get("/v2/", [](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") != "Basic YWxpY2U6cHc=") {
      res.status = 401;
      res.set_header("WWW-Authenticate", "Basic realm=\"Registry\"");
      return;
    }
    res.set_content("{}", "application/json");
  });
  server.start();
  CurlTransport transport;
  TokenAuthenticator withCreds(
      transport, std::make_shared<StaticCredentialProvider>(Credential{"alice", "pw", ""}), server.host());
  EXPECT_EQ(withCreds.send({"GET", server.url() + "/v2/", {}, ""}, "").status, 200);
  EXPECT_EQ(withCreds.send({"GET", server.url() + "/v2/", {}, ""}, "").status, 200);
  TokenAuthenticator anonymous(transport, nullptr, server.host());
  EXPECT_EQ(anonymous.send({"GET", server.url() + "/v2/", {}, ""}, "").status, 401);
}

TEST(JwtExpiry, ReadsExpClaim) {
  const std::string token =
      b64url(R"({"alg":"none"})") + "." + b64url(R"({"exp":1700000000,"sub":"x"})") + ".sig";
  ASSERT_TRUE(jwtExpiry(token).has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(jwtExpiry(token)->time_since_epoch()).count(),
            1700000000);
  EXPECT_FALSE(jwtExpiry("opaque-token").has_value());
  EXPECT_FALSE(jwtExpiry("a." + b64url(R"({"sub":"x"})") + ".c").has_value());
}

}  // namespace
}  // namespace hangar::registry
