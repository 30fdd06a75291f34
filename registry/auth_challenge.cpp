#include "registry/auth_challenge.hpp"

#include <cctype>

namespace hangar::registry {
namespace {

bool isTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~/:").find(c) != std::string_view::npos;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

struct Cursor {
  std::string_view text;
  size_t pos = 0;

  bool done() const { return pos >= text.size(); }
  char peek() const { return done() ? '\0' : text[pos]; }
  void skipSpace() {
    while (!done() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
  }
  void skipSpaceAndCommas() {
    while (!done() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == ',')) ++pos;
  }
  std::string token() {
    const size_t start = pos;
    while (!done() && isTokenChar(text[pos])) ++pos;
    return std::string(text.substr(start, pos - start));
  }
  std::string quoted() {  // at the opening quote
    std::string value;
    ++pos;
    while (!done() && text[pos] != '"') {
      if (text[pos] == '\\' && pos + 1 < text.size()) ++pos;
      value += text[pos++];
    }
    if (!done()) ++pos;  // closing quote
    return value;
  }
};

}  // namespace

std::string AuthChallenge::param(const std::string& name) const {
  const auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::vector<AuthChallenge> parseWwwAuthenticate(std::string_view header) {
  std::vector<AuthChallenge> challenges;
  Cursor in{header};
  in.skipSpaceAndCommas();
  while (!in.done()) {
    std::string scheme = in.token();
    if (scheme.empty()) break;  // not a challenge: stop rather than guess
    AuthChallenge challenge{lower(scheme), {}};
    in.skipSpace();
    while (!in.done()) {
      const size_t mark = in.pos;
      in.skipSpaceAndCommas();
      std::string name = in.token();
      in.skipSpace();
      if (name.empty() || in.peek() != '=') {
        in.pos = mark;  // the next challenge's scheme (or token68 / garbage): leave it for the outer loop
        break;
      }
      ++in.pos;  // '='
      in.skipSpace();
      std::string value;
      if (in.peek() == '"') {
        value = in.quoted();
      } else {
        const size_t start = in.pos;
        while (!in.done() && in.peek() != ',' && in.peek() != ' ') ++in.pos;
        value = std::string(header.substr(start, in.pos - start));
      }
      challenge.params[lower(name)] = value;
      in.skipSpace();
    }
    challenges.push_back(std::move(challenge));
    in.skipSpaceAndCommas();
    // Skip a token68 or anything unparseable up to the next comma.
    if (!in.done() && !isTokenChar(in.peek())) break;
  }
  return challenges;
}

}  // namespace hangar::registry
