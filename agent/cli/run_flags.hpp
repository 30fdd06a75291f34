#pragma once

#include <string>
#include <vector>

#include "agent/run_options.hpp"

namespace CLI {
class App;
}

namespace hangar::agent::cli {

/// The flags run-once and build share, as parsed; options() turns them into RunOnceOptions.
struct RunFlags {
  RunOnceOptions base;
  std::vector<std::string> mirrors;  // HOST=PREFIX
  std::string output = "text";
  std::string stateDir;

  /// Adds --registry, --engine, --timeout, --output, --authfile, --mirror, --state-dir and the
  /// buildah storage settings to `verb`; this object must outlive the parse.
  void addTo(CLI::App& verb);
  /// The parsed options; throws CLI::ValidationError on a malformed --mirror.
  RunOnceOptions options() const;
};

}  // namespace hangar::agent::cli
