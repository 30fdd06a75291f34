#include "runner/shell_words.hpp"

#include <algorithm>

namespace hangar::runner {
namespace {

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

[[noreturn]] void throwUnterminated(std::string_view line, std::size_t offset, std::string_view what) {
  const auto before = line.substr(0, offset);
  const int lineNumber = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
  const auto lineStart = before.rfind('\n');
  const int column = static_cast<int>(offset - (lineStart == std::string_view::npos ? 0 : lineStart + 1)) + 1;
  std::string message = "unterminated " + std::string(what) + " starting at ";
  if (lineNumber > 1 || line.find('\n') != std::string_view::npos)
    message += "line " + std::to_string(lineNumber) + ", ";
  message += "column " + std::to_string(column);
  throw ShellWordsError(message, offset, lineNumber, column);
}

}  // namespace

std::vector<std::string> splitShellWords(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool inWord = false;  // a word has started, even if it is still empty (as with '')
  const auto endWord = [&] {
    if (inWord) words.push_back(std::move(word));
    word.clear();
    inWord = false;
  };

  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (isBlank(c)) {
      endWord();
      ++i;
    } else if (c == '#' && !inWord) {
      const auto newline = line.find('\n', i);
      i = newline == std::string_view::npos ? line.size() : newline;
    } else if (c == '\\') {
      if (i + 1 == line.size()) {
        word += '\\';
        inWord = true;
        ++i;
      } else if (line[i + 1] == '\n') {
        i += 2;  // line continuation: joins the words around it
      } else {
        word += line[i + 1];
        inWord = true;
        i += 2;
      }
    } else if (c == '\'') {
      const auto close = line.find('\'', i + 1);
      if (close == std::string_view::npos) throwUnterminated(line, i, "single quote");
      word.append(line.substr(i + 1, close - i - 1));
      inWord = true;
      i = close + 1;
    } else if (c == '"') {
      const std::size_t open = i++;
      inWord = true;
      while (true) {
        if (i >= line.size()) throwUnterminated(line, open, "double quote");
        const char d = line[i];
        if (d == '"') {
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < line.size()) {
          const char next = line[i + 1];
          if (next == '\n') {
            i += 2;
            continue;
          }
          if (next == '$' || next == '`' || next == '"' || next == '\\') {
            word += next;
            i += 2;
            continue;
          }
        }
        word += d;
        ++i;
      }
    } else {
      word += c;
      inWord = true;
      ++i;
    }
  }
  endWord();
  return words;
}

std::string quoteShellWord(std::string_view word) {
  const auto safe = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
  };
  if (!word.empty() && std::all_of(word.begin(), word.end(), safe)) return std::string(word);
  std::string out = "'";
  for (const char c : word) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += '\'';
  return out;
}

std::string joinShellWords(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) {
    if (!out.empty()) out += ' ';
    out += quoteShellWord(word);
  }
  return out;
}

}  // namespace hangar::runner
