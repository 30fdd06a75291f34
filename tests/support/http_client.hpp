#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace hangar::test {

/// One HTTP response: status, body, and headers with lower-case names.
struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
};

/// Sends one request with libcurl (no redirects followed, no proxy). `method` is "GET", "HEAD", "DELETE"…;
/// `headers` are full "Name: value" lines. Throws std::runtime_error naming the URL when no response
/// arrives (connection refused, timeout).
HttpResponse http_request(const std::string& method, const std::string& url,
                          const std::vector<std::string>& headers = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace hangar::test
