#include "config/go_template_parser.hpp"

#include <cerrno>
#include <cstdlib>
#include <optional>

#include "config/go_template_lexer.hpp"

namespace hangar::config::gotemplate {
namespace {

/// Go's integer and float constants; an integer too large for 64 bits becomes a float, as in Go.
nlohmann::json parseNumber(std::string text) {
  std::erase(text, '_');
  bool negative = false;
  std::string body = text;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.erase(0, 1);
  }
  int base = 10;
  std::string digits = body;
  if (body.size() > 1 && body[0] == '0') {
    const char p = body[1];
    if (p == 'x' || p == 'X') {
      base = 16, digits = body.substr(2);
    } else if (p == 'b' || p == 'B') {
      base = 2, digits = body.substr(2);
    } else if (p == 'o' || p == 'O') {
      base = 8, digits = body.substr(2);
    } else if (body.find_first_not_of("01234567") == std::string::npos) {
      base = 8, digits = body.substr(1);
    }
  }
  const bool isFloat = base == 10 && body.find_first_of(".eE") != std::string::npos;
  if (!isFloat && !digits.empty()) {
    errno = 0;
    char* end = nullptr;
    const unsigned long long value = std::strtoull(digits.c_str(), &end, base);
    if (errno == 0 && *end == '\0') {
      if (!negative && value <= static_cast<unsigned long long>(INT64_MAX))
        return static_cast<std::int64_t>(value);
      if (negative && value <= static_cast<unsigned long long>(INT64_MAX) + 1ULL)
        return static_cast<std::int64_t>(-static_cast<std::int64_t>(value - 1) - 1);
      if (!negative) return static_cast<std::uint64_t>(value);
    }
  }
  if (base != 10) return nullptr;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (*end != '\0') return nullptr;
  return value;
}

const char* kindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::Text:
      return "text";
    case TokenKind::LeftDelim:
      return "\"{{\"";
    case TokenKind::RightDelim:
      return "\"}}\"";
    case TokenKind::Pipe:
      return "\"|\"";
    case TokenKind::LeftParen:
      return "\"(\"";
    case TokenKind::RightParen:
      return "\")\"";
    case TokenKind::Declare:
      return "\":=\"";
    case TokenKind::Assign:
      return "\"=\"";
    case TokenKind::Comma:
      return "\",\"";
    case TokenKind::EndOfInput:
      return "end of input";
    default:
      return nullptr;
  }
}

std::string describe(const Token& token) {
  if (const char* name = kindName(token.kind)) return name;
  switch (token.kind) {
    case TokenKind::Field:
      return "<." + token.text + ">";
    case TokenKind::Dot:
      return "<.>";
    case TokenKind::String:
      return "quoted string";
    default:
      return "<" + token.text + ">";
  }
}

/// Where a list of nodes ended.
enum class Stop { EndOfInput, End, Else };

/// A recursive-descent parser over the tokens, with the variables in scope.
class Parser {
 public:
  Parser(std::string_view text, const std::function<bool(const std::string&)>& isFunction)
      : text_(text), tokens_(lexTemplate(text)), isFunction_(isFunction) {}

  std::vector<Node> run() {
    std::vector<Node> root;
    const Stop stop = parseList(root);
    if (stop != Stop::EndOfInput)
      fail(stopPos_, stop == Stop::End ? "unexpected {{end}}" : "unexpected {{else}}");
    return root;
  }

 private:
  const Token& peek() const { return tokens_[index_]; }
  const Token& next() { return tokens_[index_ < tokens_.size() - 1 ? index_++ : index_]; }
  [[noreturn]] void fail(std::size_t pos, const std::string& message) const { failAt(text_, pos, message); }

  void expect(TokenKind kind, const char* context) {
    const Token& token = next();
    if (token.kind != kind) fail(token.pos, "unexpected " + describe(token) + " in " + context);
  }

  bool isKeyword(const Token& token, std::string_view word) const {
    return token.kind == TokenKind::Identifier && token.text == word;
  }

