#include "registry/image_reference.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <stdexcept>

namespace hangar::registry {
namespace {

constexpr std::string_view kDefaultRegistry = "docker.io";
constexpr std::string_view kLegacyDefaultRegistry = "index.docker.io";
constexpr std::string_view kOfficialPrefix = "library/";
constexpr std::size_t kMaxNameLength = 255;
constexpr std::size_t kMaxTagLength = 128;

bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool isAlnum(char c) { return isLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLowerHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f'); }
bool isWordChar(char c) { return isAlnum(c) || c == '_'; }

std::string toLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

[[noreturn]] void fail(std::string_view text, std::string_view rule) {
  throw std::invalid_argument("invalid image reference \"" + std::string(text) + "\": " + std::string(rule));
}

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [._] | __ | -+
bool isPathComponent(std::string_view c) {
  std::size_t i = 0;
  const auto alnumRun = [&] {
    const std::size_t start = i;
    while (i < c.size() && isLowerAlnum(c[i])) ++i;
    return i > start;
  };
  if (!alnumRun()) return false;
  while (i < c.size()) {
    if (c[i] == '.') {
      ++i;
    } else if (c[i] == '_') {
      ++i;
      if (i < c.size() && c[i] == '_') ++i;
    } else if (c[i] == '-') {
      while (i < c.size() && c[i] == '-') ++i;
    } else {
      return false;
    }
    if (!alnumRun()) return false;
  }
  return true;
}

// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool isDomainComponent(std::string_view c) {
  if (c.empty() || !isAlnum(c.front()) || !isAlnum(c.back())) return false;
  return std::all_of(c.begin(), c.end(), [](char ch) { return isAlnum(ch) || ch == '-'; });
}

bool isPort(std::string_view p) { return !p.empty() && std::all_of(p.begin(), p.end(), isDigit); }

bool isIpv6(std::string_view s) {
  std::array<unsigned char, 16> buf{};
  return inet_pton(AF_INET6, std::string(s).c_str(), buf.data()) == 1;
}

struct HostPort {
  std::string_view host;  // with the brackets of an IPv6 literal
  std::optional<std::string_view> port;
};

// Splits "host[:port]" or "[v6][:port]"; nullopt when the shape is wrong (the port is not checked).
std::optional<HostPort> splitHostPort(std::string_view hostPort) {
  if (hostPort.starts_with('[')) {
    const auto close = hostPort.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const auto rest = hostPort.substr(close + 1);
    if (rest.empty()) return HostPort{hostPort, std::nullopt};
    if (rest.front() != ':') return std::nullopt;
    return HostPort{hostPort.substr(0, close + 1), rest.substr(1)};
  }
  const auto colon = hostPort.find(':');
  if (colon == std::string_view::npos) return HostPort{hostPort, std::nullopt};
  if (hostPort.find(':', colon + 1) != std::string_view::npos) return std::nullopt;
  return HostPort{hostPort.substr(0, colon), hostPort.substr(colon + 1)};
}

void validateDomain(std::string_view text, std::string_view domain) {
  const auto hostPort = splitHostPort(domain);
  if (!hostPort) fail(text, "registry host \"" + std::string(domain) + "\" is malformed");
  if (hostPort->port && !isPort(*hostPort->port))
    fail(text, "registry port \"" + std::string(*hostPort->port) + "\" must be a number");
  const auto host = hostPort->host;
  if (host.starts_with('[')) {
    if (!isIpv6(host.substr(1, host.size() - 2)))
      fail(text, "registry host \"" + std::string(host) + "\" is not a valid IPv6 address");
    return;
  }
  std::size_t start = 0;
  while (true) {
    const auto dot = host.find('.', start);
    const auto component = host.substr(start, dot == std::string_view::npos ? host.npos : dot - start);
    if (!isDomainComponent(component))
      fail(text, "registry host \"" + std::string(host) +
                     "\" must be dot-separated components of letters, digits and inner hyphens");
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
}

void validateRepository(std::string_view text, std::string_view repository) {
  if (repository.empty()) fail(text, "repository name is empty");
  if (toLower(repository) != repository)
    fail(text, "repository name \"" + std::string(repository) + "\" must be lowercase");
  std::size_t start = 0;
  while (true) {
    const auto slash = repository.find('/', start);
    const auto component =
        repository.substr(start, slash == std::string_view::npos ? repository.npos : slash - start);
    if (!isPathComponent(component))
      fail(text, "repository path component \"" + std::string(component) +
                     "\" must be [a-z0-9]+ joined by '.', '_', '__' or '-'");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
}

void validateTag(std::string_view text, std::string_view tag) {
  if (tag.empty()) fail(text, "tag is empty after ':'");
  if (tag.size() > kMaxTagLength) fail(text, "tag is longer than 128 characters");
  if (!isWordChar(tag.front()) ||
      !std::all_of(tag.begin(), tag.end(), [](char c) { return isWordChar(c) || c == '.' || c == '-'; }))
    fail(text, "tag \"" + std::string(tag) + "\" must match [A-Za-z0-9_][A-Za-z0-9_.-]*");
}

void validateDigest(std::string_view text, std::string_view digest) {
  const auto colon = digest.find(':');
  if (colon == std::string_view::npos) fail(text, "digest must have the form ALGORITHM:HEX");
  const auto algorithm = digest.substr(0, colon);
  const auto hex = digest.substr(colon + 1);
  std::size_t expected = 0;
  if (algorithm == "sha256")
    expected = 64;
  else if (algorithm == "sha384")
    expected = 96;
  else if (algorithm == "sha512")
    expected = 128;
  else
    fail(text, "unsupported digest algorithm \"" + std::string(algorithm) + "\" (sha256, sha384, sha512)");
  if (hex.size() != expected || !std::all_of(hex.begin(), hex.end(), isLowerHex))
    fail(text,
         std::string(algorithm) + " digest must be " + std::to_string(expected) + " lowercase hex digits");
}

}  // namespace

ImageReference ImageReference::parse(std::string_view text) {
  if (text.empty()) fail(text, "reference is empty");
  if (text.size() == 64 && std::all_of(text.begin(), text.end(), isLowerHex))
    fail(text, "a 64-character hexadecimal string is an image id, not a repository name");

  ImageReference ref;
  std::string_view rest = text;
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (ref.digest.empty()) fail(text, "digest is empty after '@'");
    validateDigest(text, ref.digest);
  }

  // Domain: the first '/'-separated component, when it looks like a host (docker's splitDockerDomain).
  std::string_view remainder = rest;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    const auto first = rest.substr(0, slash);
    if (first == "localhost" || first.find_first_of(".:") != std::string_view::npos ||
        toLower(first) != first) {
      ref.registry = std::string(first);
      remainder = rest.substr(slash + 1);
    }
  }
  if (ref.registry.empty()) {
    ref.registry = kDefaultRegistry;
  } else {
    validateDomain(text, ref.registry);
    if (ref.registry == kLegacyDefaultRegistry) ref.registry = kDefaultRegistry;
  }

