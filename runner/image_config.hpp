#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::runner {

/// What an image configures for the containers made from it (the OCI image config), as
/// `buildah inspect --type container` reports it under OCIv1.config.
struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string workingDir;
  std::vector<std::string> env;  // "K=V"
  std::string user;

  /// Reads the JSON that `buildah inspect --type container` prints (anything before the first '{'
  /// or after the last '}', such as a warning line, is skipped). Throws std::runtime_error with the
  /// parser's message when there is no such object or no OCIv1.config in it.
  static ImageConfig parseInspectOutput(std::string_view output);
};

/// The argv a container runs, composed as `docker run` composes it: the entrypoint (the image's, or
/// the override: an empty override means none) followed by the arguments, or by the image's CMD when
/// there are none and the entrypoint was not overridden (docker drops CMD with --entrypoint).
/// Throws std::invalid_argument when the result is empty: nothing to run.
std::vector<std::string> composeContainerArgv(const ImageConfig& image,
                                              const std::optional<std::string>& entrypoint,
                                              const std::vector<std::string>& args);

}  // namespace hangar::runner
