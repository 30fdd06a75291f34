#include "config/base64.hpp"

#include <openssl/evp.h>

namespace hangar::config {

namespace {

bool inAlphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

}  // namespace

std::optional<std::string> decodeBase64(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text)
    if (c != '\n' && c != '\r') compact.push_back(c);
  if (compact.size() % 4 != 0) return std::nullopt;
  // OpenSSL's decoder trims surrounding blanks and accepts padding anywhere in a quantum, so check the
  // shape strictly first: alphabet characters, then at most two '=' at the very end.
  std::size_t padding = 0;
  for (std::size_t i = 0; i < compact.size(); ++i) {
    char c = compact[i];
    if (c == '=') {
      ++padding;
    } else if (padding > 0 || !inAlphabet(c)) {
      return std::nullopt;
    }
  }
  if (padding > 2) return std::nullopt;
  if (compact.empty()) return std::string();
  std::string out(compact.size() / 4 * 3, '\0');
  int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(compact.data()),
                                static_cast<int>(compact.size()));
  if (written < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

std::string encodeBase64(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string encodeBase64Url(std::string_view bytes) {
  std::string out = encodeBase64(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::optional<std::string> decodeBase64Url(std::string_view text) {
  std::string standard(text);
  while (!standard.empty() && standard.back() == '=') standard.pop_back();
  for (char& c : standard) {
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    } else if (c == '+' || c == '/' || c == '\n' || c == '\r') {
      return std::nullopt;  // standard base64, not base64url
    }
  }
  if (standard.size() % 4 == 1) return std::nullopt;
  standard.append((4 - standard.size() % 4) % 4, '=');
  return decodeBase64(standard);
}

}  // namespace hangar::config
