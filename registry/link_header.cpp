#include "registry/link_header.hpp"

namespace hangar::registry {

std::string nextPageLink(const std::string& link) {
  if (link.find("rel=\"next\"") == std::string::npos && link.find("rel=next") == std::string::npos) return "";
  const auto open = link.find('<');
  const auto close = link.find('>', open);
  if (open == std::string::npos || close == std::string::npos) return "";
  return link.substr(open + 1, close - open - 1);
}

}  // namespace hangar::registry
