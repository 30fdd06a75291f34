#pragma once

#include <string>

namespace hangar::test {

/// A bcrypt hash of `password` for a docker-registry htpasswd file (it accepts bcrypt only), made by
/// libxcrypt through Python's crypt module; the password goes over stdin, never argv.
std::string bcrypt_hash(const std::string& password);

}  // namespace hangar::test
