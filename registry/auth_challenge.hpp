#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::registry {

/// One challenge of a WWW-Authenticate header (RFC 7235): the scheme ("bearer", "basic", lower-cased)
/// and its auth-params (lower-cased names; values unquoted, backslash escapes removed).
struct AuthChallenge {
  std::string scheme;
  std::map<std::string, std::string> params;

  /// The parameter's value, or "" when absent (`name` in lower case).
  std::string param(const std::string& name) const;
};

/// Parses a WWW-Authenticate value with any number of challenges, e.g.
/// `Bearer realm="https://r/token",service="r",scope="repository:a:pull,push repository:b:pull", Basic
/// realm=x`. Quoted values may contain commas, spaces and escaped quotes; unquoted (token) values are
/// accepted. Malformed trailing text is ignored rather than guessed at.
std::vector<AuthChallenge> parseWwwAuthenticate(std::string_view header);

}  // namespace hangar::registry
