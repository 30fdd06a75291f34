#pragma once

#include <string>

namespace hangar::registry {

/// A credential for one registry: username/password or an identity (refresh) token. Never logged: there is
/// deliberately no operator<< or to-string for it.
struct Credential {
  std::string username;
  std::string password;
  std::string identityToken;

  friend bool operator==(const Credential&, const Credential&) = default;
};

}  // namespace hangar::registry
