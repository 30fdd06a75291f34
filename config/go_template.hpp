#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/template_data.hpp"

namespace hangar::config {

/// A syntax or execution error of a Go template, at a 1-based line and column (in code points) of
/// the template text. what() is "LINE:COLUMN: MESSAGE"; message() is the message alone. Messages never
/// contain values from the data (secrets stay out of errors).
class TemplateError : public std::runtime_error {
 public:
  TemplateError(int line, int column, std::string message);
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& message() const { return message_; }

 private:
  int line_;
  int column_;
  std::string message_;
};

/// What a render may read besides its data: the clock behind Sprig's `now` (UTC).
struct TemplateOptions {
  std::function<std::chrono::system_clock::time_point()> clock;  // empty = the system clock
};

/// A rendered template and, for each line of `text`, the 1-based template line it came from (the line
/// of the text, or of the action whose output started that line).
struct RenderedTemplate {
  std::string text;
  std::vector<int> lineOrigins;
};

/// Renders `text` as Go's text/template with Sprig functions would (§3.1), the subset acr-task files
/// use: actions with trim markers, comments, fields, variables, pipelines, if/else if/else, range
/// (lists, maps, ints; break/continue), with, and the functions listed in go_template_functions.hpp.
/// Missing keys render empty and nil prints nothing; unlike acb, literal "<no value>" text is kept
/// (B15). Never reads the host environment. Throws TemplateError.
RenderedTemplate renderGoTemplate(std::string_view text, const nlohmann::json& data,
                                  const TemplateOptions& options = {});

/// The root object templates see (§3.2): .Run (all strings), .Build.ID, .Values, .Secrets, and the
/// shell-quoted .ValuesJSON and .RunJSON.
nlohmann::json templateRoot(const TemplateData& data);

}  // namespace hangar::config
