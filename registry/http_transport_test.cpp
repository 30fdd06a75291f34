#include "registry/http_transport.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

#include "tests/support/free_port.hpp"
#include "tests/support/loopback_server.hpp"

namespace hangar::registry {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

HttpOptions fastOptions() {
  HttpOptions options;
  options.baseDelay = 1ms;
  options.maxDelay = 50ms;
  options.maxRetries = 3;
  return options;
}

// Records the waits instead of sleeping them.
struct Waits {
  std::vector<std::chrono::milliseconds> list;
  void attach(CurlTransport& transport) {
    transport.setSleeper([this](std::chrono::milliseconds wait) { list.push_back(wait); });
  }
};

TEST(HttpTransport, RetriesServerErrorsThenSucceeds) {
  test::LoopbackServer server;
  std::atomic<int> hits = 0;
  server.server().Get("/flaky", [&](const httplib::Request&, httplib::Response& res) {
    if (++hits < 3) {
      res.status = 503;
      return;
    }
    res.set_content("ok", "text/plain");
  });
  server.start();
  CurlTransport transport(fastOptions());
  Waits waits;
  waits.attach(transport);
  const auto response = transport.send({"GET", server.url() + "/flaky", {}, ""});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "ok");
  EXPECT_EQ(hits.load(), 3);
  EXPECT_EQ(waits.list.size(), 2u);
}

TEST(HttpTransport, HonoursRetryAfterOn429) {
  test::LoopbackServer server;
  std::atomic<int> hits = 0;
  server.server().Get("/busy", [&](const httplib::Request&, httplib::Response& res) {
    if (++hits == 1) {
      res.status = 429;
      res.set_header("Retry-After", "7");
      return;
    }
    res.set_content("done", "text/plain");
  });
  server.start();
  auto options = fastOptions();
  options.maxDelay = 60s;
  CurlTransport transport(options);
  Waits waits;
  waits.attach(transport);
  EXPECT_EQ(transport.send({"GET", server.url() + "/busy", {}, ""}).status, 200);
  EXPECT_THAT(waits.list, ElementsAre(7000ms));
}

TEST(HttpTransport, GivesUpAfterMaxRetriesAndReturnsLastStatus) {
  test::LoopbackServer server;
  std::atomic<int> hits = 0;
  server.server().Get("/down", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.status = 500;
  });
  server.start();
  CurlTransport transport(fastOptions());
  Waits waits;
  waits.attach(transport);
  EXPECT_EQ(transport.send({"GET", server.url() + "/down", {}, ""}).status, 500);
  EXPECT_EQ(hits.load(), 4);
}

TEST(HttpTransport, NeverRetriesAuthOrNotFound) {
  for (int status : {401, 403, 404}) {
    test::LoopbackServer server;
    std::atomic<int> hits = 0;
    server.server().Get("/x", [&](const httplib::Request&, httplib::Response& res) {
      ++hits;
      res.status = status;
    });
    server.start();
    CurlTransport transport(fastOptions());
    Waits waits;
    waits.attach(transport);
    EXPECT_EQ(transport.send({"GET", server.url() + "/x", {}, ""}).status, status);
    EXPECT_EQ(hits.load(), 1) << status;
    EXPECT_TRUE(waits.list.empty());
  }
}

TEST(HttpTransport, ConnectionRefusedIsRetriedThenReported) {
  const int port = test::pick_free_loopback_port();
  CurlTransport transport(fastOptions());
  Waits waits;
  waits.attach(transport);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/v2/";
  try {
    transport.send({"GET", url, {}, ""});
    FAIL() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_THAT(e.what(), HasSubstr(url));
    EXPECT_THAT(e.what(), HasSubstr("4 attempts"));
  }
  EXPECT_EQ(waits.list.size(), 3u);
}

