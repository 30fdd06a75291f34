#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::config::gotemplate {

struct Pipeline;

/// One operand of a command: a term (dot, field chain, variable, function name, constant, or a
/// parenthesised pipeline) optionally followed by field names (`$x.a.b`, `(index . 0).Name`).
struct Operand {
  enum class Kind { Dot, Field, Variable, Function, Nil, Constant, Pipeline };
  Kind kind = Kind::Dot;
  std::size_t pos = 0;
  std::string name;                    // Variable ("$x", "$") or Function name
  std::vector<std::string> fields;     // Field: the chain from dot; others: fields after the term
  nlohmann::json constant;             // Constant: bool, number or string
  std::shared_ptr<Pipeline> pipeline;  // Pipeline
};

/// One stage of a pipeline: an operand and its arguments (`printf "%d" .x`).
struct Command {
  std::size_t pos = 0;
  std::vector<Operand> operands;
};

/// A pipeline with its optional variable declaration (`$x := ...`, `$i, $v := ...`, `$x = ...`).
struct Pipeline {
  std::size_t pos = 0;
  std::vector<std::string> variables;
  bool assign = false;  // `=` instead of `:=`
  std::vector<Command> commands;
};

/// One node of a parsed template.
struct Node {
  enum class Kind { Text, Action, If, Range, With, Break, Continue };
  Kind kind = Kind::Text;
  std::size_t pos = 0;
  std::string text;   // Text
  Pipeline pipeline;  // Action, If, Range, With
  std::vector<Node> list;
  std::vector<Node> elseList;  // `else if` / `else with` is a single nested If / With node here
};

/// Parses a template into nodes as Go's text/template/parse does: checks that every function exists
/// (`isFunction`) and every variable is declared. Throws TemplateError with the position.
std::vector<Node> parseTemplate(std::string_view text,
                                const std::function<bool(const std::string&)>& isFunction);

}  // namespace hangar::config::gotemplate
