#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace hangar::runner {

/// Downloads `url` (http or https) to `file` with libcurl: redirects followed, HTTP errors are
/// failures, up to `attempts` tries. Credentials, when given, go in an Authorization header (basic),
/// never in the URL. Throws std::runtime_error naming the URL (without credentials) and the last error.
void downloadFile(const std::string& url, const std::filesystem::path& file,
                  const std::optional<std::string>& username, const std::optional<std::string>& password,
                  int attempts = 3);

}  // namespace hangar::runner