  Stop parseList(std::vector<Node>& out) {
    for (;;) {
      const Token& token = next();
      switch (token.kind) {
        case TokenKind::EndOfInput:
          stopPos_ = token.pos;
          return Stop::EndOfInput;
        case TokenKind::Text: {
          Node node;
          node.kind = Node::Kind::Text;
          node.pos = token.pos;
          node.text = token.text;
          out.push_back(std::move(node));
          break;
        }
        case TokenKind::LeftDelim: {
          const std::size_t start = token.pos;
          const Token& word = peek();
          if (isKeyword(word, "end")) {
            next();
            expect(TokenKind::RightDelim, "end");
            stopPos_ = start;
            return Stop::End;
          }
          if (isKeyword(word, "else")) {
            next();
            stopPos_ = start;
            return Stop::Else;
          }
          if (isKeyword(word, "if") || isKeyword(word, "range") || isKeyword(word, "with")) {
            next();
            const Node::Kind kind = word.text == "if"      ? Node::Kind::If
                                    : word.text == "range" ? Node::Kind::Range
                                                           : Node::Kind::With;
            out.push_back(parseControl(kind, start));
            break;
          }
          if (isKeyword(word, "break") || isKeyword(word, "continue")) {
            const bool isBreak = word.text == "break";
            next();
            if (rangeDepth_ == 0)
              fail(start, std::string("{{") + (isBreak ? "break" : "continue") + "}} outside {{range}}");
            expect(TokenKind::RightDelim, isBreak ? "break" : "continue");
            Node node;
            node.kind = isBreak ? Node::Kind::Break : Node::Kind::Continue;
            node.pos = start;
            out.push_back(std::move(node));
            break;
          }
          if (isKeyword(word, "define") || isKeyword(word, "template") || isKeyword(word, "block"))
            fail(word.pos, "{{" + word.text + "}} is not supported in task files");
          Node node;
          node.kind = Node::Kind::Action;
          node.pos = start;
          node.pipeline = parsePipeline("command", TokenKind::RightDelim, start);
          out.push_back(std::move(node));
          break;
        }
        default:
          fail(token.pos, "unexpected " + describe(token));
      }
    }
  }

  Node parseControl(Node::Kind kind, std::size_t start) {
    const char* context = kind == Node::Kind::If ? "if" : kind == Node::Kind::Range ? "range" : "with";
    const std::size_t scope = variables_.size();
    // Nesting (else-if chains included) is recursion here and in the executor: bound it.
    if (++controlDepth_ > kMaxControlDepth)
      fail(start, "{{if}}/{{range}}/{{with}} nested more than " + std::to_string(kMaxControlDepth) + " deep");
    struct Leave {
      int& depth;
      ~Leave() { --depth; }
    } leave{controlDepth_};
    Node node;
    node.kind = kind;
    node.pos = start;
    node.pipeline = parsePipeline(context, TokenKind::RightDelim, start);
    if (kind == Node::Kind::Range) ++rangeDepth_;
    Stop stop = parseList(node.list);
    if (kind == Node::Kind::Range) --rangeDepth_;
    if (stop == Stop::EndOfInput)
      fail(start, std::string("unexpected EOF: {{") + context + "}} has no {{end}}");
    if (stop == Stop::Else) {
      const Token& word = peek();
      if ((kind == Node::Kind::If && isKeyword(word, "if")) ||
          (kind == Node::Kind::With && isKeyword(word, "with"))) {
        next();
        node.elseList.push_back(parseControl(kind, stopPos_));  // consumes the shared {{end}}
        variables_.resize(scope);
        return node;
      }
      expect(TokenKind::RightDelim, "else");
      stop = parseList(node.elseList);
      if (stop == Stop::Else) fail(stopPos_, std::string("expected end; found {{else}}"));
      if (stop == Stop::EndOfInput)
        fail(start, std::string("unexpected EOF: {{") + context + "}} has no {{end}}");
    }
    variables_.resize(scope);
    return node;
  }

  bool isVariableDefined(const std::string& name) const {
    for (const std::string& v : variables_)
      if (v == name) return true;
    return false;
  }

  Pipeline parsePipeline(const char* context, TokenKind end, std::size_t start) {
    Pipeline pipe;
    pipe.pos = start;
    // Declarations: $x := / $x = / $i, $v := (range only).
    std::size_t save = index_;
    while (peek().kind == TokenKind::Variable) {
      const Token variable = next();
      const Token& after = peek();
      if (after.kind == TokenKind::Declare || after.kind == TokenKind::Assign) {
        pipe.assign = after.kind == TokenKind::Assign;
        next();
        pipe.variables.push_back(variable.text);
        break;
      }
      if (after.kind == TokenKind::Comma) {
        next();
        pipe.variables.push_back(variable.text);
        if (std::string_view(context) != "range" || pipe.variables.size() >= 2)
          fail(variable.pos, std::string("too many declarations in ") + context);
        if (peek().kind != TokenKind::Variable) fail(peek().pos, "range can only initialize variables");
        continue;
      }
      if (!pipe.variables.empty()) fail(after.pos, "unexpected " + describe(after) + " in declaration");
      index_ = save;
      break;
    }
    for (const std::string& name : pipe.variables) {
      if (pipe.assign) {
        if (!isVariableDefined(name)) fail(start, "undefined variable \"" + name + "\"");
      } else {
        variables_.push_back(name);
      }
    }
    for (;;) {
      const Token& token = peek();
      if (token.kind == end) {
        next();
        if (pipe.commands.empty()) fail(token.pos, std::string("missing value for ") + context);
        for (std::size_t i = 1; i < pipe.commands.size(); ++i) {
          const Operand::Kind first = pipe.commands[i].operands[0].kind;
          if (first == Operand::Kind::Constant || first == Operand::Kind::Nil || first == Operand::Kind::Dot)
            fail(pipe.commands[i].pos, "non executable command in pipeline stage " + std::to_string(i + 1));
        }
        return pipe;
      }
      switch (token.kind) {
        case TokenKind::Bool:
        case TokenKind::Dot:
        case TokenKind::Field:
        case TokenKind::Identifier:
        case TokenKind::Number:
        case TokenKind::Nil:
        case TokenKind::String:
        case TokenKind::Variable:
        case TokenKind::LeftParen:
          pipe.commands.push_back(parseCommand(end));
          break;
        default:
          fail(token.pos, "unexpected " + describe(token) + " in " + context);
      }
    }
  }

