#include "runner/dockerfile_dependencies.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace hangar::runner {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(begin, end - begin + 1));
}

// Joins continuation lines (a trailing escape character) and drops comments and blank lines.
std::vector<std::string> logicalLines(std::string_view text) {
  std::vector<std::string> lines;
  std::istringstream in{std::string(text)};
  std::string raw;
  std::string pending;
  while (std::getline(in, raw)) {
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;  // comments may sit inside a continued instruction
    if (line.back() == '\\') {
      pending += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    lines.push_back(pending + line);
    pending.clear();
  }
  if (!pending.empty()) lines.push_back(pending);
  return lines;
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Expands $X, ${X}, ${X:-default} and ${X:+alt} with the known arguments; unknown ones are empty.
std::string expand(const std::string& text, const std::map<std::string, std::string>& args) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    std::string name;
    std::string modifier;
    std::string word;
    if (text[i + 1] == '{') {
      size_t close = text.find('}', i + 2);
      if (close == std::string::npos) {
        out += text.substr(i);
        break;
      }
      std::string inner = text.substr(i + 2, close - i - 2);
      size_t colon = inner.find(':');
      name = inner.substr(0, colon);
      if (colon != std::string::npos && colon + 1 < inner.size()) {
        modifier = inner.substr(colon + 1, 1);
        word = inner.substr(colon + 2);
      }
      i = close;
    } else {
      size_t end = i + 1;
      while (end < text.size() && isNameChar(text[end])) ++end;
      if (end == i + 1) {
        out += '$';
        continue;
      }
      name = text.substr(i + 1, end - i - 1);
      i = end - 1;
    }
    auto found = args.find(name);
    bool set = found != args.end() && !found->second.empty();
    if (modifier == "-")
      out += set ? found->second : word;
    else if (modifier == "+")
      out += set ? word : "";
    else if (set)
      out += found->second;
  }
  return out;
}

}  // namespace

DockerfileDependencies scanDockerfile(std::string_view dockerfile,
                                      const std::map<std::string, std::string>& buildArgs,
                                      const std::string& target) {
  std::map<std::string, std::string> globalArgs;
  std::map<std::string, std::string> stageOrigin;  // stage name (lower case) -> image it starts from
  std::vector<std::string> origins;                // each stage's resolved origin, in order
  bool seenFrom = false;
  for (const std::string& line : logicalLines(dockerfile)) {
    std::vector<std::string> tokens = words(line);
    if (tokens.empty()) continue;  // a line of only whitespace words() drops (found by fuzzing)
    std::string instruction = lower(tokens[0]);
    if (instruction == "arg" && !seenFrom) {
      for (size_t i = 1; i < tokens.size(); ++i) {
        size_t equals = tokens[i].find('=');
        std::string name = tokens[i].substr(0, equals);
        std::string value = equals == std::string::npos ? "" : tokens[i].substr(equals + 1);
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
            value.back() == value.front())
          value = value.substr(1, value.size() - 2);
        auto given = buildArgs.find(name);
        globalArgs[name] = given != buildArgs.end() ? given->second : expand(value, globalArgs);
      }
      continue;
    }
    if (instruction != "from") continue;
    seenFrom = true;
    std::vector<std::string> operands;
    for (size_t i = 1; i < tokens.size(); ++i)
      if (tokens[i].rfind("--", 0) != 0) operands.push_back(tokens[i]);  // --platform=... and friends
    if (operands.empty()) continue;
    std::string image = expand(operands[0], globalArgs);
    auto chained = stageOrigin.find(lower(image));
    std::string origin = chained != stageOrigin.end() ? chained->second : image;
    origins.push_back(origin);
    std::string stageName;
    if (operands.size() >= 3 && lower(operands[1]) == "as") stageName = lower(operands[2]);
    if (!stageName.empty()) stageOrigin[stageName] = origin;
    if (!target.empty() && stageName == lower(target)) break;
  }

  DockerfileDependencies result;
  if (origins.empty()) return result;
  auto isImage = [](const std::string& origin) { return !origin.empty() && lower(origin) != "scratch"; };
  if (isImage(origins.back())) result.runtime = origins.back();
  for (size_t i = 0; i + 1 < origins.size(); ++i) {
    const std::string& origin = origins[i];
    if (isImage(origin) && origin != result.runtime &&
        std::find(result.buildtime.begin(), result.buildtime.end(), origin) == result.buildtime.end())
      result.buildtime.push_back(origin);
  }
  return result;
}

}  // namespace hangar::runner
