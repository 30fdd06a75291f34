#pragma once

#include <string>

namespace hangar::registry {

/// The URL of a `Link: <url>; rel="next"` header (registry pagination), or "" when there is no next page.
std::string nextPageLink(const std::string& linkHeader);

}  // namespace hangar::registry
