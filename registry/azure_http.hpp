#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hangar::registry {

/// One request to an Azure endpoint (IMDS, AAD, ACR's /oauth2, Key Vault). The body and the header
/// values may hold secrets: they never appear in an error message.
struct AzureHttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // full "Name: value" lines
  std::string body;
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
  std::chrono::milliseconds connectTimeout = std::chrono::seconds(10);  // capped by `timeout`
  bool bypassProxy = false;                                             // IMDS must never go through a proxy
};

/// One response: status, body, and headers with lower-case names.
struct AzureHttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
};

/// Sends `request` with libcurl (no redirects followed, TLS verified). Throws std::runtime_error naming
/// the URL without its query when no response arrives (connection refused, timeout, TLS failure).
AzureHttpResponse sendAzureRequest(const AzureHttpRequest& request);

/// application/x-www-form-urlencoded text of `fields`, in the order given.
std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields);
/// Percent-encodes every byte except RFC 3986 unreserved characters.
std::string urlEncode(std::string_view text);

/// The URL without query or fragment, safe for messages.
std::string urlForMessages(std::string_view url);
/// The host of an http(s) URL, lower-cased, without port or brackets; empty when it has none.
std::string urlHost(std::string_view url);
/// True for "localhost", 127.0.0.0/8 and ::1.
bool isLoopbackHost(std::string_view host);
/// Throws std::runtime_error("<what> URL '<url>' ...") unless `url` is https, or http on a loopback host.
void requireHttpsOrLoopback(std::string_view url, std::string_view what);

/// A short reason from an Azure error body for messages: AAD's "error: error_description" (first line),
/// Key Vault's "error.code: error.message", or the registry "errors[0].code: message"; else "HTTP <status>".
std::string azureErrorReason(const AzureHttpResponse& response);

}  // namespace hangar::registry
