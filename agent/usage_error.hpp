#pragma once

#include <stdexcept>

namespace hangar::agent {

/// A problem with what the user asked for (a missing file, a malformed flag): exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace hangar::agent
