#include "runner/secret_masker.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace hangar::runner {

namespace {

std::string base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int length =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(length));
  return out;
}

/// RFC 3986 percent-encoding of everything but the unreserved characters; `spaceAsPlus` gives
/// the form of an HTML form or a URL query (Go's url.QueryEscape).
std::string urlEncode(std::string_view data, bool spaceAsPlus) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : data) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9') ||
        c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else if (c == ' ' && spaceAsPlus) {
      out += '+';
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> secretForms(std::string_view secret) {
  std::vector<std::string> forms;
  if (secret.empty()) return forms;
  auto addForm = [&forms](std::string form) {
    if (!form.empty() && std::find(forms.begin(), forms.end(), form) == forms.end())
      forms.push_back(std::move(form));
  };
  addForm(std::string(secret));
  const auto encoded = base64(secret);
  addForm(encoded);
  addForm(encoded.substr(0, encoded.find_last_not_of('=') + 1));
  addForm(urlEncode(secret, false));
  addForm(urlEncode(secret, true));
  return forms;
}

void SecretMasker::add(std::string_view secret) {
  for (auto& form : secretForms(secret)) {
    if (std::find(patterns_.begin(), patterns_.end(), form) == patterns_.end())
      patterns_.push_back(std::move(form));
  }
}

std::vector<SecretMasker::Interval> SecretMasker::matches(std::string_view text) const {
  std::vector<Interval> found;
  for (const auto& pattern : patterns_) {
    for (size_t at = text.find(pattern); at != std::string_view::npos; at = text.find(pattern, at + 1)) {
      found.push_back({at, at + pattern.size()});
    }
  }
  std::sort(found.begin(), found.end(),
            [](const Interval& a, const Interval& b) { return a.begin < b.begin; });
  std::vector<Interval> merged;
  for (const auto& interval : found) {
    if (!merged.empty() && interval.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, interval.end);
    } else {
      merged.push_back(interval);
    }
  }
  return merged;
}

std::string SecretMasker::mask(std::string_view text) const {
  std::string out;
  size_t copied = 0;
  for (const auto& interval : matches(text)) {
    out.append(text.substr(copied, interval.begin - copied));
    out.append(kMask);
    copied = interval.end;
  }
  out.append(text.substr(copied));
  return out;
}

size_t SecretMasker::settledLength(std::string_view text) const {
  // Hold back the longest suffix that is a proper prefix of some pattern.
  size_t cut = text.size();
  for (const auto& pattern : patterns_) {
    for (size_t k = std::min(pattern.size() - 1, text.size()); k > 0; --k) {
      if (text.substr(text.size() - k) == std::string_view(pattern).substr(0, k)) {
        cut = std::min(cut, text.size() - k);
        break;
      }
    }
  }
  // A complete match reaching into the held suffix could grow with the next chunk: hold it too.
  // Every match that starts before the cut is complete (else its start would be a held suffix).
  for (const auto& interval : matches(text)) {
    if (interval.begin < cut && interval.end > cut) cut = interval.begin;
  }
  return cut;
}

}  // namespace hangar::runner
