#pragma once

#include <exception>
#include <functional>
#include <string>

namespace hangar::test {

/// The message of the exception `action` throws, or "no error" when it returns: for asserting on the
/// text of an error (what it names, what it must not quote).
inline std::string errorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace hangar::test
