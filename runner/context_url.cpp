#include "runner/context_url.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace hangar::runner {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// scp-like `user@host:path` (no scheme, a ':' before any '/').
bool isScpLike(const std::string& text) {
  if (text.find("://") != std::string::npos) return false;
  auto at = text.find('@');
  auto colon = text.find(':');
  auto slash = text.find('/');
  return at != std::string::npos && colon != std::string::npos && at < colon &&
         (slash == std::string::npos || colon < slash);
}

struct SplitUrl {
  std::string scheme;    // "https"
  std::string userinfo;  // "user:pass" (may be empty)
  bool hasUserinfo = false;
  std::string hostport;  // "host:443"
  std::string path;      // "/org/repo.git"
};

SplitUrl splitUrl(const std::string& url) {
  SplitUrl split;
  auto schemeEnd = url.find("://");
  split.scheme = lower(url.substr(0, schemeEnd));
  std::string rest = url.substr(schemeEnd + 3);
  auto pathStart = rest.find('/');
  std::string authority = rest.substr(0, pathStart);
  split.path = pathStart == std::string::npos ? "" : rest.substr(pathStart);
  auto at = authority.rfind('@');
  if (at != std::string::npos) {
    split.hasUserinfo = true;
    split.userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
  }
  split.hostport = authority;
  return split;
}

std::string joinUrl(const SplitUrl& split, const std::string& userinfo) {
  return split.scheme + "://" + (userinfo.empty() ? "" : userinfo + "@") + split.hostport + split.path;
}

std::string percentDecode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::string ContextUrl::display() const {
  std::string text = url;
  if (!ref.empty() || !subdir.empty()) text += "#" + ref;
  if (!subdir.empty()) text += ":" + subdir;
  return text;
}

bool isRemoteContext(const std::string& context) {
  return context.find("://") != std::string::npos || isScpLike(context);
}

std::string stripCredentials(const std::string& url) {
  if (url.find("://") == std::string::npos) return url;
  SplitUrl split = splitUrl(url);
  if (!split.hasUserinfo) return url;
  std::string user = split.userinfo.substr(0, split.userinfo.find(':'));
  bool ssh = split.scheme == "ssh" || split.scheme == "git+ssh";
  return joinUrl(split, ssh ? user : "");
}

std::string normalizeRepositoryUrl(const std::string& url) {
  std::string text;
  if (url.find("://") != std::string::npos) {
    SplitUrl split = splitUrl(url);
    split.hostport = lower(split.hostport);
    text = joinUrl(split, "");
  } else {
    text = url;  // scp-like: host lower-cased, user dropped
    auto at = text.find('@');
    auto colon = text.find(':');
    text = lower(text.substr(at + 1, colon - at - 1)) + ":" + text.substr(colon + 1);
  }
  while (endsWith(text, "/")) text.pop_back();
  if (endsWith(text, ".git")) text.resize(text.size() - 4);
  return text;
}

ContextUrl parseContextUrl(const std::string& context) {
  if (!isRemoteContext(context)) throw std::invalid_argument("'" + context + "' is not a remote context URL");
  ContextUrl parsed;
  std::string base = context;
  if (auto hash = context.find('#'); hash != std::string::npos) {
    base = context.substr(0, hash);
    std::string fragment = context.substr(hash + 1);
    auto colon = fragment.find(':');
    parsed.ref = fragment.substr(0, colon);
    if (colon != std::string::npos) parsed.subdir = fragment.substr(colon + 1);
    while (!parsed.subdir.empty() && parsed.subdir.back() == '/') parsed.subdir.pop_back();
    while (!parsed.subdir.empty() && parsed.subdir.front() == '/') parsed.subdir.erase(0, 1);
    if (parsed.subdir.find("..") != std::string::npos)
      throw std::invalid_argument("context '" + stripCredentials(base) + "': subdir '" + parsed.subdir +
                                  "' may not contain '..'");
  }

  if (isScpLike(base)) {
    parsed.url = base;
    parsed.username = base.substr(0, base.find('@'));
    return parsed;
  }

  SplitUrl split = splitUrl(base);
  static const char* const kSchemes[] = {"http", "https", "ssh", "git+ssh", "git", "file"};
  if (std::none_of(std::begin(kSchemes), std::end(kSchemes),
                   [&](const char* s) { return split.scheme == s; }))
    throw std::invalid_argument("context '" + stripCredentials(base) + "': unsupported scheme '" +
                                split.scheme + "' (use https, http, ssh, git or file)");
  if (split.scheme != "file" && split.hostport.empty())
    throw std::invalid_argument("context '" + stripCredentials(base) + "': the URL has no host");
  if (split.hasUserinfo) {
    auto colon = split.userinfo.find(':');
    parsed.username = percentDecode(split.userinfo.substr(0, colon));
    if (colon != std::string::npos) parsed.password = percentDecode(split.userinfo.substr(colon + 1));
    if (parsed.username->empty()) parsed.username.reset();
  }
  bool ssh = split.scheme == "ssh" || split.scheme == "git+ssh";
  parsed.url =
      joinUrl(split, ssh && parsed.username ? split.userinfo.substr(0, split.userinfo.find(':')) : "");

  std::string path = lower(split.path);
  if ((split.scheme == "http" || split.scheme == "https") &&
      (endsWith(path, ".tar.gz") || endsWith(path, ".tgz"))) {
    parsed.kind = ContextKind::Archive;
    if (!parsed.ref.empty())
      throw std::invalid_argument("context '" + parsed.url + "': an archive URL takes no '#ref' (got '" +
                                  parsed.ref + "')");
  }
  return parsed;
}

}  // namespace hangar::runner