  std::string_view repository = remainder;
  if (const auto colon = remainder.find(':'); colon != std::string_view::npos) {
    repository = remainder.substr(0, colon);
    ref.tag = std::string(remainder.substr(colon + 1));
    validateTag(text, ref.tag);
  }
  validateRepository(text, repository);
  ref.repository = std::string(repository);
  if (ref.registry == kDefaultRegistry && ref.repository.find('/') == std::string::npos)
    ref.repository.insert(0, kOfficialPrefix);
  if (ref.name().size() > kMaxNameLength) fail(text, "name is longer than 255 characters");
  return ref;
}

std::string ImageReference::name() const { return registry + "/" + repository; }

std::string ImageReference::str() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

ImageReference ImageReference::withDefaultTag() const {
  ImageReference copy = *this;
  if (copy.tag.empty() && copy.digest.empty()) copy.tag = "latest";
  return copy;
}

bool isLoopbackRegistry(std::string_view hostPort) {
  std::string_view host = hostPort;  // a bare IPv6 address such as ::1 has no port
  if (hostPort.starts_with('[') || std::count(hostPort.begin(), hostPort.end(), ':') <= 1) {
    const auto split = splitHostPort(hostPort);
    if (!split || (split->port && !isPort(*split->port))) return false;
    host = split->host;
    if (host.starts_with('[')) host = host.substr(1, host.size() - 2);
  }
  if (toLower(host) == "localhost") return true;
  const std::string h(host);
  std::array<unsigned char, 16> addr{};
  if (inet_pton(AF_INET, h.c_str(), addr.data()) == 1) return addr[0] == 127;
  if (inet_pton(AF_INET6, h.c_str(), addr.data()) == 1) {
    static constexpr std::array<unsigned char, 16> kLoopback{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static constexpr std::array<unsigned char, 12> kV4Mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (addr == kLoopback) return true;
    return std::equal(kV4Mapped.begin(), kV4Mapped.end(), addr.begin()) && addr[12] == 127;
  }
  return false;
}

}  // namespace hangar::registry
