#include "registry/http_transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include "registry/image_reference.hpp"

namespace hangar::registry {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

void ensureCurlGlobal() { static CurlGlobal global; }

/// The body being received and the most it may grow to.
struct BodySink {
  std::string* body;
  std::size_t maxBytes;
  bool overflowed = false;
};

size_t collectBody(char* data, size_t size, size_t count, void* target) {
  auto& sink = *static_cast<BodySink*>(target);
  if (sink.body->size() + size * count > sink.maxBytes) {
    sink.overflowed = true;
    return 0;  // libcurl stops with CURLE_WRITE_ERROR
  }
  sink.body->append(data, size * count);
  return size * count;
}

size_t collectHeader(char* data, size_t size, size_t count, void* target) {
  auto& headers = *static_cast<std::map<std::string, std::string>*>(target);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    headers.clear();  // a new response (after a redirect or 100-continue) starts
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    headers[lower(std::string(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  }
  return size * count;
}

constexpr long kMaxIdleConnections = 64;

bool isRetryableCurlCode(int code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

std::string hostOnly(const std::string& authority) {
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    return authority.substr(0, close == std::string::npos ? authority.size() : close + 1);
  }
  return authority.substr(0, authority.find(':'));
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string urlAuthority(const std::string& url, std::string* scheme) {
  const auto sep = url.find("://");
  if (sep == std::string::npos) throw HttpError("not an absolute URL: " + url);
  if (scheme) *scheme = lower(url.substr(0, sep));
  const auto start = sep + 3;
  const auto end = url.find_first_of("/?#", start);
  return lower(url.substr(start, end == std::string::npos ? std::string::npos : end - start));
}

bool isRetryableStatus(long status) { return status == 429 || (status >= 500 && status != 501); }

std::optional<std::chrono::milliseconds> parseRetryAfter(const std::string& value) {
  const std::string text = trim(value);
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (text.size() > 9) return std::chrono::milliseconds(std::chrono::hours(24));
    return std::chrono::seconds(std::stol(text));
  }
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  const auto delta = when - std::time(nullptr);
  return std::chrono::seconds(delta > 0 ? delta : 0);
}

std::chrono::milliseconds retryDelay(const HttpOptions& options, int retry,
                                     std::optional<std::chrono::milliseconds> retryAfter) {
  if (retryAfter) return std::min(*retryAfter, options.maxDelay);
  const int shift = std::clamp(retry - 1, 0, 30);
  const auto full = std::min<long long>(options.baseDelay.count() * (1LL << shift), options.maxDelay.count());
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<long long> draw(full / 2, full);
  return std::chrono::milliseconds(draw(random));
}

// One share handle: connection cache, DNS cache and TLS sessions, locked per data kind.
struct CurlTransport::Shared {
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks;

  Shared() {
    ensureCurlGlobal();
    share = curl_share_init();
    if (!share) throw std::runtime_error("curl_share_init failed");
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, &Shared::lock);
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, &Shared::unlock);
    curl_share_setopt(share, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  ~Shared() { curl_share_cleanup(share); }

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<Shared*>(self)->locks[data].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<Shared*>(self)->locks[data].unlock();
  }
};

CurlTransport::CurlTransport(HttpOptions options)
    : options_(std::move(options)),
      shared_(std::make_unique<Shared>()),
      sleep_([](std::chrono::milliseconds wait) { std::this_thread::sleep_for(wait); }) {}

CurlTransport::~CurlTransport() = default;

HttpResponse CurlTransport::send(const HttpRequest& request) {
  std::string scheme;
  const std::string authority = urlAuthority(request.url, &scheme);
  if (scheme == "http") {
    if (!isLoopbackRegistry(authority) && !options_.insecureHosts.contains(authority) &&
        !options_.insecureHosts.contains(hostOnly(authority))) {
      throw HttpError("refusing plain HTTP to " + authority +
                      ": only loopback hosts and hosts configured as insecure may use http://");
    }
  } else if (scheme != "https") {
    throw HttpError("unsupported URL scheme \"" + scheme + "\" in " + request.url);
  }
  for (int attempt = 0;; ++attempt) {
    int code = CURLE_OK;
    HttpResponse response = sendOnce(request, code);
    const bool last = attempt >= options_.maxRetries;
    if (code != CURLE_OK) {
      const std::string reason = curl_easy_strerror(static_cast<CURLcode>(code));
      if (last || !isRetryableCurlCode(code)) {
        throw HttpError(request.method + " " + request.url + " failed: " + reason +
                        (attempt > 0 ? " (after " + std::to_string(attempt + 1) + " attempts)" : ""));
      }
      sleep_(retryDelay(options_, attempt + 1));
      continue;
    }
    if (last || !isRetryableStatus(response.status)) return response;
    std::optional<std::chrono::milliseconds> after;
    if (response.status == 429 || response.status == 503)
      after = parseRetryAfter(response.header("retry-after"));
    sleep_(retryDelay(options_, attempt + 1, after));
  }
}

HttpResponse CurlTransport::sendOnce(const HttpRequest& request, int& curlCode) {
  HttpResponse response;
  CURL* curl = curl_easy_init();
  if (!curl) throw std::runtime_error("curl_easy_init failed");
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  if (request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    headers = curl_slist_append(headers, "Expect:");
  }
  curl_easy_setopt(curl, CURLOPT_SHARE, shared_->share);
  // The shared connection cache keeps at most this many idle connections (libcurl's default, 5, is less
  // than the workers purge runs: each request beyond it would close another one and open a new one).
  curl_easy_setopt(curl, CURLOPT_MAXCONNECTS, kMaxIdleConnections);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, options_.maxRedirects);
  curl_easy_setopt(curl, CURLOPT_UNRESTRICTED_AUTH, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.caBundle.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.caBundle.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connectTimeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.requestTimeout.count()));
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &collectBody);
  BodySink sink{&response.body, options_.maxResponseBytes};
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &collectHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty()) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
    }
  }
  curlCode = curl_easy_perform(curl);
  if (curlCode == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    char* effective = nullptr;
    curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective);
    if (effective) response.effectiveUrl = effective;
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (sink.overflowed) {
    throw HttpError(request.method + " " + request.url + " failed: the response body is larger than " +
                    std::to_string(options_.maxResponseBytes) + " bytes");
  }
  return response;
}

}  // namespace hangar::registry
