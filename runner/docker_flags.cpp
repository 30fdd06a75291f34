#include "runner/docker_flags.hpp"

#include <stdexcept>

namespace hangar::runner {
namespace {

const DockerFlagSpec* findLong(std::span<const DockerFlagSpec> specs, std::string_view name) {
  for (const auto& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

const DockerFlagSpec* findShort(std::span<const DockerFlagSpec> specs, char letter) {
  for (const auto& spec : specs) {
    if (spec.shortName != 0 && spec.shortName == letter) return &spec;
  }
  return nullptr;
}

}  // namespace

DockerArguments parseDockerArguments(const std::vector<std::string>& words,
                                     std::span<const DockerFlagSpec> specs, bool interspersed) {
  DockerArguments result;
  bool flagsEnded = false;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (flagsEnded || word.size() < 2 || word[0] != '-') {
      result.positionals.push_back(word);
      if (!interspersed) flagsEnded = true;
      continue;
    }
    if (word == "--") {
      flagsEnded = true;
      continue;
    }
    // The value of a value flag: the rest of this word, else the next word.
    auto takeValue = [&](std::string_view flagWord, std::optional<std::string> inlineValue) {
      if (inlineValue) return *inlineValue;
      if (i + 1 >= words.size()) {
        throw std::invalid_argument("flag needs an argument: " + std::string(flagWord));
      }
      return words[++i];
    };
    if (word[1] == '-') {
      const auto equals = word.find('=');
      const std::string name = word.substr(0, equals);
      const DockerFlagSpec* spec = findLong(specs, name);
      if (spec == nullptr) throw std::invalid_argument("unknown flag: " + name);
      std::optional<std::string> inlineValue;
      if (equals != std::string::npos) inlineValue = word.substr(equals + 1);
      if (spec->takesValue) {
        result.flags.push_back({std::string(spec->name), takeValue(name, inlineValue)});
      } else {
        result.flags.push_back({std::string(spec->name), inlineValue});
      }
      continue;
    }
    // One-letter flags: booleans may be clustered; a value flag takes the rest of the word.
    for (size_t j = 1; j < word.size(); ++j) {
      const char letter = word[j];
      const std::string flagWord = std::string("-") + letter;
      if (letter == '=') throw std::invalid_argument("unknown shorthand flag in " + word);
      const DockerFlagSpec* spec = findShort(specs, letter);
      if (spec == nullptr) {
        throw std::invalid_argument("unknown shorthand flag: '" + std::string(1, letter) + "' in " + word);
      }
      std::optional<std::string> inlineValue;
      if (j + 1 < word.size()) {
        inlineValue = word.substr(word[j + 1] == '=' ? j + 2 : j + 1);
      }
      if (spec->takesValue) {
        result.flags.push_back({std::string(spec->name), takeValue(flagWord, inlineValue)});
        break;
      }
      if (j + 1 < word.size() && word[j + 1] == '=') {
        result.flags.push_back({std::string(spec->name), word.substr(j + 2)});
        break;
      }
      result.flags.push_back({std::string(spec->name), std::nullopt});
    }
  }
  return result;
}

}  // namespace hangar::runner
