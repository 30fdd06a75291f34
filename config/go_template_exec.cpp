#include "config/go_template_exec.hpp"

#include <string>

#include "config/go_template_functions.hpp"
#include "config/go_template_lexer.hpp"

namespace hangar::config::gotemplate {
namespace {

/// Bounds on one render, so a hostile template cannot take the agent's memory or time.
constexpr std::size_t kMaxRenderedBytes = std::size_t(16) << 20;
constexpr std::size_t kMaxExecutedNodes = 1'000'000;

/// The rendered text with, for each output line, the template line that started it.
class Output {
 public:
  /// Template text: its newlines advance the source line.
  void text(std::string_view s, int line) { put(s, line, true); }
  /// An action's output: every line it starts maps to the action's line.
  void value(std::string_view s, int line) { put(s, line, false); }
  RenderedTemplate take() { return std::move(result_); }

 private:
  void put(std::string_view s, int line, bool advance) {
    if (result_.text.size() + s.size() > kMaxRenderedBytes) {
      throw TemplateError(line, 1,
                          "the rendered text would be larger than " +
                              std::to_string(kMaxRenderedBytes >> 20) +
                              " MiB (a huge range or repeat?); refusing to render it");
    }
    for (char c : s) {
      if (!lineOpen_) {
        result_.lineOrigins.push_back(line);
        lineOpen_ = true;
      }
      result_.text += c;
      if (c == '\n') {
        lineOpen_ = false;
        if (advance) ++line;
      }
    }
  }
  RenderedTemplate result_;
  bool lineOpen_ = false;
};

enum class Flow { Normal, Break, Continue };

/// Walks the nodes with the variable stack, writing to the output.
class Executor {
 public:
  Executor(std::string_view text, const nlohmann::json& data, const TemplateOptions& options)
      : text_(text), index_(text), functions_(templateFunctions()), context_{&options} {
    variables_.emplace_back("$", Value(data));
    root_ = Value(data);
  }

  RenderedTemplate run(const std::vector<Node>& nodes) {
    walkList(nodes, root_);
    return output_.take();
  }

 private:
  [[noreturn]] void fail(std::size_t pos, const std::string& message) const {
    throw TemplateError(index_.line(pos), index_.column(pos), message);
  }

  Flow walkList(const std::vector<Node>& list, const Value& dot) {
    for (const Node& node : list) {
      const Flow flow = walk(node, dot);
      if (flow != Flow::Normal) return flow;
    }
    return Flow::Normal;
  }

  /// Counts one node or range iteration against kMaxExecutedNodes.
  void spend(std::size_t pos) {
    if (++executed_ > kMaxExecutedNodes) {
      fail(pos, "the template executes more than " + std::to_string(kMaxExecutedNodes) +
                    " actions (a huge or nested range?); refusing to render it");
    }
  }

  Flow walk(const Node& node, const Value& dot) {
    spend(node.pos);
    switch (node.kind) {
      case Node::Kind::Text:
        output_.text(node.text, index_.line(node.pos));
        return Flow::Normal;
      case Node::Kind::Action: {
        const Value value = evalPipeline(node.pipeline, dot);
        if (node.pipeline.variables.empty() && !value.isNil())
          output_.value(formatValue(value), index_.line(node.pos));
        return Flow::Normal;
      }
      case Node::Kind::If:
      case Node::Kind::With: {
        const std::size_t mark = variables_.size();
        const Value value = evalPipeline(node.pipeline, dot);
        Flow flow;
        if (isTrue(value))
          flow = walkList(node.list, node.kind == Node::Kind::With ? value : dot);
        else
          flow = walkList(node.elseList, dot);
        variables_.resize(mark);
        return flow;
      }
      case Node::Kind::Range:
        return walkRange(node, dot);
      case Node::Kind::Break:
        return Flow::Break;
      case Node::Kind::Continue:
        return Flow::Continue;
    }
    return Flow::Normal;
  }

  Flow walkRange(const Node& node, const Value& dot) {
    const std::size_t mark = variables_.size();
    const Pipeline& pipe = node.pipeline;
    const Value value = evalCommands(pipe, dot);
    if (!pipe.assign)
      for (const std::string& name : pipe.variables) variables_.emplace_back(name, Value());
    const auto iterate = [&](const Value& key, const Value& element) {
      spend(node.pos);
      if (pipe.variables.size() == 1) {
        setVariable(pipe.variables[0], element, pipe.pos);
      } else if (pipe.variables.size() == 2) {
        setVariable(pipe.variables[0], key, pipe.pos);
        setVariable(pipe.variables[1], element, pipe.pos);
      }
      const std::size_t inner = variables_.size();
      const Flow flow = walkList(node.list, element);
      variables_.resize(inner);
      return flow;
    };
    bool any = false;
    if (value.time || value.json.is_boolean() || value.json.is_string() || value.json.is_number_float()) {
      fail(node.pos, "range can't iterate over " + typeName(value));
    } else if (value.json.is_array()) {
      for (std::size_t k = 0; k < value.json.size(); ++k) {
        any = true;
        if (iterate(Value(static_cast<std::int64_t>(k)), Value(value.json[k])) == Flow::Break) break;
      }
    } else if (value.json.is_object()) {
      for (const auto& [key, item] : value.json.items()) {
        any = true;
        if (iterate(Value(key), Value(item)) == Flow::Break) break;
      }
    } else if (value.json.is_number()) {
      if (pipe.variables.size() > 1) fail(node.pos, "can't use two variables to range over an integer");
      const std::int64_t count = value.json.get<std::int64_t>();
      for (std::int64_t k = 0; k < count; ++k) {
        any = true;
        if (iterate(Value(k), Value(k)) == Flow::Break) break;
      }
    }
    Flow flow = Flow::Normal;
    if (!any) flow = walkList(node.elseList, dot);
    variables_.resize(mark);
    return flow;
  }

