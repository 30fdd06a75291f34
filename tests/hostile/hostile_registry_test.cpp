// A registry that lies: wrong digests, Link pagination that goes round in circles, bodies of hundreds of
// MiB (plain and gzip bombs), answers that trickle in byte by byte, malformed JSON. Each is a clear
// error within a bounded time, and no body larger than the transport's cap is kept in memory.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "registry/http_transport.hpp"
#include "registry/oci_client.hpp"
#include "tests/support/command.hpp"
#include "tests/support/loopback_server.hpp"

namespace hangar {
namespace {
using namespace std::chrono_literals;

const std::string kManifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]})";
const std::string kOther =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[{}]})";
constexpr const char* kManifestType = "application/vnd.oci.image.manifest.v1+json";

/// The lying registry: each repository name is one lie.
class LyingRegistry {
 public:
  LyingRegistry() {
    auto& s = server_.server();
    s.Get("/v2/",
          [](const httplib::Request&, httplib::Response& res) { res.set_content("{}", "application/json"); });
    // A manifest asked for by digest whose body has another digest.
    s.Get("/v2/wrongdigest/manifests/.*",
          [](const httplib::Request&, httplib::Response& res) { res.set_content(kOther, kManifestType); });
    // A manifest whose Docker-Content-Digest header does not match its body.
    s.Get("/v2/wrongheader/manifests/.*", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Docker-Content-Digest", registry::sha256Digest(kManifest));
      res.set_content(kOther, kManifestType);
    });
    s.Get("/v2/wrongblob/blobs/.*", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("not the blob you asked for", "application/octet-stream");
    });
    // Link pagination that comes back to where it started.
    s.Get("/v2/circle/tags/list", [](const httplib::Request& req, httplib::Response& res) {
      const bool second = req.has_param("last");
      res.set_header("Link", second ? "</v2/circle/tags/list?n=100>; rel=\"next\""
                                    : "</v2/circle/tags/list?n=100&last=a>; rel=\"next\"");
      res.set_content(second ? R"({"tags":["b"]})" : R"({"tags":["a"]})", "application/json");
    });
    // Non-string tags and broken JSON.
    s.Get("/v2/badtags/tags/list", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"tags":[{"$ne":1}]})", "application/json");
    });
    s.Get("/v2/brokenjson/tags/list", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"tags":["a",)", "application/json");
    });
    // 300 MiB of manifest, streamed (the server never holds it).
    s.Get("/v2/huge/manifests/.*", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider(kManifestType, [this](size_t offset, httplib::DataSink& sink) {
        static const std::string chunk(1 << 20, ' ');
        if (stopping_ || offset >= (std::size_t(300) << 20)) {
          sink.done();
          return true;
        }
        return sink.write(chunk.data(), chunk.size());
      });
    });
    // A gzip bomb: a small compressed body that inflates to 256 MiB.
    s.Get("/v2/gzipbomb/manifests/.*", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Encoding", "gzip");
      res.set_content(gzipBomb(), kManifestType);
    });
    // Slow-loris: headers at once, then one byte every 100 ms, forever.
    s.Get("/v2/slow/manifests/.*", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider(kManifestType, [this](size_t, httplib::DataSink& sink) {
        if (stopping_) {
          sink.done();
          return true;
        }
        std::this_thread::sleep_for(100ms);  // the lie being tested: a registry that trickles
        return sink.write(" ", 1);
      });
    });
    gzipBomb();  // made before any timing starts
    server_.start();
  }
  ~LyingRegistry() { stopping_ = true; }

  std::string host() const { return server_.host(); }

 private:
  static const std::string& gzipBomb() {
    static const std::string bomb = [] {
      test::CommandResult made = test::run_checked({"sh", "-c", "head -c 268435456 /dev/zero | gzip -1"});
      return made.out;
    }();
    return bomb;
  }

  std::atomic<bool> stopping_{false};
  test::LoopbackServer server_;
};

struct Outcome {
  std::string error;
  std::chrono::milliseconds elapsed;
};

template <typename Call>
Outcome attempt(Call call) {
  const auto start = std::chrono::steady_clock::now();
  std::string error = "SUCCEEDED";
  try {
    call();
  } catch (const std::exception& e) {
    error = e.what();
  }
  return {error,
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)};
}

class HostileRegistry : public ::testing::Test {
 protected:
  registry::HttpOptions options() {
    registry::HttpOptions o;
    o.maxRetries = 1;
    o.baseDelay = 10ms;
    return o;
  }
  LyingRegistry lying_;
  registry::CurlTransport transport_{options()};
  registry::OciClient client_{lying_.host(), transport_, nullptr};
};

void expectError(const Outcome& outcome, const std::string& text) {
  EXPECT_NE(outcome.error.find(text), std::string::npos) << outcome.error;
  EXPECT_LT(outcome.elapsed, 30s) << outcome.error;
}

TEST_F(HostileRegistry, WrongDigestsAreRefused) {
  const std::string digest = registry::sha256Digest(kManifest);
  expectError(attempt([&] { client_.getManifest("wrongdigest", digest); }),
              "does not match the requested digest");
  expectError(attempt([&] { client_.getManifest("wrongheader", "latest"); }),
              "does not match Docker-Content-Digest");
  expectError(attempt([&] { client_.getBlob("wrongblob", digest); }),
              "blob content does not match its digest");
}

TEST_F(HostileRegistry, CircularPaginationEnds) {
  expectError(attempt([&] { client_.tags("circle"); }), "pagination does not end (Link repeats");
}

TEST_F(HostileRegistry, MalformedListingsAreErrors) {
  expectError(attempt([&] { client_.tags("badtags"); }), "'tags' holds a object");
  expectError(attempt([&] { client_.tags("brokenjson"); }), "malformed JSON");
}

TEST_F(HostileRegistry, HugeBodiesAreCutOff) {
  expectError(attempt([&] { client_.getManifest("huge", "latest"); }),
              "the response body is larger than 67108864 bytes");
  expectError(attempt([&] { client_.getManifest("gzipbomb", "latest"); }),
              "the response body is larger than 67108864 bytes");
}

TEST_F(HostileRegistry, SlowLorisHitsTheRequestTimeout) {
  registry::HttpOptions o = options();
  o.requestTimeout = 1500ms;
  o.maxRetries = 0;
  registry::CurlTransport transport(o);
  registry::OciClient client(lying_.host(), transport, nullptr);
  const Outcome outcome = attempt([&] { client.getManifest("slow", "latest"); });
  expectError(outcome, "Timeout was reached");
  EXPECT_GE(outcome.elapsed, 1400ms) << "the deadline, not something else, ended it";
}

}  // namespace
}  // namespace hangar