TEST(HttpTransport, RedirectToAnotherHostDropsAuthorization) {
  test::LoopbackServer target;
  std::mutex mutex;
  std::vector<std::string> seenAuth;
  target.server().Get("/blob", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    seenAuth.push_back(req.has_header("Authorization") ? req.get_header_value("Authorization") : "<none>");
    res.set_content("blob-bytes", "application/octet-stream");
  });
  target.start();
  test::LoopbackServer origin;
  // Same port space, another host name: "localhost" vs "127.0.0.1".
  origin.server().Get("/other-host", [&](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("http://localhost:" + std::to_string(target.port()) + "/blob", 307);
  });
  origin.server().Get("/same-host", [&](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/blob-here", 307);
  });
  origin.server().Get("/blob-here", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    seenAuth.push_back(req.get_header_value("Authorization"));
    res.set_content("here", "text/plain");
  });
  origin.start();
  CurlTransport transport(fastOptions());
  const auto moved =
      transport.send({"GET", origin.url() + "/other-host", {{"Authorization", "Bearer secret"}}, ""});
  EXPECT_EQ(moved.body, "blob-bytes");
  EXPECT_THAT(moved.effectiveUrl, HasSubstr("localhost"));
  const auto stayed =
      transport.send({"GET", origin.url() + "/same-host", {{"Authorization", "Bearer secret"}}, ""});
  EXPECT_EQ(stayed.body, "here");
  EXPECT_THAT(seenAuth, ElementsAre("<none>", "Bearer secret"));
}

TEST(HttpTransport, ReusesOneConnectionAcrossRequests) {
  test::LoopbackServer server;
  std::mutex mutex;
  std::set<int> ports;
  server.server().Get("/ping", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    ports.insert(req.remote_port);
    res.set_content("pong", "text/plain");
  });
  server.start();
  CurlTransport transport(fastOptions());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(transport.send({"GET", server.url() + "/ping", {}, ""}).status, 200);
  EXPECT_EQ(ports.size(), 1u);
}

TEST(HttpTransport, SendsMethodBodyAndHeaders) {
  test::LoopbackServer server;
  std::string got;
  server.server().Patch("/item", [&](const httplib::Request& req, httplib::Response& res) {
    got = req.method + " " + req.get_header_value("Content-Type") + " " + req.body;
    res.status = 200;
  });
  server.server().Delete("/item", [&](const httplib::Request&, httplib::Response& res) { res.status = 202; });
  server.start();
  CurlTransport transport(fastOptions());
  EXPECT_EQ(
      transport.send({"PATCH", server.url() + "/item", {{"Content-Type", "application/json"}}, "{}"}).status,
      200);
  EXPECT_EQ(got, "PATCH application/json {}");
  EXPECT_EQ(transport.send({"DELETE", server.url() + "/item", {}, ""}).status, 202);
}

TEST(HttpTransport, PlainHttpOnlyForLoopbackOrInsecureHosts) {
  CurlTransport transport(fastOptions());
  EXPECT_THROW(transport.send({"GET", "http://registry.example.com/v2/", {}, ""}), HttpError);
  EXPECT_THROW(transport.send({"GET", "ftp://127.0.0.1/x", {}, ""}), HttpError);
  // A host listed as insecure passes the policy check (and then fails to resolve or connect: still HttpError,
  // but not the policy message).
  auto options = fastOptions();
  options.maxRetries = 0;
  options.connectTimeout = 500ms;
  options.insecureHosts = {"nonexistent.invalid"};
  CurlTransport insecure(options);
  try {
    insecure.send({"GET", "http://nonexistent.invalid/v2/", {}, ""});
  } catch (const HttpError& e) {
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("refusing plain HTTP")));
  }
}

TEST(HttpTransport, RetryDelayGrowsWithJitterAndCap) {
  HttpOptions options;
  options.baseDelay = 100ms;
  options.maxDelay = 1000ms;
  for (int i = 0; i < 50; ++i) {
    const auto first = retryDelay(options, 1);
    EXPECT_GE(first, 50ms);
    EXPECT_LE(first, 100ms);
    const auto third = retryDelay(options, 3);
    EXPECT_GE(third, 200ms);
    EXPECT_LE(third, 400ms);
    EXPECT_LE(retryDelay(options, 20), 1000ms);
  }
  EXPECT_EQ(retryDelay(options, 1, 5000ms), 1000ms);
}

TEST(HttpTransport, ParsesRetryAfter) {
  EXPECT_EQ(parseRetryAfter("12"), std::chrono::milliseconds(12000));
  EXPECT_EQ(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), std::chrono::milliseconds(0));
  EXPECT_EQ(parseRetryAfter("soon"), std::nullopt);
  EXPECT_TRUE(isRetryableStatus(429));
  EXPECT_TRUE(isRetryableStatus(502));
  EXPECT_FALSE(isRetryableStatus(501));
  EXPECT_FALSE(isRetryableStatus(404));
}

}  // namespace
}  // namespace hangar::registry
