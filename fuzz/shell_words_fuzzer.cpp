// Fuzzes POSIX word splitting (runner::splitShellWords) and checks that quoting round-trips:
// splitShellWords(joinShellWords(words)) == words.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "runner/shell_words.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto words = hangar::runner::splitShellWords(text);
    if (hangar::runner::splitShellWords(hangar::runner::joinShellWords(words)) != words) std::abort();
  } catch (const hangar::runner::ShellWordsError& error) {
    if (error.offset() > text.size() || error.line() < 1 || error.column() < 1) std::abort();
  }
  return 0;
}
