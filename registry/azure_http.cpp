#include "registry/azure_http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace hangar::registry {
namespace {

struct CurlInit {
  CurlInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

size_t appendBody(char* data, size_t size, size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

size_t collectHeader(char* data, size_t size, size_t count, void* target) {
  std::string_view line(data, size * count);
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    (*static_cast<std::map<std::string, std::string>*>(target))[name] = std::string(value);
  }
  return size * count;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Azure messages span lines ("...\r\nClient address: 1.2.3.4\r\n..."): joined with "; ".
std::string oneLine(const std::string& text) {
  std::string out;
  bool pendingBreak = false;
  for (char c : text) {
    if (c == '\r' || c == '\n') {
      pendingBreak = !out.empty();
      continue;
    }
    if (pendingBreak) out += "; ";
    pendingBreak = false;
    out += c;
  }
  return out;
}

std::string withFirewallHint(std::string reason) {
  if (reason.find("is not allowed access") != std::string::npos ||
      reason.find("Client address is not authorized") != std::string::npos) {
    reason +=
        " (the machine's address is outside the service's firewall rules: use a private endpoint or add an "
        "IP "
        "rule, not a network bypass)";
  }
  return reason;
}

}  // namespace

AzureHttpResponse sendAzureRequest(const AzureHttpRequest& request) {
  static CurlInit init;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw std::runtime_error("cannot create a libcurl handle");
  AzureHttpResponse response;
  curl_slist* headers = nullptr;
  for (const auto& header : request.headers) headers = curl_slist_append(headers, header.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headerList(headers, curl_slist_free_all);
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "POST" || !request.body.empty()) {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headerList.get());
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(request.timeout, request.connectTimeout).count()));
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  if (request.bypassProxy) curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, collectHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &response.headers);
  CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    throw std::runtime_error(request.method + " " + urlForMessages(request.url) +
                             " failed: " + curl_easy_strerror(code));
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

std::string urlEncode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += urlEncode(name) + "=" + urlEncode(value);
  }
  return out;
}

std::string urlForMessages(std::string_view url) {
  return std::string(url.substr(0, url.find_first_of("?#")));
}

std::string urlHost(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  auto rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    return close == std::string_view::npos ? std::string() : lower(rest.substr(1, close - 1));
  }
  return lower(rest.substr(0, rest.find(':')));
}

bool isLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

void requireHttpsOrLoopback(std::string_view url, std::string_view what) {
  auto scheme = lower(url.substr(0, url.find("://")));
  auto host = urlHost(url);
  if (url.find("://") == std::string_view::npos || host.empty() || (scheme != "https" && scheme != "http")) {
    throw std::runtime_error(std::string(what) + " URL '" + urlForMessages(url) + "' is not an http(s) URL");
  }
  if (scheme == "http" && !isLoopbackHost(host)) {
    throw std::runtime_error(std::string(what) + " URL '" + urlForMessages(url) +
                             "' must use https (plain http is allowed on loopback only)");
  }
}

static std::string azureErrorReasonRaw(const AzureHttpResponse& response);

std::string azureErrorReason(const AzureHttpResponse& response) {
  return withFirewallHint(azureErrorReasonRaw(response));
}

static std::string azureErrorReasonRaw(const AzureHttpResponse& response) {
  std::string status = "HTTP " + std::to_string(response.status);
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (!json.is_object()) return status;
  auto text = [](const nlohmann::json& value) { return value.is_string() ? value.get<std::string>() : ""; };
  if (json.contains("error") && json["error"].is_string()) {
    std::string description =
        json.contains("error_description") ? oneLine(text(json["error_description"])) : "";
    return status + ": " + text(json["error"]) + (description.empty() ? "" : ": " + description);
  }
  if (json.contains("error") && json["error"].is_object()) {
    const auto& error = json["error"];
    return status + ": " + text(error.value("code", nlohmann::json())) + ": " +
           oneLine(text(error.value("message", nlohmann::json())));
  }
  if (json.contains("errors") && json["errors"].is_array() && !json["errors"].empty() &&
      json["errors"][0].is_object()) {
    const auto& error = json["errors"][0];
    return status + ": " + lower(text(error.value("code", nlohmann::json()))) + ": " +
           oneLine(text(error.value("message", nlohmann::json())));
  }
  return status;
}

}  // namespace hangar::registry