  void setVariable(const std::string& name, const Value& value, std::size_t pos) {
    for (std::size_t k = variables_.size(); k-- > 0;) {
      if (variables_[k].first == name) {
        variables_[k].second = value;
        return;
      }
    }
    fail(pos, "undefined variable: " + name);
  }

  const Value& variable(const std::string& name, std::size_t pos) const {
    for (std::size_t k = variables_.size(); k-- > 0;)
      if (variables_[k].first == name) return variables_[k].second;
    fail(pos, "undefined variable: " + name);
  }

  Value evalCommands(const Pipeline& pipe, const Value& dot) {
    Value value;
    bool piped = false;
    for (const Command& command : pipe.commands) {
      value = evalCommand(command, dot, piped ? &value : nullptr);
      piped = true;
    }
    return value;
  }

  Value evalPipeline(const Pipeline& pipe, const Value& dot) {
    Value value = evalCommands(pipe, dot);
    for (const std::string& name : pipe.variables) {
      if (pipe.assign)
        setVariable(name, value, pipe.pos);
      else
        variables_.emplace_back(name, value);
    }
    return value;
  }

  std::string operandText(const Operand& operand) const {
    switch (operand.kind) {
      case Operand::Kind::Field: {
        std::string out;
        for (const std::string& f : operand.fields) out += "." + f;
        return out;
      }
      case Operand::Kind::Variable:
        return operand.name;
      case Operand::Kind::Dot:
        return ".";
      case Operand::Kind::Nil:
        return "nil";
      case Operand::Kind::Constant:
        return operand.constant.dump();
      default:
        return operand.name.empty() ? "(pipeline)" : operand.name;
    }
  }

  Value evalCommand(const Command& command, const Value& dot, const Value* piped) {
    const Operand& first = command.operands[0];
    if (first.kind == Operand::Kind::Function && first.fields.empty())
      return callFunction(command, dot, piped);
    if (first.kind == Operand::Kind::Nil) fail(first.pos, "nil is not a command");
    if (command.operands.size() > 1 || piped) {
      if (first.kind == Operand::Kind::Field || !first.fields.empty())
        fail(first.pos, first.fields.back() + " is not a method but has arguments");
      fail(first.pos, "can't give argument to non-function " + operandText(first));
    }
    return evalOperand(first, dot);
  }

  Value field(const Value& receiver, const std::string& name, std::size_t pos) const {
    if (receiver.isNil()) return Value();
    if (!receiver.time && receiver.json.is_object()) {
      auto it = receiver.json.find(name);
      return it == receiver.json.end() ? Value() : Value(*it);
    }
    fail(pos, "can't evaluate field " + name + " in type " + typeName(receiver));
  }

  Value evalOperand(const Operand& operand, const Value& dot) {
    Value value;
    switch (operand.kind) {
      case Operand::Kind::Dot:
        return dot;
      case Operand::Kind::Nil:
        return Value();
      case Operand::Kind::Constant:
        return Value(operand.constant);
      case Operand::Kind::Field:
        value = dot;
        break;
      case Operand::Kind::Variable:
        value = variable(operand.name, operand.pos);
        break;
      case Operand::Kind::Function: {
        Command call;
        call.pos = operand.pos;
        call.operands.push_back(operand);
        call.operands.back().fields.clear();
        value = callFunction(call, dot, nullptr);
        break;
      }
      case Operand::Kind::Pipeline:
        value = evalPipeline(*operand.pipeline, dot);
        break;
    }
    for (const std::string& name : operand.fields) value = field(value, name, operand.pos);
    return value;
  }

  Value callFunction(const Command& command, const Value& dot, const Value* piped) {
    const Operand& head = command.operands[0];
    const auto found = functions_.find(head.name);
    if (found == functions_.end()) fail(head.pos, "function \"" + head.name + "\" not defined");
    const std::size_t explicitArgs = command.operands.size() - 1;
    if (head.name == "and" || head.name == "or") {  // short-circuit, as Go 1.18+
      if (explicitArgs == 0)
        fail(head.pos, "wrong number of args for " + head.name + ": want at least 1 got 0");
      const bool isOr = head.name == "or";
      Value value;
      for (std::size_t k = 1; k < command.operands.size(); ++k) {
        value = evalOperand(command.operands[k], dot);
        if (isTrue(value) == isOr) return value;
      }
      return piped ? *piped : value;
    }
    std::vector<Value> args;
    args.reserve(explicitArgs + 1);
    for (std::size_t k = 1; k < command.operands.size(); ++k)
      args.push_back(evalOperand(command.operands[k], dot));
    if (piped) args.push_back(*piped);
    try {
      return found->second(context_, args);
    } catch (const FunctionError& e) {
      fail(head.pos, "error calling " + head.name + ": " + e.what());
    } catch (const nlohmann::json::exception&) {
      fail(head.pos, "error calling " + head.name + ": wrong type of argument");
    }
  }

  std::string_view text_;
  TextIndex index_;
  const FunctionTable& functions_;
  CallContext context_;
  Output output_;
  std::size_t executed_ = 0;
  Value root_;
  std::vector<std::pair<std::string, Value>> variables_;
};

}  // namespace

RenderedTemplate executeTemplate(std::string_view text, const std::vector<Node>& nodes,
                                 const nlohmann::json& data, const TemplateOptions& options) {
  return Executor(text, data, options).run(nodes);
}

}  // namespace hangar::config::gotemplate
