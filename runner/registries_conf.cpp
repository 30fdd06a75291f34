#include "runner/registries_conf.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "registry/image_reference.hpp"

namespace hangar::runner {
namespace {

// A TOML basic string; the values are checked first, so no escaping is needed.
std::string quoted(const std::string& what, const std::string& value) {
  const bool bad = value.empty() || std::any_of(value.begin(), value.end(), [](char c) {
                     return c == '"' || c == '\\' || std::isspace(static_cast<unsigned char>(c)) ||
                            std::iscntrl(static_cast<unsigned char>(c));
                   });
  if (bad) throw std::invalid_argument("registries.conf: invalid " + what + " '" + value + "'");
  return "\"" + value + "\"";
}

std::string hostOf(const std::string& location) { return location.substr(0, location.find('/')); }

}  // namespace

std::string RegistriesConf::render() const {
  auto insecure = [&](const std::string& host) {
    return registry::isLoopbackRegistry(host) ||
           std::find(insecureRegistries.begin(), insecureRegistries.end(), host) != insecureRegistries.end();
  };

  std::string text = "# Written by Hangar for one run.\nunqualified-search-registries = [\"docker.io\"]\n";
  for (const auto& [prefix, location] : mirrors) {
    text += "\n[[registry]]\nprefix = " + quoted("mirror prefix", prefix) +
            "\nlocation = " + quoted("mirror location", location) + "\n";
    if (insecure(hostOf(location))) text += "insecure = true\n";
  }

  std::set<std::string> plainHosts;
  for (const auto& host : registries) {
    if (!host.empty()) plainHosts.insert(host);
  }
  for (const auto& host : insecureRegistries) plainHosts.insert(host);
  for (const auto& [prefix, location] : mirrors) plainHosts.insert(hostOf(location));
  for (const auto& host : plainHosts) {
    if (!insecure(host) || mirrors.contains(host)) continue;
    text += "\n[[registry]]\nlocation = " + quoted("registry", host) + "\ninsecure = true\n";
  }
  return text;
}

}  // namespace hangar::runner
