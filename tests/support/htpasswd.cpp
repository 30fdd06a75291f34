#include "tests/support/htpasswd.hpp"

#include "tests/support/command.hpp"

namespace hangar::test {

std::string bcrypt_hash(const std::string& password) {
  CommandOptions options;
  options.input = password;
  const auto result = run_checked({"python3", "-W", "ignore", "-c",
                                   "import crypt,sys; print(crypt.crypt(sys.stdin.read(), "
                                   "crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))"},
                                  options);
  return result.out.substr(0, result.out.find('\n'));
}

}  // namespace hangar::test
