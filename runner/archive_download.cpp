#include "runner/archive_download.hpp"

#include <curl/curl.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "runner/context_url.hpp"

namespace hangar::runner {

void downloadFile(const std::string& url, const std::filesystem::path& file,
                  const std::optional<std::string>& username, const std::optional<std::string>& password,
                  int attempts) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::string lastError;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(file.c_str(), "wb"), std::fclose);
    if (!out) throw std::runtime_error("cannot write " + file.string());
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    char errorBuffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, out.get());
    curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
    if (password) {
      curl_easy_setopt(curl.get(), CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(curl.get(), CURLOPT_USERNAME, username ? username->c_str() : "hangar");
      curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, password->c_str());
    }
    CURLcode code = curl_easy_perform(curl.get());
    if (code == CURLE_OK) return;
    lastError = errorBuffer[0] ? errorBuffer : curl_easy_strerror(code);
  }
  throw std::runtime_error("download " + stripCredentials(url) + " failed after " + std::to_string(attempts) +
                           " attempts: " + lastError);
}

}  // namespace hangar::runner
