#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hangar::config {

/// Decodes standard, padded base64 (RFC 4648 §4) as Go's base64.StdEncoding does: line breaks are
/// ignored, anything else outside the alphabet, a bad length or misplaced padding gives nothing.
std::optional<std::string> decodeBase64(std::string_view text);

}  // namespace hangar::config
