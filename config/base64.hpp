#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hangar::config {

/// Decodes standard, padded base64 (RFC 4648 §4) as Go's base64.StdEncoding does: line breaks are
/// ignored, anything else outside the alphabet, a bad length or misplaced padding gives nothing.
std::optional<std::string> decodeBase64(std::string_view text);

/// Encodes bytes as standard, padded base64 (RFC 4648 §4).
std::string encodeBase64(std::string_view bytes);

/// Encodes bytes as unpadded base64url (RFC 4648 §5), as JWTs use.
std::string encodeBase64Url(std::string_view bytes);

/// Decodes base64url with or without padding (a JWT's parts); nothing for text outside the alphabet.
std::optional<std::string> decodeBase64Url(std::string_view text);

}  // namespace hangar::config