  Command parseCommand(TokenKind end) {
    Command command;
    command.pos = peek().pos;
    for (;;) {
      std::optional<Operand> operand = parseOperand();
      if (!operand) fail(peek().pos, "unexpected " + describe(peek()) + " in operand");
      command.operands.push_back(std::move(*operand));
      const Token& token = peek();
      if (token.kind == end || token.kind == TokenKind::RightDelim || token.kind == TokenKind::RightParen)
        break;
      if (token.kind == TokenKind::Pipe) {
        next();
        break;
      }
      if (!token.spaceBefore || token.kind == TokenKind::EndOfInput)
        fail(token.pos, "unexpected " + describe(token) + " in operand");
    }
    if (command.operands.empty()) fail(command.pos, "empty command");
    return command;
  }

  std::optional<Operand> parseOperand() {
    std::optional<Operand> term = parseTerm();
    if (!term) return term;
    while (peek().kind == TokenKind::Field && !peek().spaceBefore) {
      const Token& field = next();
      switch (term->kind) {
        case Operand::Kind::Constant:
        case Operand::Kind::Nil:
        case Operand::Kind::Dot:
          fail(field.pos, "unexpected . after term");
        default:
          term->fields.push_back(field.text);
      }
    }
    return term;
  }

  std::optional<Operand> parseTerm() {
    const Token& token = peek();
    Operand operand;
    operand.pos = token.pos;
    switch (token.kind) {
      case TokenKind::Identifier:
        if (token.text == "env" || token.text == "expandenv")
          fail(token.pos, "function \"" + token.text +
                              "\" is not available: task templates cannot read the agent's environment");
        if (!isFunction_(token.text)) fail(token.pos, "function \"" + token.text + "\" not defined");
        operand.kind = Operand::Kind::Function;
        operand.name = token.text;
        break;
      case TokenKind::Dot:
        operand.kind = Operand::Kind::Dot;
        break;
      case TokenKind::Nil:
        operand.kind = Operand::Kind::Nil;
        break;
      case TokenKind::Variable:
        if (!isVariableDefined(token.text)) fail(token.pos, "undefined variable \"" + token.text + "\"");
        operand.kind = Operand::Kind::Variable;
        operand.name = token.text;
        break;
      case TokenKind::Field:
        operand.kind = Operand::Kind::Field;
        operand.fields.push_back(token.text);
        break;
      case TokenKind::Bool:
        operand.kind = Operand::Kind::Constant;
        operand.constant = token.text == "true";
        break;
      case TokenKind::Number:
        operand.kind = Operand::Kind::Constant;
        operand.constant = parseNumber(token.text);
        if (operand.constant.is_null()) fail(token.pos, "illegal number syntax: \"" + token.text + "\"");
        break;
      case TokenKind::String:
        operand.kind = Operand::Kind::Constant;
        operand.constant = token.text;
        break;
      case TokenKind::LeftParen: {
        next();
        operand.kind = Operand::Kind::Pipeline;
        operand.pipeline = std::make_shared<Pipeline>(
            parsePipeline("parenthesized pipeline", TokenKind::RightParen, token.pos));
        return operand;
      }
      default:
        return std::nullopt;
    }
    next();
    return operand;
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  const std::function<bool(const std::string&)>& isFunction_;
  std::size_t index_ = 0;
  std::vector<std::string> variables_{"$"};
  int rangeDepth_ = 0;
  static constexpr int kMaxControlDepth = 1000;
  int controlDepth_ = 0;
  std::size_t stopPos_ = 0;
};

}  // namespace

std::vector<Node> parseTemplate(std::string_view text,
                                const std::function<bool(const std::string&)>& isFunction) {
  return Parser(text, isFunction).run();
}

}  // namespace hangar::config::gotemplate
