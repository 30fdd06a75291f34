#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace hangar::config {

/// A place in a source file: 1-based line and column; line 0 means "the whole file".
struct SourcePosition {
  std::string file;
  int line = 0;
  int column = 0;

  /// "FILE:LINE:COL" (or "FILE" when the line is unknown), the form editors jump to.
  std::string str() const;
};

enum class Severity { Warning, Error };

/// One problem found in a task or configuration file, reported as "FILE:LINE:COL: error: MESSAGE".
struct Diagnostic {
  Severity severity = Severity::Error;
  SourcePosition position;
  std::string message;

  std::string str() const;
};

/// The diagnostics of one load; errors make the load fail, warnings are printed and ignored.
class Diagnostics {
 public:
  void error(SourcePosition position, std::string message);
  void warning(SourcePosition position, std::string message);
  bool hasErrors() const;
  const std::vector<Diagnostic>& all() const { return items_; }
  void append(const Diagnostics& other);
  /// Every diagnostic, one per line, in the order found.
  std::string str() const;

 private:
  std::vector<Diagnostic> items_;
};

/// Thrown where a load cannot go on; carries every diagnostic found so far.
class TaskError : public std::runtime_error {
 public:
  explicit TaskError(Diagnostics diagnostics);
  explicit TaskError(Diagnostic diagnostic);
  const Diagnostics& diagnostics() const { return diagnostics_; }

 private:
  Diagnostics diagnostics_;
};

}  // namespace hangar::config
