#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace hangar::registry {

/// One HTTP request. Header names are case-insensitive; `body` is sent for POST/PUT/PATCH.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/// One HTTP response (after redirects): status, body, headers with lower-case names (last value wins),
/// and the URL that finally answered.
struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  std::string effectiveUrl;

  /// The header's value, or "" when absent (`name` in lower case).
  std::string header(const std::string& name) const;
};

/// How the transport connects and retries.
struct HttpOptions {
  std::chrono::milliseconds connectTimeout{10'000};
  std::chrono::milliseconds requestTimeout{120'000};  ///< whole request, redirects included
  std::string caBundle;                               ///< PEM file of trusted CAs; empty: system store
  std::set<std::string> insecureHosts;                ///< "host" or "host:port" allowed over plain HTTP
  int maxRetries = 4;                                 ///< extra attempts after the first
  std::chrono::milliseconds baseDelay{200};           ///< first backoff; doubles each retry
  std::chrono::milliseconds maxDelay{30'000};         ///< cap on one wait, Retry-After included
  long maxRedirects = 10;
  std::size_t maxResponseBytes = std::size_t(64) << 20;  ///< a longer body is an HttpError (not retried)
};

/// Raised when no HTTP response could be obtained (after retries), or the URL is refused by policy
/// (plain HTTP to a host that is neither loopback nor configured insecure). Carries the URL, never headers.
class HttpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Sends requests. Implementations are safe to use from several threads at once.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  /// Sends `request` and returns the final response (any status). Throws HttpError when there is none.
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

/// The wait before retry number `retry` (1-based): baseDelay * 2^(retry-1), with "equal jitter" (a uniform
/// draw in [d/2, d]), capped at maxDelay. A Retry-After value, when given, wins (still capped).
std::chrono::milliseconds retryDelay(const HttpOptions& options, int retry,
                                     std::optional<std::chrono::milliseconds> retryAfter = std::nullopt);

/// Parses a Retry-After value: delta-seconds or an HTTP-date (relative to now); nullopt when malformed.
std::optional<std::chrono::milliseconds> parseRetryAfter(const std::string& value);

/// True for statuses worth retrying: 429 and 5xx (except 501 Not Implemented).
bool isRetryableStatus(long status);

/// The libcurl transport: one share handle (connections, DNS, TLS sessions reused across requests and
/// threads), TLS verified (optionally against `caBundle`), redirects followed without forwarding
/// Authorization to another host, HTTP/2 where offered, and retries with backoff on connection errors,
/// 429 (honouring Retry-After) and 5xx; never on other statuses. Plain HTTP only for loopback hosts and
/// `insecureHosts`.
class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(HttpOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResponse send(const HttpRequest& request) override;
  const HttpOptions& options() const { return options_; }

  /// Test seam: replaces the sleep between retries (e.g. to record the waits).
  void setSleeper(std::function<void(std::chrono::milliseconds)> sleeper) { sleep_ = std::move(sleeper); }

 private:
  struct Shared;
  HttpResponse sendOnce(const HttpRequest& request, int& curlCode);

  HttpOptions options_;
  std::unique_ptr<Shared> shared_;
  std::function<void(std::chrono::milliseconds)> sleep_;
};

/// Host and optional port of an http(s) URL, e.g. "127.0.0.1:5000"; the scheme in `scheme`.
std::string urlAuthority(const std::string& url, std::string* scheme = nullptr);

}  // namespace hangar::registry
